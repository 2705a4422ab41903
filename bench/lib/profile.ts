/**
 * A V8 CPU profile of the bench worker, over workerd's inspector (Chrome DevTools Protocol), summarized by
 * function and by source module (the bundle's `// path` markers map each line back to its module).
 */
import { readFile } from "node:fs/promises";
import WebSocket from "ws";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
  /** Hits per source line (1-based, in the bundle) inside this function. */
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

async function connect(inspectorPort: number): Promise<WebSocket> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string; id?: string }[];
  const target = targets.find((t) => /core:user/.test(`${t.title ?? ""} ${t.id ?? ""}`)) ?? targets[0];
  if (!target) throw new Error("workerd's inspector lists no target");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return ws;
}

function caller(ws: WebSocket) {
  let next = 1;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)!(msg.error ? Promise.reject(new Error(msg.error.message)) : msg.result);
      pending.delete(msg.id);
    }
  });
  return <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (v: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
}

/** Profiles the worker while `during` runs; `bundlePath` is the worker's (unminified) bundle. */
export async function profileWhile(inspectorPort: number, bundlePath: string, during: () => Promise<void>, top = 25): Promise<string> {
  const ws = await connect(inspectorPort);
  const call = caller(ws);
  try {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 50 });
    await call("Profiler.start");
    await during();
    const { profile } = await call<{ profile: Profile }>("Profiler.stop");
    return summarize(profile, (await readFile(bundlePath, "utf8")).split("\n"), top);
  } finally {
    ws.close();
  }
}

function summarize(profile: Profile, bundleLines: string[], top: number): string {
  // esbuild marks each module's code with a `// path/to/module.ts` line.
  const markers: { line: number; module: string }[] = [];
  bundleLines.forEach((l, i) => {
    const m = /^\/\/ ((?:src|bench|node_modules)\/\S+)$/.exec(l);
    if (m) markers.push({ line: i, module: m[1]!.replace(/^node_modules\//, "") });
  });
  const moduleOf = (f: CallFrame) => {
    if (!f.url) return f.functionName.startsWith("(") ? "" : "(native)";
    let lo = 0;
    let hi = markers.length - 1;
    let found = "(bundle)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (markers[mid]!.line <= f.lineNumber) {
        found = markers[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const key = (n: ProfileNode) => {
    const f = n.callFrame;
    const mod = moduleOf(f);
    return `${f.functionName || "(anonymous)"}${mod ? `  ${mod}${f.url ? `  [bundle:${f.lineNumber + 1}]` : ""}` : ""}`;
  };
  const self = new Map<string, number>();
  const lineTicks = new Map<string, Map<number, number>>();
  const inclusive = new Map<string, number>();
  const byModule = new Map<string, number>();
  // Inclusive hits: each sample counts once per distinct function on its stack.
  const walk = (id: number, stack: Set<string>): number => {
    const n = byId.get(id)!;
    const k = key(n);
    const hits = n.hitCount ?? 0;
    self.set(k, (self.get(k) ?? 0) + hits);
    for (const t of n.positionTicks ?? []) {
      const perLine = lineTicks.get(k) ?? new Map<number, number>();
      perLine.set(t.line, (perLine.get(t.line) ?? 0) + t.ticks);
      lineTicks.set(k, perLine);
    }
    const mod = moduleOf(n.callFrame) || n.callFrame.functionName;
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
    const fresh = !stack.has(k);
    if (fresh) stack.add(k);
    let sub = hits;
    for (const c of n.children ?? []) sub += walk(c, stack);
    if (fresh) {
      stack.delete(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + sub);
    }
    return sub;
  };
  walk(profile.nodes[0]!.id, new Set());

  const pct = (h: number) => `${((h / totalHits) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`CPU profile: ${totalHits} samples over ${totalMs.toFixed(0)} ms (self%, inclusive%, function, module [line in the bundle])`];
  for (const [k, h] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(h)} ${pct(inclusive.get(k) ?? h)}  ${k}`);
  // The hottest lines of the top functions (V8 inlines callees, so a function's self time hides them).
  for (const [k, h] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4)) {
    const perLine = lineTicks.get(k);
    if (!perLine || h === 0) continue;
    lines.push(`hottest lines of ${k.split("  ")[0]}:`);
    for (const [line, t] of [...perLine.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6)) {
      lines.push(`  ${pct(t)}  ${String(line).padStart(5)}: ${(bundleLines[line - 1] ?? "").trim().slice(0, 110)}`);
    }
  }
  lines.push("by module (self):");
  for (const [m, h] of [...byModule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(h)}  ${m}`);
  return lines.join("\n");
}
