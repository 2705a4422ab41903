/**
 * `npm start`: the demo. Generates local keys into .dev.vars when missing, starts the echo
 * origin on 127.0.0.1:8790, then runs `wrangler dev` with any extra arguments passed through
 * (`npm start -- --port 8788 --ip 127.0.0.1`).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { ensureDevVars, ORIGIN_KEYS_FILE } from "./dev-keys";
import { portOf, startEchoOrigin } from "./echo-origin";

if (await ensureDevVars()) console.log("start-demo: created .dev.vars with fresh local demo keys");
const originKeys = existsSync(ORIGIN_KEYS_FILE) ? JSON.parse(readFileSync(ORIGIN_KEYS_FILE, "utf8")) : undefined;
const origin = await startEchoOrigin(8790, "127.0.0.1", originKeys);
console.log(`start-demo: echo origin on http://127.0.0.1:${portOf(origin)}`);

const wrangler = spawn("npx", ["wrangler", "dev", ...process.argv.slice(2)], { stdio: "inherit" });
const stop = () => wrangler.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => {
  origin.close();
  process.exit(code ?? 0);
});
