/**
 * Origin faults that need a real socket (the workerd-side suite, test/worker/safety/faults.test.ts,
 * covers timeouts, 5xx, KV and secrets): an origin that refuses the connection, resets it, answers
 * bytes that are not HTTP, or dies in the middle of its body. Refused connections are tested here, not
 * in the workerd pool: workerd prints an "uncaught exception … Network connection lost" block with a
 * stack for every failed subrequest, even one the gateway catches; this harness collects workerd's
 * output in `worker.logs` instead of printing it. The real worker
 * (Miniflare/workerd) serves a healthy API in the same gateway before, during and after each fault;
 * every response and worker log line is checked for the run's secrets.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/run-worker";
import { OutputRecorder, SecretRegistry } from "../worker/safety/hygiene";

const SECRET = randomBytes(32);
const secrets = new SecretRegistry().addBytes("FAULT_HMAC", SECRET);
const output = new OutputRecorder();
let worker: RunningWorker;
let origin: Server;
const sockets = new Set<Socket>();

/** An origin that misbehaves on purpose, by path; `/ok` answers the bearer token's claims. */
function misbehavingOrigin(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path.startsWith("/reset")) return void req.socket.destroy();
    if (path.startsWith("/garbage")) {
      req.socket.end("this is not HTTP at all\r\n\r\n");
      return;
    }
    if (path.startsWith("/half-body")) {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "1000" });
      res.write("the first part of a body that never ends");
      setTimeout(() => req.socket.destroy(), 50);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, user: req.headers["x-user"] ?? null }));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r(server)));
}

const api = (name: string, target: string) => `swagger: "2.0"
info: {title: ${name}, x-ibm-name: ${name}, version: 1.0.0}
basePath: /${name}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: https://issuer.faults.test}
            - {set: sub.claim, value: '$(request.headers.x-user)'}
      - jwt-generate: {jws-alg: HS256, jws-crypto: FAULT_HMAC, sub-claim: sub.claim}
      - invoke: {target-url: '$(env.ORIGIN_URL)${target}', timeout: 5}
`;

/** stop-on-error without ConnectionError: an unreachable origin does not stop the flow. */
const REFUSED_GOES_ON = `swagger: "2.0"
info: {title: goes-on, x-ibm-name: goes-on, version: 1.0.0}
basePath: /goes-on
x-ibm-configuration:
  assembly:
    execute:
      - invoke: {target-url: '$(env.REFUSED_URL)/x', stop-on-error: [OperationError]}
      - set-variable: {actions: [{set: message.headers.x-after, value: 'ran $(message.status.code)'}]}
`;

/** A port that refuses connections: bind a listener, note its port, close it. */
async function refusedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

beforeAll(async () => {
  origin = await misbehavingOrigin();
  worker = await startWorker({
    apis: {
      "healthy.yaml": api("healthy", "/ok"),
      "reset.yaml": api("reset", "/reset"),
      "garbage.yaml": api("garbage", "/garbage"),
      "half.yaml": api("half", "/half-body"),
      "refused.yaml": api("refused", "/x").replace("$(env.ORIGIN_URL)", "$(env.REFUSED_URL)"),
      "goes-on.yaml": REFUSED_GOES_ON,
    },
    bindings: {
      ORIGIN_URL: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
      REFUSED_URL: `http://127.0.0.1:${await refusedPort()}`,
      FAULT_HMAC: `0x${SECRET.toString("hex")}`,
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => origin.close(() => r()));
});

let faulty = 0;
async function call(path: string, user: string): Promise<{ status: number; body: string; error?: string }> {
  if (!path.startsWith("/healthy")) faulty++;
  try {
    const res = await worker.fetch(path, { headers: { "x-user": user } });
    const body = await res.text();
    output.record(`${path} ${user}`, body);
    return { status: res.status, body };
  } catch (e) {
    return { status: 0, body: "", error: (e as Error).name };
  }
}

/** A raw HTTP/1.1 GET, so a response cut short is seen as it is on the wire. */
async function rawGet(path: string): Promise<string> {
  const u = new URL(worker.url);
  return new Promise<string>((resolve) => {
    const s = connect(Number(u.port), u.hostname, () => s.write(`GET ${path} HTTP/1.1\r\nHost: gw\r\nx-user: raw\r\nConnection: close\r\n\r\n`));
    let data = "";
    s.setTimeout(10_000, () => s.destroy());
    s.on("data", (c: Buffer) => (data += c.toString("latin1")));
    s.on("close", () => resolve(data));
    s.on("error", () => undefined);
  });
}

let served = 0;
async function healthy(user: string): Promise<void> {
  const r = await call("/healthy/x", user);
  expect(r.status, r.body).toBe(200);
  const token = /^Bearer (\S+)$/.exec((JSON.parse(r.body) as { authorization: string }).authorization)?.[1] ?? "";
  const { payload } = await jwtVerify(token, SECRET, { issuer: "https://issuer.faults.test", algorithms: ["HS256"] });
  expect(payload.sub).toBe(user);
  served++;
}

const CONNECTION_ERROR = JSON.stringify({ httpCode: "500", httpMessage: "URL Open error", moreInformation: "Could not connect to endpoint" });

describe("origin faults over real sockets, with a healthy API alongside", () => {
  for (const [name, path] of [["refuses the connection", "/refused/x"], ["resets the connection", "/reset/x"], ["answers bytes that are not HTTP", "/garbage/x"]] as const) {
    it(`origin ${name}: 500 URL Open error (ConnectionError), generic body`, async () => {
      const [fault] = await Promise.all([call(path, "f"), healthy(`during-${name}`), healthy(`during2-${name}`)]);
      expect(fault.status).toBe(500);
      expect(fault.body).toBe(CONNECTION_ERROR);
      await healthy(`after-${name}`);
    });
  }

  it("a refused connection is logged as the invoke's ConnectionError, naming the host", async () => {
    const before = worker.logs.length;
    expect((await call("/refused/x", "f")).body).toBe(CONNECTION_ERROR);
    await new Promise((r) => setTimeout(r, 100));
    const line = worker.logs.slice(before).find((l) => l.includes('"error":"ConnectionError"'));
    expect(JSON.parse(line ?? "{}")).toMatchObject({ level: "error", api: "refused", policy: "invoke", error: "ConnectionError" });
    expect(line).toContain("could not connect to 127.0.0.1");
  });

  it("stop-on-error without ConnectionError: an unreachable origin does not stop the flow", async () => {
    faulty++;
    const res = await worker.fetch("/goes-on/x");
    output.record("/goes-on/x", await res.text());
    expect(res.status).toBe(500);
    expect(res.headers.get("x-after")).toBe("ran 500");
  });

  it("origin dies in the middle of its body: its status and Content-Length pass through, then the connection closes early", async () => {
    faulty++;
    const [raw] = await Promise.all([rawGet("/half/x"), healthy("during-half")]);
    output.record("raw /half/x", raw);
    const [head = "", body = ""] = raw.split("\r\n\r\n");
    // The origin's 200 and headers were streamed before it died; the declared length tells the
    // client the body is cut short (the gateway closes the connection, it does not end it cleanly),
    // and no gateway error body is appended to the origin's bytes.
    expect(head.startsWith("HTTP/1.1 200")).toBe(true);
    expect(head).toMatch(/content-length: 1000/i);
    expect(body.startsWith("the first part")).toBe(true);
    expect(body.length).toBeLessThan(1000);
    expect(body).not.toContain("httpCode");
    await healthy("after-half");
  });

  it("20 rounds of all three faults interleaved with healthy requests: every healthy request verifies", async () => {
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await Promise.all([call("/reset/x", `r${i}`), call("/garbage/x", `g${i}`), call("/half/x", `h${i}`), healthy(`mixed-${i}`)]);
      }),
    );
    expect(served).toBeGreaterThanOrEqual(26);
  });

  it("no secret in any response or worker log line", async () => {
    await new Promise((r) => setTimeout(r, 200));
    for (const line of worker.logs) output.record("worker log", line);
    expect(worker.logs.some((l) => l.includes('"error":"ConnectionError"'))).toBe(true);
    expect(worker.logs.filter((l) => l.includes('"GatewayError"'))).toEqual([]);
    expect(output.leaks(secrets)).toEqual([]);
    console.log(`safety-faults: ${served} healthy requests verified alongside ${faulty} faulty ones; hygiene checked ${output.texts.length} texts: 0 leaks`);
  });
});
