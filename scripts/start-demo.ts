/**
 * `npm start`: the demo. Generates local keys into .dev.vars when missing, starts the echo origin on
 * 127.0.0.1:8790 (or on a free port when 8790 is taken, or on `--origin-port N`), then runs
 * `wrangler dev --env demo` (the APIs of examples/demo/, never apis/) with the origin's URL as DEMO_ORIGIN and any
 * other arguments passed through (`npm start -- --port 8788 --ip 127.0.0.1`).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import { ensureDevVars, ORIGIN_KEYS_FILE } from "./dev-keys";
import { portOf, startEchoOrigin } from "./echo-origin";

const DEFAULT_ORIGIN_PORT = 8790;

/** `--origin-port N` is ours; everything else goes to wrangler. */
function splitArgs(argv: readonly string[]): { originPort: number | undefined; wranglerArgs: string[] } {
  const wranglerArgs: string[] = [];
  let originPort: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--origin-port" || arg.startsWith("--origin-port=")) {
      const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      originPort = Number(value);
      if (!Number.isInteger(originPort) || originPort < 0 || originPort > 65535) throw new Error(`start-demo: --origin-port expects a port number, found '${value}'`);
    } else wranglerArgs.push(arg);
  }
  return { originPort, wranglerArgs };
}

async function startOrigin(port: number | undefined, keys: unknown): Promise<Server> {
  if (port !== undefined) return startEchoOrigin(port, "127.0.0.1", keys as never);
  try {
    return await startEchoOrigin(DEFAULT_ORIGIN_PORT, "127.0.0.1", keys as never);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    console.log(`start-demo: port ${DEFAULT_ORIGIN_PORT} is taken; the echo origin takes a free port instead`);
    return startEchoOrigin(0, "127.0.0.1", keys as never);
  }
}

const { originPort, wranglerArgs } = splitArgs(process.argv.slice(2));
// EDGE_JWT_DEMO_KEYS_DIR keeps the demo's key files out of the project folder (the test suite uses it, so the
// workerd tests that start meanwhile find no .dev.vars to announce); wrangler then reads them with --env-file.
const keysDir = process.env.EDGE_JWT_DEMO_KEYS_DIR;
const devVars = keysDir ? join(keysDir, ".dev.vars") : ".dev.vars";
const originKeysFile = keysDir ? join(keysDir, ORIGIN_KEYS_FILE) : ORIGIN_KEYS_FILE;
if (await ensureDevVars(devVars, originKeysFile)) console.log(`start-demo: created ${devVars} with fresh local demo keys`);
const originKeys: unknown = existsSync(originKeysFile) ? JSON.parse(readFileSync(originKeysFile, "utf8")) : undefined;
const origin = await startOrigin(originPort, originKeys);
const originUrl = `http://127.0.0.1:${portOf(origin)}`;
console.log(`start-demo: echo origin on ${originUrl}`);

const envFile = keysDir ? ["--env-file", devVars] : [];
const wrangler = spawn("npx", ["wrangler", "dev", "--env", "demo", ...envFile, "--var", `DEMO_ORIGIN:${originUrl}`, ...wranglerArgs], { stdio: "inherit" });
const stop = () => wrangler.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => {
  origin.close();
  process.exit(code ?? 0);
});
