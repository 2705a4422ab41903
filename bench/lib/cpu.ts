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

/** Busy time of the whole machine so far (all CPUs, from /proc/stat), in nanoseconds; undefined without /proc. */
export function machineBusyNs(): number | undefined {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
    const busy = first.slice(0, 8).reduce((s, v, i) => (i === 3 || i === 4 ? s : s + v), 0);
    return (busy * 1e9) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Measures the CPU that processes other than ours (this Node process and `pids`) used while `fn` ran,
 * in cores (1.0 = one CPU fully busy), and `pids`' own share of one core.
 */
export async function withCpuAccounting<T>(pids: readonly number[], fn: () => Promise<T>): Promise<{ result: T; foreignCores?: number; workerdCores?: number }> {
  const m0 = machineBusyNs();
  const w0 = cpuNs(pids);
  const n0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallNs = (performance.now() - t0) * 1e6;
  const m1 = machineBusyNs();
  const w1 = cpuNs(pids);
  const n = process.cpuUsage(n0);
  if (m0 === undefined || m1 === undefined || w0 === undefined || w1 === undefined || wallNs <= 0) return { result };
  const ours = w1 - w0 + (n.user + n.system) * 1000;
  return { result, foreignCores: Math.max(0, (m1 - m0 - ours) / wallNs), workerdCores: (w1 - w0) / wallNs };
}
