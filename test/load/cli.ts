/**
 * `npm run load -- --requests 50000 --concurrency 200 [--algs HS256,ES256,nested] [--max-seconds 900] [--json]`
 *
 * Drives the real worker (Miniflare/workerd) to a local origin that verifies every token and checks
 * it is the requesting client's own (see test/load/load.ts). Exits 1 unless every request was
 * answered with a verifying token of its own, and no secret appeared in a response, token or log.
 */
import { ALGS, formatReport, passed, runLoad, type LoadAlg } from "./load";

export interface CliOptions {
  requests: number;
  concurrency: number;
  algs: LoadAlg[];
  maxSeconds: number;
  json: boolean;
}

/** Parses the command line; throws with a usage message on a bad value. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const positive = (name: string, fallback: number): number => {
    const text = value(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, found ${JSON.stringify(text)}`);
    return n;
  };
  const algs = (value("--algs") ?? ALGS.join(",")).split(",").map((a) => a.trim()).filter(Boolean);
  for (const a of algs) if (!(ALGS as readonly string[]).includes(a)) throw new Error(`--algs: expected some of ${ALGS.join(", ")}, found ${JSON.stringify(a)}`);
  return {
    requests: positive("--requests", 10_000),
    concurrency: positive("--concurrency", 100),
    algs: algs as LoadAlg[],
    maxSeconds: positive("--max-seconds", 900),
    json: argv.includes("--json"),
  };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`load: ${(e as Error).message}\nusage: npm run load -- --requests N --concurrency C [--algs HS256,ES256,nested] [--max-seconds S] [--json]`);
    process.exit(2);
  }
  console.error(`load: starting the worker; ${options.requests} requests at concurrency ${options.concurrency} over ${options.algs.join(", ")}`);
  const report = await runLoad({
    requests: options.requests,
    concurrency: options.concurrency,
    algs: options.algs,
    maxMs: options.maxSeconds * 1000,
    progress: (done, total) => process.stderr.write(`load: ${done}/${total}\r`),
  });
  process.stderr.write("\n");
  console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exit(passed(report) ? 0 : 1);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, "/"))) await main();
