/**
 * The gateway's own overhead per request, without sockets: `npx tsx bench/overhead.ts [rounds] [n]`.
 * Each round runs n requests of bare, passthrough and HS256 in a rotated order inside workerd (stub origin) and
 * takes workerd's CPU time (from /proc, little moved by other load); prints the median µs per request.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer, type AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { profileWhile } from "./lib/profile";
import { bundleWorker, ROOT } from "./lib/build";
import { childPids, cpuNs } from "./lib/cpu";
import { e2eSources } from "./lib/definitions";
import { generateKeys } from "./lib/keys";
import { median } from "./lib/report";

const profileAt = process.argv.indexOf("--profile");
const profileApi = profileAt >= 0 ? (process.argv[profileAt + 1] ?? "passthrough") : undefined;
const args = process.argv.slice(2).filter((_, i, all) => all[i] !== "--profile" && all[i - 1] !== "--profile");
const rounds = Number(args[0] ?? 7);
const n = Number(args[1] ?? 3000);
const apis = ["bare", "passthrough", "hs256"];
const tmp = await mkdtemp(join(tmpdir(), "edge-jwt-overhead-"));
const keys = await generateKeys();
const { outfile } = await bundleWorker(resolve(ROOT, "bench/worker/overhead.ts"), join(tmp, "overhead.js"), { apiSources: e2eSources() });
const probe = createServer();
await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
const inspectorPort = (probe.address() as AddressInfo).port;
await new Promise<void>((r) => probe.close(() => r()));
const mf = new Miniflare({ ...(profileApi ? { inspectorPort } : {}), modules: true, scriptPath: outfile, modulesRoot: tmp, compatibilityDate: "2026-04-01", bindings: { ...keys.bindings, BENCH_ORIGIN: "https://origin.test" }, kvNamespaces: ["CRYPTO_OBJECTS"] });
try {
  await mf.ready;
  const workerd = childPids("workerd");
  const run = async (api: string, count: number) => {
    const c0 = cpuNs(workerd);
    const res = await mf.dispatchFetch(`http://bench/?api=${api}&n=${count}`);
    const status = await res.text();
    const c1 = cpuNs(workerd);
    if (status !== "200") throw new Error(`${api}: status ${status}`);
    return (c1! - c0!) / 1000 / count;
  };
  for (const api of apis) await run(api, n);
  if (profileApi) {
    console.log(await profileWhile(inspectorPort, outfile, async () => void (await run(profileApi, n)), 40));
    process.exit(0);
  }
  const samples = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const order = [...apis.slice(r % apis.length), ...apis.slice(0, r % apis.length)];
    for (const api of order) samples.set(api, [...(samples.get(api) ?? []), await run(api, n)]);
  }
  const bareUs = median(samples.get("bare")!);
  for (const api of apis) {
    const xs = samples.get(api)!;
    console.log(`${api.padEnd(12)} ${median(xs).toFixed(1).padStart(7)} µs/req  (+${(median(xs) - bareUs).toFixed(1)} over bare)  min–max ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`);
  }
} finally {
  await mf.dispose();
  await rm(tmp, { recursive: true, force: true });
}
