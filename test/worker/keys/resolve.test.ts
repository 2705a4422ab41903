import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getSigningKey, resolveCryptoObject } from "../../../src/keys";
import { expectKeyError } from "./helpers";

const kv = (env as unknown as { CRYPTO_OBJECTS: KVNamespace }).CRYPTO_OBJECTS;

describe("resolveCryptoObject", () => {
  it("a string binding (secret or var) wins over KV", async () => {
    await kv.put("both", "from-kv");
    expect(await resolveCryptoObject("both", { both: "from-secret", CRYPTO_OBJECTS: kv })).toBe("from-secret");
  });

  it("KV is used when there is no binding of that name", async () => {
    await kv.put("only-in-kv", "0x00112233");
    expect(await resolveCryptoObject("only-in-kv", { CRYPTO_OBJECTS: kv })).toBe("0x00112233");
  });

  it("works with the worker's real env (CRYPTO_OBJECTS from wrangler.toml)", async () => {
    await kv.put("via-real-env", "value-in-kv");
    expect(await resolveCryptoObject("via-real-env", env as unknown as Record<string, unknown>)).toBe("value-in-kv");
  });

  it("KV reads ask for an edge cache of 60 s", async () => {
    const calls: unknown[][] = [];
    const fake = { get: async (...args: unknown[]) => (calls.push(args), "v") };
    expect(await resolveCryptoObject("k", { CRYPTO_OBJECTS: fake })).toBe("v");
    expect(calls).toEqual([["k", { type: "text", cacheTtl: 60 }]]);
  });

  it("missing everywhere → KeyError naming both places", async () => {
    await expectKeyError(resolveCryptoObject("nowhere", { CRYPTO_OBJECTS: kv }), /^crypto object 'nowhere' was not found in Workers secrets\/vars or KV namespace CRYPTO_OBJECTS$/);
    await expectKeyError(resolveCryptoObject("nowhere", {}), /crypto object 'nowhere' was not found/);
  });

  it("names of Object.prototype members are not found on the prototype", async () => {
    await expectKeyError(resolveCryptoObject("toString", {}), /crypto object 'toString' was not found/);
    await expectKeyError(resolveCryptoObject("__proto__", {}), /crypto object '__proto__' was not found/);
  });

  it("a KV failure → KeyError with the error's name only", async () => {
    const failing = {
      get: async () => {
        throw new TypeError("storage said: -----BEGIN PRIVATE KEY----- MIIEvQ");
      },
    };
    const message = await expectKeyError(resolveCryptoObject("k", { CRYPTO_OBJECTS: failing }), /^crypto object 'k' could not be read from KV \(TypeError\)$/);
    expect(message).not.toContain("storage said");
  });

  it("a KV failure for an invalid key name (KV refuses '..')", async () => {
    await expectKeyError(resolveCryptoObject("..", { CRYPTO_OBJECTS: kv }), /crypto object '\.\.' could not be read from KV/);
  });

  it("a JSON var (an object in wrangler [vars]) comes back as JSON text that imports as a JWK", async () => {
    const jwk = { kty: "oct", k: "c2VjcmV0LWtleS1ieXRlcy10aGlydHktdHdvLWJ5dGVzLWxvbmc", kid: "json-var" };
    const text = await resolveCryptoObject("JWK_VAR", { JWK_VAR: jwk });
    expect(JSON.parse(text)).toEqual(jwk);
    expect((await getSigningKey(text, "HS256", "crypto object 'JWK_VAR'")).kid).toBe("json-var");
  });

  it("a binding of that name that is not a secret or var (e.g. the KV namespace itself)", async () => {
    await expectKeyError(resolveCryptoObject("CRYPTO_OBJECTS", { CRYPTO_OBJECTS: kv }), /crypto object 'CRYPTO_OBJECTS' names a binding that is not a secret, var or Secrets Store secret/);
  });

  it("an empty name", async () => {
    await expectKeyError(resolveCryptoObject("", {}), /crypto object name is empty/);
  });

  it("an empty string secret is returned as is (the importer then says it is empty)", async () => {
    expect(await resolveCryptoObject("E", { E: "" })).toBe("");
  });
});
