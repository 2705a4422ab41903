/**
 * docs/migrating-from-api-connect.md: its worked example's commands, run as written (from the project root, in
 * bash), with the key file put in a temporary folder instead of the working tree.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import jsrsasign from "jsrsasign";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/run-worker";

const run = promisify(execFile);
let dir = "";
afterAll(async () => {
  await run("npx", ["wrangler", "kv", "key", "delete", "--binding", "CRYPTO_OBJECTS", "--local", "orders-signing-key"], { cwd: PROJECT_ROOT }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The lines of the sh block that follows the marker comment. */
async function testedCommands(): Promise<string[]> {
  const text = await readFile(join(PROJECT_ROOT, "docs/migrating-from-api-connect.md"), "utf8");
  const m = /<!-- the commands below are run by test\/node\/migration-guide\.test\.ts -->\n```sh\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error("the guide's tested block is missing");
  return (m[1] as string).split("\n").filter((l) => l.trim() !== "");
}

describe("the migration guide's worked example", () => {
  it("runs offline: key, check, mint (a token an independent library verifies), local KV", async () => {
    dir = await mkdtemp(join(tmpdir(), "migration-guide-"));
    const keyFile = join(dir, "orders-signing-key.pem");
    const commands = await testedCommands();
    expect(commands).toHaveLength(4);
    const outputs: string[] = [];
    for (const command of commands) {
      const { stdout } = await run("bash", ["-c", command.replaceAll("orders-signing-key.pem", keyFile)], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      });
      outputs.push(stdout);
    }
    expect(outputs[1]).toBe("edge-jwt check: 1 API OK in examples/orders\n");
    const [token, ...decoded] = (outputs[2] as string).split("\n");
    const publicPem = (await run("openssl", ["pkey", "-in", keyFile, "-pubout"])).stdout;
    expect(jsrsasign.KJUR.jws.JWS.verify(token!, publicPem, ["ES256"])).toBe(true);
    expect(JSON.parse(decoded.join("\n")).claims).toMatchObject({ sub: "alice", aud: "orders-service", scope: "orders:read orders:write" });
    const stored = await run("npx", ["wrangler", "kv", "key", "get", "--binding", "CRYPTO_OBJECTS", "--local", "orders-signing-key"], { cwd: PROJECT_ROOT });
    expect(stored.stdout.trim()).toBe((await readFile(keyFile, "utf8")).trim());
  }, 120_000);
});
