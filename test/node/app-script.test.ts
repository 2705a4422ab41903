/**
 * `npm run app` writes, through wrangler's own KV commands, the entries the real worker reads: the
 * script runs against a wrangler persistence directory, and the built worker runs in Miniflare over the
 * same directory and the APPS namespace id from wrangler.toml.
 */
import { spawn } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, startWorker, type RunningWorker } from "../support/run-worker";

const API = `swagger: "2.0"
info: {title: Apps, x-ibm-name: apps, version: 1.0.0}
basePath: /apps
securityDefinitions:
  id: {type: apiKey, in: header, name: X-IBM-Client-Id}
  secret: {type: apiKey, in: header, name: X-IBM-Client-Secret}
security: [{id: [], secret: []}]
paths:
  /plain: {get: {security: [{id: []}]}}
  /both: {get: {}}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable: {actions: [{set: message.body, value: "$(client.app.name)"}]}
`;

function app(args: string[], persist: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, "scripts/app.ts", ...args, "--local", "--persist-to", persist], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const field = (out: string, name: string) => new RegExp(`^${name}: (\\S+)$`, "m").exec(out)?.[1];

describe("npm run app", () => {
  let persist: string;
  let worker: RunningWorker;
  const ids: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const outputs: string[] = [];

  beforeAll(async () => {
    persist = await mkdtemp(join(tmpdir(), "app-script-"));
    const added = await app(["add", "Billing service", "--secret"], persist);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^client_id: [0-9a-f]{32}\nclient_secret: [A-Za-z0-9_-]{43}\n$/);
    ids.billing = field(added.stdout, "client_id")!;
    secrets.first = field(added.stdout, "client_secret")!;
    const plain = await app(["add", "Reporting"], persist);
    expect(plain.stdout).toMatch(/^client_id: [0-9a-f]{32}\n$/);
    ids.reporting = field(plain.stdout, "client_id")!;
    const rotated = await app(["rotate-secret", ids.billing], persist);
    expect(rotated.stdout).toMatch(new RegExp(`^client_id: ${ids.billing}\nclient_secret: [A-Za-z0-9_-]{43}\n$`));
    secrets.second = field(rotated.stdout, "client_secret")!;
    const disabled = await app(["disable", ids.reporting], persist);
    expect(disabled.stdout).toBe(`client_id: ${ids.reporting}\nenabled: false\n`);
    outputs.push(added.stdout + added.stderr, plain.stdout + plain.stderr, rotated.stdout + rotated.stderr, disabled.stdout + disabled.stderr);
    const toml = await readFile(join(PROJECT_ROOT, "wrangler.toml"), "utf8");
    const appsId = /binding = "APPS"\s*\nid = "([0-9a-f]+)"/.exec(toml)?.[1];
    expect(appsId).toBeDefined();
    worker = await startWorker({ apis: { "apps.yaml": API }, kvNamespaces: { APPS: appsId! }, kvPersist: join(persist, "v3", "kv") });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await rm(persist, { recursive: true, force: true });
  });

  const call = async (path: string, headers: Record<string, string>) => {
    const res = await worker.fetch(path, { headers });
    return `${res.status} ${await res.text()}`;
  };

  it("the worker accepts the rotated secret and refuses the old one", async () => {
    expect(await call("/apps/both", { "X-IBM-Client-Id": ids.billing!, "X-IBM-Client-Secret": secrets.second! })).toBe("200 Billing service");
    expect(await call("/apps/both", { "X-IBM-Client-Id": ids.billing!, "X-IBM-Client-Secret": secrets.first! })).toMatch(/^401 /);
    expect(await call("/apps/both", { "X-IBM-Client-Id": ids.billing! })).toMatch(/^401 /);
    expect(await call("/apps/plain", { "X-IBM-Client-Id": ids.billing! })).toBe("200 Billing service");
  });

  it("the worker refuses the disabled application and unknown IDs", async () => {
    expect(await call("/apps/plain", { "X-IBM-Client-Id": ids.reporting! })).toMatch(/^401 /);
    expect(await call("/apps/plain", { "X-IBM-Client-Id": "0".repeat(32) })).toMatch(/^401 /);
  });

  it("stores the secret only as a salted PBKDF2-SHA256 hash (checked with node:crypto)", async () => {
    const stored = JSON.parse((await (await worker.mf.getKVNamespace("APPS")).get(ids.billing!))!) as { secret: { alg: string; iterations: number; salt: string; hash: string } };
    expect(stored.secret.alg).toBe("PBKDF2-SHA256");
    const expected = pbkdf2Sync(secrets.second!, Buffer.from(stored.secret.salt, "base64url"), stored.secret.iterations, 32, "sha256").toString("base64url");
    expect(stored.secret.hash).toBe(expected);
    expect(JSON.stringify(stored)).not.toContain(secrets.second!);
    // The script printed nothing else: no hash or salt, no wrangler output.
    for (const out of outputs) {
      expect(out).not.toContain(stored.secret.hash);
      expect(out).not.toContain(stored.secret.salt);
    }
    // The worker logged nothing about the secrets either.
    expect(worker.logs.join("\n")).not.toContain(secrets.second!);
  });
});
