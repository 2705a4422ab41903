import { describe, expect, it } from "vitest";
import { captureLogs } from "../gateway-helpers";
import { keyPairFor, minter, toPem } from "./helpers";

async function rsa1024Pem(): Promise<string> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
}

/** Mints with a catch that returns the error variable, and again without a catch; returns both. */
async function failure(policy: string, bindings: Record<string, unknown>, setup?: string) {
  const caught = await captureLogs(async () => {
    const res = await minter(policy, { bindings, setup, catchYaml: "  - errors: [RuntimeError]\n    execute:\n      - set-variable: {actions: [{set: message.body, value: '$(jwt-generate.error-message)'}]}" }).fetch("/mint");
    return { status: res.status, body: await res.text() };
  });
  const uncaught = await captureLogs(async () => {
    const res = await minter(policy, { bindings, setup }).fetch("/mint");
    return { status: res.status, statusText: res.statusText, body: await res.text() };
  });
  return { caught: caught.result, uncaught: uncaught.result, log: uncaught.lines };
}

function expectFailure(f: Awaited<ReturnType<typeof failure>>, detail: string | RegExp, secrets: string[] = []) {
  // The catch reads the detail from jwt-generate.error-message.
  expect(f.caught.body).toMatch(detail);
  // Uncaught: 500 Invalid-JWT-Generate with the generic body only.
  expect(f.uncaught.status).toBe(500);
  expect(f.uncaught.statusText).toBe("Invalid-JWT-Generate");
  expect(JSON.parse(f.uncaught.body)).toEqual({ httpCode: "500", httpMessage: "Invalid-JWT-Generate", moreInformation: "Invalid-JWT-Generate" });
  // One structured log line with the API, the policy, the error name and the detail.
  const line = JSON.parse(f.log.find((l) => l.includes('"RuntimeError"'))!);
  expect(line).toMatchObject({ level: "error", api: "test-api", policy: "jwt-generate", error: "RuntimeError", caught: false });
  expect(line.message).toMatch(detail);
  for (const secret of secrets) {
    const body64 = secret.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "").slice(20, 60);
    for (const text of [f.uncaught.body, f.caught.body, ...f.log]) {
      expect(text).not.toContain(body64);
    }
  }
}

describe("jwt-generate failures", () => {
  it("HS256 with an RSA key", async () => {
    const keys = await keyPairFor("RS256");
    expectFailure(await failure("jws-alg: HS256\njws-crypto: K", { K: keys.privatePem }), /crypto object 'K'.*RSA.*HS256|HS256.*RSA/, [keys.privatePem]);
  });

  it("ES256 with a P-384 key", async () => {
    const keys = await keyPairFor("ES384");
    expectFailure(await failure("jws-alg: ES256\njws-crypto: K", { K: keys.privatePem }), /P-384.*ES256|ES256.*P-256/, [keys.privatePem]);
  });

  it("an RSA key under 2048 bits", async () => {
    const pem = await rsa1024Pem();
    expectFailure(await failure("jws-alg: RS256\njws-crypto: K", { K: pem }), /1024/, [pem]);
  });

  it("a public key where a private one is needed", async () => {
    const keys = await keyPairFor("RS256");
    expectFailure(await failure("jws-alg: RS256\njws-crypto: K", { K: keys.publicPem }), /public key/);
  });

  it("a crypto object that exists nowhere", async () => {
    expectFailure(await failure("jws-alg: HS256\njws-crypto: NO_SUCH_KEY", {}), /crypto object 'NO_SUCH_KEY' was not found/);
  });

  it("a jws-jwk variable that is not set", async () => {
    expectFailure(await failure("jws-alg: HS256\njws-jwk: my.jwk", {}), /jws-jwk variable 'my.jwk' is empty or not set/);
  });

  it("a jws-jwk variable that does not hold a JWK", async () => {
    expectFailure(await failure("jws-alg: HS256\njws-jwk: my.jwk", {}, "- {set: my.jwk, value: 'not json at all'}"), /jws-jwk variable 'my.jwk' does not hold a JWK/);
  });

  it("a secret that is garbage", async () => {
    expectFailure(await failure("jws-alg: RS256\njws-crypto: K", { K: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }), /crypto object 'K'/);
  });
});
