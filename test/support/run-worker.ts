/**
 * Runs the real worker (src/index.ts, bundled as wrangler would) from Node, over API
 * definitions given inline, in Miniflare/workerd with a real HTTP port.
 *
 *   const w = await startWorker({ apis: { "a.yaml": yamlText }, bindings: { MY_KEY: pem }, kv: { OTHER: pem } });
 *   const res = await fetch(`${w.url}/base/path`);
 *   await w.stop();
 *
 * Steps: writes the definitions to a temp dir, runs the project's build step
 * (scripts/build-apis.ts, which validates them) into a temp generated file, bundles src/index.ts
 * with esbuild (`./generated/apis` resolved to that temp file), and starts Miniflare with the
 * bindings, a KV namespace CRYPTO_OBJECTS prefilled with `kv`, and port 0.
 * Unless `bindings.ORIGIN_URL` is given, an echo origin (scripts/echo-origin.ts) is started too
 * and its URL is bound as ORIGIN_URL.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { build, type Plugin } from "esbuild";
import { Miniflare, Log, LogLevel } from "miniflare";
import { portOf, startEchoOrigin } from "../../scripts/echo-origin";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface StartWorkerOptions {
  /** API definitions: file name (e.g. "a.yaml") → YAML or JSON text. */
  apis: Record<string, string>;
  /** Text bindings: secrets and vars (e.g. crypto objects by name, ORIGIN_URL). */
  bindings?: Record<string, string>;
  /** Contents of the CRYPTO_OBJECTS KV namespace: key name → value. */
  kv?: Record<string, string>;
  /** Workers Secrets Store bindings (`secrets_store_secrets`): binding name → the secret's value. */
  secretsStore?: Record<string, string>;
  /** More KV namespaces: binding → namespace id (e.g. the APPS id from wrangler.toml). */
  kvNamespaces?: Record<string, string>;
  /** Miniflare's KV persistence directory (wrangler's `--persist-to DIR` keeps KV in `DIR/v3/kv`). */
  kvPersist?: string;
  /** Miniflare's own log level; default: errors only. */
  logLevel?: "none" | "error" | "warn" | "info" | "debug";
  /**
   * Also copy the worker's console output (workerd stdout/stderr) to this process's stderr.
   * Default: only when RUN_WORKER_LOGS=1. It is always collected in `logs`.
   */
  printLogs?: boolean;
}

export interface RunningWorker {
  /** Base URL of the worker, without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Base URL of the echo origin this helper started (undefined when ORIGIN_URL was given). */
  originUrl: string | undefined;
  /** Bound ORIGIN_URL. */
  bindings: Record<string, string>;
  /** fetch() relative to the worker's URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  mf: Miniflare;
  /** The worker's console output so far (workerd stdout and stderr), one entry per line. */
  logs: string[];
  stop(): Promise<void>;
}

/** The echo origin from scripts/echo-origin.ts, with its URL and a stop(). */
export async function startOrigin(): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = await startEchoOrigin(0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    server,
    stop: () =>
      new Promise<void>((res) => {
        server.closeAllConnections?.();
        server.close(() => res());
      }),
  };
}

/** compatibility_date from wrangler.toml, so the harness runs the worker as deployed. */
export async function compatibilityDate(): Promise<string> {
  const toml = await readFile(join(PROJECT_ROOT, "wrangler.toml"), "utf8");
  const m = /^\s*compatibility_date\s*=\s*"([^"]+)"/m.exec(toml);
  if (!m) throw new Error("run-worker: no compatibility_date in wrangler.toml");
  return m[1] as string;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", rej);
    child.on("close", (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs scripts/build-apis.ts over `apis` into `<dir>/generated/apis.ts`; throws with its output on failure. */
export async function buildApis(apis: Record<string, string>, dir: string): Promise<string> {
  const apisDir = join(dir, "apis");
  const outFile = join(dir, "generated", "apis.ts");
  await mkdir(apisDir, { recursive: true });
  for (const [name, text] of Object.entries(apis)) {
    if (name.includes("/") || name.includes("\\")) throw new Error(`run-worker: API file name ${name} has a path`);
    await writeFile(join(apisDir, name), text);
  }
  const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
  const r = await run(process.execPath, [tsxCli, "scripts/build-apis.ts", "--apis", apisDir, "--out", outFile], PROJECT_ROOT);
  if (r.code !== 0) throw new Error(`run-worker: build-apis failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  return outFile;
}

/** Bundles src/index.ts like wrangler does, with `./generated/apis` pointing at `generatedFile`. */
export async function bundleWorker(generatedFile: string): Promise<string> {
  const redirect: Plugin = {
    name: "generated-apis",
    setup(b) {
      b.onResolve({ filter: /(^|\/)generated\/apis(\.ts)?$/ }, (args) =>
        args.importer.startsWith(join(PROJECT_ROOT, "src")) ? { path: generatedFile } : undefined,
      );
    },
  };
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, "src/index.ts")],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    plugins: [redirect],
    logLevel: "silent",
    sourcemap: false,
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error("run-worker: esbuild produced no output");
  return out.text;
}

const LOG_LEVELS = { none: LogLevel.NONE, error: LogLevel.ERROR, warn: LogLevel.WARN, info: LogLevel.INFO, debug: LogLevel.DEBUG };

/** Builds, bundles and starts the worker; see the file comment. */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const dir = await mkdtemp(join(tmpdir(), "run-worker-"));
  let origin: Awaited<ReturnType<typeof startOrigin>> | undefined;
  let mf: Miniflare | undefined;
  try {
    const generated = await buildApis(options.apis, dir);
    const script = await bundleWorker(generated);
    const bindings: Record<string, string> = { ...(options.bindings ?? {}) };
    if (bindings.ORIGIN_URL === undefined) {
      origin = await startOrigin();
      bindings.ORIGIN_URL = origin.url;
    }
    const logs: string[] = [];
    const print = options.printLogs ?? process.env.RUN_WORKER_LOGS === "1";
    const collect = (stream: Readable) =>
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        logs.push(line);
        if (print) process.stderr.write(`[worker] ${line}\n`);
      });
    mf = new Miniflare({
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        collect(stdout);
        collect(stderr);
      },
      // Module paths are named relative to modulesRoot; the bundle is a single ES module.
      modules: [{ type: "ESModule", path: join(dir, "worker.mjs"), contents: script }],
      modulesRoot: dir,
      compatibilityDate: await compatibilityDate(),
      bindings,
      kvNamespaces: { CRYPTO_OBJECTS: "CRYPTO_OBJECTS", ...options.kvNamespaces },
      secretsStoreSecrets: Object.fromEntries(Object.keys(options.secretsStore ?? {}).map((name) => [name, { store_id: "test-store", secret_name: name }])),
      ...(options.kvPersist !== undefined ? { kvPersist: options.kvPersist } : {}),
      host: "127.0.0.1",
      port: 0,
      cf: false,
      log: new Log(LOG_LEVELS[options.logLevel ?? "error"]),
    });
    const url = (await mf.ready).toString().replace(/\/$/, "");
    if (options.kv && Object.keys(options.kv).length > 0) {
      const ns = await mf.getKVNamespace("CRYPTO_OBJECTS");
      for (const [k, v] of Object.entries(options.kv)) await ns.put(k, v);
    }
    for (const [name, value] of Object.entries(options.secretsStore ?? {})) {
      const admin = (await mf.getSecretsStoreSecretAPI(name))();
      await admin.create(value);
    }
    const running = mf;
    const started = origin;
    return {
      url,
      originUrl: started?.url,
      bindings,
      mf: running,
      logs,
      fetch: (path, init) => fetch(url + (path.startsWith("/") ? path : `/${path}`), init),
      stop: async () => {
        await running.dispose();
        await started?.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await mf?.dispose().catch(() => undefined);
    await origin?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
