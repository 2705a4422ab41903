/**
 * Validation throughput (bench/worker/validate.ts in workerd): jwt-validate's policy against jose's own
 * jwtVerify with a cached key, HS256, ES256, RS256. Same method as the mint bench: a warm-up, then
 * interleaved rounds of at least `ms` each in a rotated order, the median kept. Target: policy/jose ≥ 0.9.
 */
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorker, ROOT } from "./build";
import { childPids, cpuNs } from "./cpu";
import { CLAIMS } from "./definitions";
import type { BenchKeys } from "./keys";
import { VALIDATE_CASES, VALIDATE_METHODS, VERIFY_BINDING, type ValidateCase, type ValidateMethod } from "../worker/validate";

export const VALIDATE_TARGET = 0.9;
export type ValidateResults = Record<ValidateCase, Record<ValidateMethod, number>>;
/** Tokens/s by wall clock, and per workerd CPU-second (the cross-check other load hardly moves; absent without /proc). */
export interface ValidateRun {
  rate: ValidateResults;
  cpu?: ValidateResults;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function benchValidate(
  tmp: string,
  keys: BenchKeys,
  opts: { rounds: number; ms: number; warmMs: number; compatibilityDate: string; log: (s: string) => void },
): Promise<ValidateRun> {
  const { outfile, missing } = await bundleWorker(resolve(ROOT, "bench/worker/validate.ts"), join(tmp, "validate.js"));
  if (missing.length > 0) throw new Error(`validate bench: src modules missing: ${missing.join(", ")}`);
  const bindings = { ...keys.bindings, [VERIFY_BINDING.HS256]: keys.verify.HS256, [VERIFY_BINDING.ES256]: keys.verify.ES256, [VERIFY_BINDING.RS256]: keys.verify.RS256 };
  const before = childPids("workerd");
  const mf = new Miniflare({ modules: true, scriptPath: outfile, modulesRoot: tmp, compatibilityDate: opts.compatibilityDate, bindings, handleRuntimeStdio: () => {} });
  const get = async <T>(path: string): Promise<T> => {
    const res = await mf.dispatchFetch(`http://bench${path}`);
    const body = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`validate worker ${path}: ${body.error ?? res.status}`);
    return body;
  };
  try {
    // Both methods must have accepted the token with the same subject before anything is timed.
    const info = await get<{ cases: Record<ValidateCase, Record<ValidateMethod, unknown>> }>("/info");
    for (const c of VALIDATE_CASES) {
      for (const m of VALIDATE_METHODS) if (info.cases[c][m] !== CLAIMS.sub) throw new Error(`validate bench: ${c} ${m} accepted sub ${JSON.stringify(info.cases[c][m])}`);
    }
    const pairs = VALIDATE_CASES.flatMap((c) => VALIDATE_METHODS.map((m) => ({ c, m })));
    const workerd = childPids("workerd").filter((p) => !before.includes(p));
    const cpuSamples = new Map<string, number[]>();
    const rate = async (c: ValidateCase, m: ValidateMethod, ms: number) => {
      const cpu0 = cpuNs(workerd);
      const r = await get<{ ops: number; ms: number }>(`/run?case=${c}&method=${m}&ms=${ms}`);
      const cpu1 = cpuNs(workerd);
      if (cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0) cpuSamples.set(`${c}/${m}`, [...(cpuSamples.get(`${c}/${m}`) ?? []), r.ops / ((cpu1 - cpu0) / 1e9)]);
      return (r.ops / r.ms) * 1000;
    };
    opts.log(`validate: warm-up (${opts.warmMs} ms each), then ${opts.rounds} rounds of ${opts.ms} ms per case and method`);
    for (const { c, m } of pairs) await rate(c, m, opts.warmMs);
    cpuSamples.clear(); // the warm-up's figures are not kept
    const samples = new Map<string, number[]>();
    for (let round = 0; round < opts.rounds; round++) {
      const shift = round % pairs.length;
      for (const { c, m } of [...pairs.slice(shift), ...pairs.slice(0, shift)]) samples.set(`${c}/${m}`, [...(samples.get(`${c}/${m}`) ?? []), await rate(c, m, opts.ms)]);
    }
    const out = {} as ValidateResults;
    for (const c of VALIDATE_CASES) {
      out[c] = {} as Record<ValidateMethod, number>;
      for (const m of VALIDATE_METHODS) out[c][m] = Math.round(median(samples.get(`${c}/${m}`)!));
    }
    let cpu: ValidateResults | undefined = {} as ValidateResults;
    for (const c of VALIDATE_CASES) {
      cpu[c] = {} as Record<ValidateMethod, number>;
      for (const m of VALIDATE_METHODS) {
        const xs = cpuSamples.get(`${c}/${m}`);
        if (!xs || xs.length === 0) cpu = undefined;
        else if (cpu) cpu[c][m] = Math.round(median(xs));
      }
      if (!cpu) break;
    }
    return { rate: out, cpu };
  } finally {
    await mf.dispose();
  }
}

/** The table: tokens/s per case for the policy and jose, and the ratio against the target. */
export function formatValidate(run: ValidateRun): string {
  const table = (r: ValidateResults) =>
    VALIDATE_CASES.map((c) => {
      const ratio = r[c].policy / r[c].jose;
      return `| ${c} | ${r[c].policy.toLocaleString("en-US")} | ${r[c].jose.toLocaleString("en-US")} | ${ratio.toFixed(2)} | ${ratio >= VALIDATE_TARGET ? "PASS" : "MISS"} |`;
    });
  const head = "| alg | policy (jwt-validate) | jose (jwtVerify) | policy/jose | |\n|---|---:|---:|---:|---|";
  const lines = [`validation, tokens/s (key cached; target policy/jose ≥ ${VALIDATE_TARGET})`, head, ...table(run.rate)];
  if (run.cpu) lines.push("", "cross-check: tokens per workerd CPU-second", head, ...table(run.cpu));
  return lines.join("\n");
}
