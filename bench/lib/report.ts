/** Statistics, the results table and the targets. */
import { CASES, type BenchCase, type BenchMethod, type E2eApi } from "./definitions";

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export type MintResults = Record<BenchCase, Record<BenchMethod, number | null>>;
export type E2eResults = Record<E2eApi, number | null>;

export interface Results {
  mint: MintResults;
  e2e: E2eResults;
  bundle_gzip_bytes: number | null;
}

export interface Target {
  name: string;
  value: number | null;
  min: number;
  /** What a policy with no overhead at all (as fast as raw) would reach: above it, a target cannot be met. */
  ceiling?: number | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? a / b : null);

export function targets(r: Results): Target[] {
  const t: Target[] = [];
  const add = (name: string, value: number | null, min: number, ceiling?: number | null) => t.push({ name, value, min, ceiling });
  const m = r.mint;
  add("policy/raw RS256", ratio(m.RS256.policy, m.RS256.raw), 0.9);
  add("policy/raw PS256", ratio(m.PS256.policy, m.PS256.raw), 0.9);
  add("policy/raw nested", ratio(m.nested.policy, m.nested.raw), 0.9);
  add("policy/raw ES256", ratio(m.ES256.policy, m.ES256.raw), 0.85);
  add("policy/raw HS256", ratio(m.HS256.policy, m.HS256.raw), 0.5);
  add("policy/jose HS256", ratio(m.HS256.policy, m.HS256.jose), 2.0, ratio(m.HS256.raw, m.HS256.jose));
  add("policy/jose ES256", ratio(m.ES256.policy, m.ES256.jose), 2.0, ratio(m.ES256.raw, m.ES256.jose));
  add("policy/jose RS256", ratio(m.RS256.policy, m.RS256.jose), 1.0, ratio(m.RS256.raw, m.RS256.jose));
  add("policy/jose PS256", ratio(m.PS256.policy, m.PS256.jose), 1.0, ratio(m.PS256.raw, m.PS256.jose));
  add("policy/hono HS256", ratio(m.HS256.policy, m.HS256.hono), 3.0, ratio(m.HS256.raw, m.HS256.hono));
  add("policy/hono ES256", ratio(m.ES256.policy, m.ES256.hono), 2.0, ratio(m.ES256.raw, m.ES256.hono));
  add("policy/hono RS256", ratio(m.RS256.policy, m.RS256.hono), 1.4, ratio(m.RS256.raw, m.RS256.hono));
  // Issue #14: the policy within 10 % of the smallest correct hand-written mint, for every algorithm.
  for (const c of CASES) add(`policy/minimal ${c}`, ratio(m[c].policy, m[c].minimal), 0.9);
  add("e2e HS256/passthrough", ratio(r.e2e.HS256, r.e2e.passthrough), 0.85);
  // Issue #14: RS256 with x-edge.cache against the passthrough; the passthrough against a worker that only fetches.
  add("e2e RS256-cached/passthrough", ratio(r.e2e["RS256-cached"], r.e2e.passthrough), 0.85);
  add("e2e passthrough/bare", ratio(r.e2e.passthrough, r.e2e.bare), 0.9);
  // Issue #9: a 20-case operation-switch costs under 5 % of the passthrough.
  add("e2e opswitch20/passthrough", ratio(r.e2e.opswitch20, r.e2e.passthrough), 0.95);
  // Issue #10: a 15-line gatewayscript before jwt-generate, against the same assembly without it (not yet measured).
  add("e2e script15/HS256", ratio(r.e2e.script15, r.e2e.HS256), 0.9);
  return t;
}

const fmtRate = (n: number | null | undefined) => (n == null ? "—" : Math.round(n).toLocaleString("en-US"));
const fmtRatio = (n: number | null) => (n == null ? "—" : n.toFixed(2));
const pad = (s: string, n: number) => s.padStart(n);

export interface Extra {
  /** Per case and method, min and max over the rounds, shown so the noise is visible. */
  spread: Partial<Record<string, [number, number]>>;
  /** Tokens per workerd CPU-second (from /proc): hardly moved by other load on the machine. */
  mintCpu: MintResults;
  e2eSpread: Partial<Record<string, [number, number]>>;
  /** workerd CPU microseconds per end-to-end request. */
  e2eCpu: E2eResults;
}

function mintTable(title: string, mint: MintResults): string[] {
  const lines = [title];
  lines.push(["case", "policy", "raw", "minimal", "jose", "hono", "policy/raw", "policy/min", "policy/jose", "policy/hono"].map((h, i) => (i === 0 ? h.padEnd(8) : pad(h, i < 6 ? 9 : 12))).join(""));
  for (const c of CASES) {
    const x = mint[c];
    lines.push(
      c.padEnd(8) +
        [x.policy, x.raw, x.minimal, x.jose, x.hono].map((v) => pad(fmtRate(v), 9)).join("") +
        [ratio(x.policy, x.raw), ratio(x.policy, x.minimal), ratio(x.policy, x.jose), ratio(x.policy, x.hono)].map((v) => pad(fmtRatio(v), 12)).join(""),
    );
  }
  return lines;
}

export function formatTables(r: Results, x: Extra, info: { rounds: number; e2eRounds: number; concurrency: number }): string {
  const lines: string[] = [];
  lines.push(...mintTable(`mint: tokens/s in workerd (wall clock), median of ${info.rounds} rounds — nested = RS256 + RSA-OAEP-256/A128CBC-HS256`, r.mint));
  lines.push("");
  lines.push("spread: min–max tokens/s over the rounds");
  for (const c of CASES) {
    const cells = (["policy", "raw", "minimal", "jose", "hono"] as const).map((m) => {
      const s = x.spread[`${c}/${m}`];
      return `${m} ${s ? `${fmtRate(s[0])}–${fmtRate(s[1])}` : "—"}`;
    });
    lines.push(`${c.padEnd(8)}${cells.join("   ")}`);
  }
  lines.push("");
  lines.push(...mintTable("cross-check: tokens per workerd CPU-second (thread run time from /proc; little moved by other load)", x.mintCpu));
  lines.push("");
  lines.push(`e2e: requests/s through the gateway (workerd) to a loopback origin, concurrency ${info.concurrency}, median of ${info.e2eRounds} rounds`);
  lines.push(`${"api".padEnd(13)}${pad("req/s", 9)}${pad("/passthrough", 14)}${pad("workerd µs/req", 16)}   min–max req/s`);
  for (const [api, rps] of Object.entries(r.e2e)) {
    const s = x.e2eSpread[api];
    lines.push(
      `${api.padEnd(13)}${pad(fmtRate(rps), 9)}${pad(fmtRatio(ratio(rps, r.e2e.passthrough)), 14)}${pad(fmtRate(x.e2eCpu[api as keyof E2eResults]), 16)}   ${s ? `${fmtRate(s[0])}–${fmtRate(s[1])}` : "—"}`,
    );
  }
  lines.push("");
  lines.push(`bundle (wrangler deploy --dry-run, gzip): ${r.bundle_gzip_bytes == null ? "—" : `${r.bundle_gzip_bytes.toLocaleString("en-US")} bytes (${(r.bundle_gzip_bytes / 1024).toFixed(1)} KiB)`}`);
  return lines.join("\n");
}

export function formatTargets(ts: readonly Target[], bundleBytes: number | null): { text: string; misses: number } {
  const lines = ["targets"];
  let misses = 0;
  const all = [...ts.map((t) => ({ ...t, unit: "" })), { name: "bundle gzip KiB", value: bundleBytes == null ? null : bundleBytes / 1024, min: -100, unit: "KiB" }];
  for (const t of all) {
    if (t.unit === "KiB") {
      const ok = t.value != null && t.value < 100;
      if (!ok) misses++;
      lines.push(`  ${(ok ? "PASS" : "MISS").padEnd(5)}${t.name.padEnd(24)}${t.value == null ? "—" : t.value.toFixed(1)} < 100${t.value == null ? "" : `  (${(100 - t.value).toFixed(1)} KiB to spare)`}`);
      continue;
    }
    const ok = t.value != null && t.value >= t.min;
    if (!ok) misses++;
    const margin = t.value == null ? "not measured" : `${t.value >= t.min ? "+" : ""}${(((t.value - t.min) / t.min) * 100).toFixed(0)}% vs target`;
    const ceiling =
      t.ceiling == null ? "" : `; ceiling raw/${t.name.split(" ")[0]!.split("/")[1]} ${t.ceiling.toFixed(2)}${t.ceiling < t.min ? ": unreachable even at zero overhead" : ""}`;
    lines.push(`  ${(ok ? "PASS" : "MISS").padEnd(5)}${t.name.padEnd(24)}${fmtRatio(t.value).padStart(5)} ≥ ${t.min.toFixed(2)}  (${margin}${ceiling})`);
  }
  return { text: lines.join("\n"), misses };
}
