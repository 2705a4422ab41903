/**
 * The remote-JWKS extension (x-edge.jwks-url) through the real worker: keys fetched from a JWKS
 * endpoint (a local server here), a new kid picked up after rotation, a hanging endpoint cut by the
 * timeout and an unreachable one: each a defined 500, never a hang, never a detail in the body.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from "node:crypto";
import type { AddressInfo } from "node:net";
import { startWorker, type RunningWorker } from "../support/run-worker";

const b64u = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const key1 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const key2 = generateKeyPairSync("ec", { namedCurve: "P-256" });

/** ES256 by node:crypto, signature in JOSE's r||s form. */
function es256(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const input = `${b64u(JSON.stringify({ alg: "ES256", kid }))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${b64u(nodeSign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }))}`;
}

let published: Array<{ key: KeyObject; kid: string }> = [{ key: key1.publicKey, kid: "k1" }];
let fetches = 0;
let server: Server;
let closedPort: number;
let worker: RunningWorker;

function api(name: string, edge: string): string {
  return `swagger: "2.0"
info: {title: ${name}, x-ibm-name: ${name}, version: 1.0.0}
basePath: /${name}
x-ibm-configuration:
  assembly:
    execute:
      - jwt-validate:
          iss-claim: ^https://idp\\.example$
          x-edge: ${edge}
      - set-variable:
          actions:
            - {set: message.body, value: $(decoded.claims.sub)}
`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/hang") return; // never answers
    fetches++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: published.map(({ key, kid }) => ({ ...(key.export({ format: "jwk" }) as object), kid, use: "sig" })) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  worker = await startWorker({
    apis: {
      "idp.yaml": api("idp", `{jwks-url: "http://127.0.0.1:${port}/jwks", jwks-cooldown: 1}`),
      "hang.yaml": api("hang", `{jwks-url: "http://127.0.0.1:${port}/hang", jwks-timeout: 0.5}`),
      "down.yaml": api("down", `{jwks-url: "http://127.0.0.1:${closedPort}/jwks"}`),
    },
  });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => server?.close(() => r()));
});

const claims = (sub: string) => ({ iss: "https://idp.example", sub, exp: now() + 300 });
const call = async (path: string, token: string) => {
  const res = await worker.fetch(path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
};

describe("x-edge.jwks-url", () => {
  it("verifies with a key from the JWKS, fetched once and then cached", async () => {
    expect(await call("/idp/x", es256(key1.privateKey, "k1", claims("alice")))).toEqual({ status: 200, text: "alice" });
    expect(await call("/idp/x", es256(key1.privateKey, "k1", claims("bob")))).toEqual({ status: 200, text: "bob" });
    expect(fetches).toBe(1);
  });

  it("an unknown kid is refused; after rotation the new kid is fetched and accepted", async () => {
    const rotated = es256(key2.privateKey, "k2", claims("carol"));
    const before = await call("/idp/x", rotated);
    expect(before.status).toBe(401);
    published = [{ key: key1.publicKey, kid: "k1" }, { key: key2.publicKey, kid: "k2" }];
    await new Promise((r) => setTimeout(r, 1100)); // the cooldown (1 s) between fetches
    expect(await call("/idp/x", rotated)).toEqual({ status: 200, text: "carol" });
    // A token signed by another key under a known kid still fails.
    expect((await call("/idp/x", es256(key2.privateKey, "k1", claims("mallory")))).status).toBe(401);
  });

  it("a JWKS that does not answer fails after the timeout with a defined 500", async () => {
    const started = Date.now();
    const r = await call("/hang/x", es256(key1.privateKey, "k1", claims("dave")));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toEqual({ status: 500, text: JSON.stringify({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Invalid-JWT-Validate" }) });
    expect(worker.logs.join("\n")).toMatch(/the remote JWKS did not answer in time/);
  });

  it("an unreachable JWKS is a defined 500", async () => {
    const r = await call("/down/x", es256(key1.privateKey, "k1", claims("erin")));
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Invalid-JWT-Validate" });
    expect(worker.logs.join("\n")).toMatch(/the remote JWKS could not be fetched/);
  });
});
