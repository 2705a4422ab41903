/**
 * `npm run kv:put -- NAME FILE [wrangler options]`: stores FILE under NAME in the local CRYPTO_OBJECTS namespace
 * (what `npm start` and `npm run dev` read). For the deployed namespace use the README's `--remote` command.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const [name, file, ...rest] = process.argv.slice(2);
if (!name || !file) {
  console.error("usage: npm run kv:put -- NAME FILE   (e.g. npm run kv:put -- orders-signing-key orders-signing-key.pem)");
  process.exit(2);
}
if (!existsSync(file)) {
  console.error(`kv:put: no such file: ${file}`);
  process.exit(2);
}
const args = ["wrangler", "kv", "key", "put", "--binding", "CRYPTO_OBJECTS", "--local", name, "--path", file, ...rest];
const result = spawnSync("npx", args, { stdio: "inherit" });
process.exit(result.status ?? 1);
