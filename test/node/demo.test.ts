import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The README's Quick start, for real: `npm start -- --port P --ip 127.0.0.1`, then its curls. */
let demo: ChildProcess;
let base = "";
let output = "";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Holds 127.0.0.1:8790 while the demo starts, so the echo origin must fall back to a free port (issue: it crashed). */
let blocker: import("node:net").Server | undefined;
let keysDir = "";
let heldDefaultPort = false;

beforeAll(async () => {
  blocker = createServer();
  heldDefaultPort = await new Promise<boolean>((r) => {
    blocker!.once("error", () => r(false));
    blocker!.listen(8790, "127.0.0.1", () => r(true));
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The demo's keys go to a temporary folder, not the project's .dev.vars (which every workerd test would announce).
  keysDir = await mkdtemp(join(tmpdir(), "demo-keys-"));
  demo = spawn("npm", ["start", "--", "--port", String(port), "--ip", "127.0.0.1"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EDGE_JWT_DEMO_KEYS_DIR: keysDir },
  });
  demo.stdout!.on("data", (d) => (output += d));
  demo.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/echo/ready`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`demo did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 120_000);

afterAll(() => {
  if (demo.pid) process.kill(-demo.pid, "SIGTERM");
  blocker?.close();
  if (keysDir) void rm(keysDir, { recursive: true, force: true });
});

describe("npm start (the demo)", () => {
  it("mints an RS256 token that the origin receives and verifies", async () => {
    const res = await fetch(`${base}/demo/orders/42?expand=lines`, { method: "POST", headers: { "x-user": "alice" }, body: '{"hello":"edge"}' });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { method: string; path: string; body: string; headers: Record<string, string>; bearer: { verified: boolean; header: Record<string, unknown>; claims: Record<string, unknown> } };
    expect(echo.method).toBe("POST");
    expect(echo.path).toBe("/orders/42?expand=lines");
    expect(echo.body).toBe('{"hello":"edge"}');
    expect(echo.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(echo.bearer.verified).toBe(true);
    expect(echo.bearer.header.alg).toBe("RS256");
    expect(echo.bearer.claims).toMatchObject({ iss: "https://gateway.example/demo", sub: "alice", aud: "orders-service" });
  });

  it("mints a nested token that the origin decrypts and verifies", async () => {
    const echo = (await (await fetch(`${base}/demo-nested/x`, { headers: { "x-user": "bob" } })).json()) as { bearer: Record<string, unknown> };
    expect(echo.bearer).toMatchObject({ decrypted: true, verified: true, jweHeader: { alg: "RSA-OAEP-256", enc: "A256GCM", cty: "JWT" }, claims: { sub: "bob", scope: "orders:read" } });
  });

  it("starts with port 8790 taken: the echo origin takes a free port and the worker is told", () => {
    // Either this test held 8790, or something else did: both ways the demo is up (beforeAll) and forwarded (above).
    if (heldDefaultPort) expect(output).toContain("start-demo: port 8790 is taken; the echo origin takes a free port instead");
    expect(output).toMatch(/start-demo: echo origin on http:\/\/127\.0\.0\.1:\d+/);
  });

  it("answers an unknown path with API Connect's 404", async () => {
    const res = await fetch(`${base}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ httpCode: "404", httpMessage: "Not Found", moreInformation: "No resources match requested URI" });
  });
});
