/**
 * CPU time of this process's workerd children, from /proc (Linux): the sum over every thread of
 * schedstat's run time, in nanoseconds. Unlike wall time it hardly moves when other processes
 * share the machine, so it is reported beside the throughput figures.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of this process's direct children named `name` (Miniflare spawns workerd itself). */
export function childPids(name: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      // pid (comm) state ppid ...
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (comm === name && ppid === process.pid) out.push(Number(e));
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** Run time of every thread of `pids`, in nanoseconds; undefined where /proc is not there. */
export function cpuNs(pids: readonly number[]): number | undefined {
  if (pids.length === 0) return undefined;
  let total = 0;
  try {
    for (const pid of pids) {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
        } catch {
          // The thread ended meanwhile.
        }
      }
    }
  } catch {
    return undefined;
  }
  return total;
}

/** Newly started workerd children: the ones not in `before`. */
export function newWorkerdPids(before: readonly number[]): number[] {
  return childPids("workerd").filter((p) => !before.includes(p));
}
