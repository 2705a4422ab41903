/**
 * The JWKS endpoint (src/http/jwks.ts): exactly the public keys in use, with the tokens' kids,
 * nothing private or symmetric (member by member), verifiable by jose picking the key by kid,
 * ETag round trip, JWKS_PATH, and a broken crypto object left out and logged.
 */
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearKeySourceMemo } from "../../../src/keys";
import { api, captureLogs, gatewayFor } from "../gateway-helpers";
import { keyPairFor, type TestKeyPair } from "../jwt-generate/helpers";

const mintApi = (base: string, policy: Record<string, string>) =>
  api(base, `execute:
  - set-variable:
      actions:
        - {set: iss.claim, value: https://issuer.test}
        - {set: k.jwk, value: '$(env.VAR_JWK)'}
  - jwt-generate:
      jwt: out.token
${Object.entries(policy).map(([k, v]) => `      ${k}: ${v}`).join("\n")}
  - set-variable:
      actions:
        - {set: message.body, value: $(out.token)}`);

/** Public members allowed per kty; anything else (d, p, q, dp, dq, qi, k, oth…) must never appear. */
const ALLOWED: Record<string, string[]> = {
  RSA: ["kty", "kid", "use", "alg", "n", "e"],
  EC: ["kty", "kid", "use", "alg", "crv", "x", "y"],
  OKP: ["kty", "kid", "use", "alg", "crv", "x"],
};

let rs: TestKeyPair, ps: TestKeyPair, es256: TestKeyPair, es384: TestKeyPair, es512: TestKeyPair;
let ed: { privateJwk: JsonWebKey; publicJwk: JsonWebKey };
let setA: TestKeyPair, setB: TestKeyPair;
const HMAC_SECRET = "0x" + "5a".repeat(32);

beforeAll(async () => {
  [rs, ps, es256, es384, es512, setA, setB] = await Promise.all([
    keyPairFor("RS256"), keyPairFor("PS384"), keyPairFor("ES256"), keyPairFor("ES384"), keyPairFor("ES512"),
    // Two more P-256 keys for the set (keyPairFor caches per curve, so generate fresh ones).
    fresh("P-256"), fresh("P-256"),
  ]);
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  ed = { privateJwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey, publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey };
});
beforeEach(() => clearKeySourceMemo());

async function fresh(namedCurve: string): Promise<TestKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve }, true, ["sign", "verify"])) as CryptoKeyPair;
  return {
    privatePem: "", publicPem: "", publicKey: pair.publicKey,
    privateJwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
    publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
  };
}

const bare = (jwk: JsonWebKey, extra: Record<string, unknown> = {}) => {
  const { key_ops: _k, ext: _e, alg: _a, ...rest } = jwk as unknown as Record<string, unknown>;
  return { ...rest, ...extra };
};

function gateway(bindings: Record<string, unknown> = {}) {
  const kvValues: Record<string, string> = { "rotation-set": JSON.stringify({ keys: [bare(setA.privateJwk, { kid: "key-2026-a" }), bare(setB.publicJwk, { kid: "key-2026-b" })] }) };
  const kv = { get: async (name: string) => kvValues[name] ?? null, put: async () => undefined, list: async () => ({ keys: [] }) };
  const files = {
    "rs.yaml": mintApi("/rs", { "jws-alg": "RS256", "jws-crypto": "RS_PEM" }),
    "ps.yaml": mintApi("/ps", { "jws-alg": "PS384", "jws-crypto": "PS_JWK" }),
    "es256.yaml": mintApi("/es256", { "jws-alg": "ES256", "jws-crypto": "ES256_PEM" }),
    "es384.yaml": mintApi("/es384", { "jws-alg": "ES384", "jws-crypto": "ES384_PEM" }),
    "es512.yaml": mintApi("/es512", { "jws-alg": "ES512", "jws-crypto": "ES512_PEM" }),
    "ed.yaml": mintApi("/ed", { "jws-alg": "EdDSA", "jws-crypto": "ED_JWK" }),
    "set.yaml": mintApi("/set", { "jws-alg": "ES256", "jws-crypto": "rotation-set" }),
    "hs.yaml": mintApi("/hs", { "jws-alg": "HS256", "jws-crypto": "HMAC_SECRET" }),
    // A JWK from a variable is the caller's key, not a crypto object: never published.
    "var.yaml": mintApi("/var", { "jws-alg": "ES256", "jws-jwk": "k.jwk" }),
  };
  const gw = gatewayFor(files, {
    RS_PEM: rs.privatePem,
    PS_JWK: JSON.stringify(bare(ps.privateJwk)),
    ES256_PEM: es256.privatePem,
    ES384_PEM: es384.privatePem,
    ES512_PEM: es512.privatePem,
    ED_JWK: JSON.stringify(bare(ed.privateJwk, { kid: "ed-1" })),
    HMAC_SECRET,
    VAR_JWK: JSON.stringify(bare(es384.privateJwk)),
    CRYPTO_OBJECTS: kv,
    ...bindings,
  });
  return { gw, kvValues };
}

async function jwks(gw: ReturnType<typeof gatewayFor>, path = "/.well-known/jwks.json", init?: RequestInit) {
  const res = await gw.fetch(path, init);
  return { res, body: res.status === 200 ? ((await res.json()) as JSONWebKeySet) : undefined };
}

describe("JWKS endpoint", () => {
  it("lists exactly the public keys in use (RSA, EC on each curve, Ed25519, every key of a set), with the tokens' kids", async () => {
    const { gw } = gateway();
    const { res, body } = await jwks(gw);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/jwk-set+json");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const thumb = (jwk: JsonWebKey) => calculateJwkThumbprint(bare(jwk) as never);
    const expected = new Map([
      [await thumb(rs.publicJwk), { kty: "RSA", alg: "RS256" }],
      [await thumb(ps.publicJwk), { kty: "RSA", alg: "PS384" }],
      [await thumb(es256.publicJwk), { kty: "EC", crv: "P-256", alg: "ES256" }],
      [await thumb(es384.publicJwk), { kty: "EC", crv: "P-384", alg: "ES384" }],
      [await thumb(es512.publicJwk), { kty: "EC", crv: "P-521", alg: "ES512" }],
      ["ed-1", { kty: "OKP", crv: "Ed25519", alg: "EdDSA" }],
      ["key-2026-a", { kty: "EC", crv: "P-256", alg: "ES256" }],
      ["key-2026-b", { kty: "EC", crv: "P-256", alg: "ES256" }],
    ]);
    expect(body!.keys.map((k) => k.kid).sort()).toEqual([...expected.keys()].sort());
    for (const key of body!.keys) {
      expect(key).toMatchObject({ ...expected.get(key.kid!), use: "sig" });
      // Member by member: only public members, each a base64url string where one is expected.
      for (const member of Object.keys(key)) expect(ALLOWED[String(key.kty)]).toContain(member);
      for (const member of ["d", "p", "q", "dp", "dq", "qi", "k", "oth"]) expect(key).not.toHaveProperty(member);
    }
    // No private or secret value appears anywhere in the body.
    const text = JSON.stringify(body);
    for (const secret of [rs.privateJwk.d, ps.privateJwk.d, rs.privateJwk.p, es256.privateJwk.d, es384.privateJwk.d, es512.privateJwk.d, ed.privateJwk.d, setA.privateJwk.d]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain("5a5a5a5a");
    expect(text).not.toContain("WlpaWlpa"); // the secret's bytes in base64url
    expect(text).not.toContain('"oct"');
  });

  it("every token verifies with the key jose picks from the served JWKS by kid", async () => {
    const { gw } = gateway();
    const { body } = await jwks(gw);
    const keySet = createLocalJWKSet(body!);
    for (const base of ["/rs", "/ps", "/es256", "/es384", "/es512", "/ed", "/set"]) {
      const res = await gw.fetch(base);
      expect(res.status, base).toBe(200);
      const token = await res.text();
      const { kid } = decodeProtectedHeader(token);
      expect(body!.keys.some((k) => k.kid === kid), `${base} kid ${kid}`).toBe(true);
      const { payload } = await jwtVerify(token, keySet);
      expect(payload.iss).toBe("https://issuer.test");
    }
    // The set signs with its first key.
    expect(decodeProtectedHeader(await (await gw.fetch("/set")).text()).kid).toBe("key-2026-a");
  });

  it("ETag round trip: If-None-Match → 304; a changed key set → a new ETag and body", async () => {
    const { gw, kvValues } = gateway({ KEY_CACHE_TTL: "0" });
    const first = await jwks(gw);
    const etag = first.res.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await gw.fetch("/.well-known/jwks.json", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect((await gw.fetch("/.well-known/jwks.json", { headers: { "if-none-match": `"other", W/${etag}` } })).status).toBe(304);
    expect((await gw.fetch("/.well-known/jwks.json", { headers: { "if-none-match": '"other"' } })).status).toBe(200);

    kvValues["rotation-set"] = JSON.stringify({ keys: [bare(setB.privateJwk, { kid: "key-2026-b" })] });
    const rotated = await gw.fetch("/.well-known/jwks.json", { headers: { "if-none-match": etag } });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("etag")).not.toBe(etag);
    const kids = ((await rotated.json()) as JSONWebKeySet).keys.map((k) => k.kid);
    expect(kids).toContain("key-2026-b");
    expect(kids).not.toContain("key-2026-a");
  });

  it("HEAD answers headers only; other methods 405", async () => {
    const { gw } = gateway();
    const head = await gw.fetch("/.well-known/jwks.json", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBeTruthy();
    const post = await gw.fetch("/.well-known/jwks.json", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("JWKS_PATH moves it; an empty JWKS_PATH turns it off; JWKS_MAX_AGE sets max-age", async () => {
    const moved = gateway({ JWKS_PATH: "/keys", JWKS_MAX_AGE: "60" }).gw;
    expect((await moved.fetch("/.well-known/jwks.json")).status).toBe(404);
    const res = await moved.fetch("/keys");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    const off = gateway({ JWKS_PATH: "" }).gw;
    expect((await off.fetch("/.well-known/jwks.json")).status).toBe(404);
  });

  it("a missing or broken crypto object is left out and logged; the endpoint still answers", async () => {
    const { gw } = gateway({ ES384_PEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", ES512_PEM: undefined });
    const { result, lines } = await captureLogs(() => jwks(gw));
    expect(result.res.status).toBe(200);
    const kids = result.body!.keys.map((k) => k.kid);
    expect(kids).toHaveLength(6);
    expect(lines).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/JWKS: crypto object 'ES384_PEM' is a PEM 'PRIVATE KEY' whose contents are not a valid key/);
    expect(lines.join("\n")).toMatch(/JWKS: crypto object 'ES512_PEM' was not found/);
    // Logged once per change, not on every request.
    expect((await captureLogs(() => jwks(gw))).lines).toEqual([]);
  });
});
