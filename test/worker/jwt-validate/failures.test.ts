/**
 * Each failure class of jwt-validate: the client gets API Connect's 401 and never the detail; the
 * detail is in the log and in jwt-validate.error-message for a catch.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CompactEncrypt, SignJWT } from "jose";
import { keyPairFor, type TestKeyPair } from "../jwt-generate/helpers";
import { captureLogs, testEnv } from "../gateway-helpers";
import { refused, loggedDetail, UNAUTHORIZED, validator } from "./helpers";

const SECRET = "0x" + "7a".repeat(32);
const secretBytes = new Uint8Array(32).fill(0x7a);
const now = () => Math.floor(Date.now() / 1000);
const claims = { iss: "https://issuer.test", sub: "alice", aud: "orders" };

let rsa: TestKeyPair;
let rsaPrivate: CryptoKey;
beforeAll(async () => {
  rsa = await keyPairFor("RS256");
  rsaPrivate = await crypto.subtle.importKey("jwk", rsa.privateJwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
});

const hs = (payload: Record<string, unknown> = claims, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: "HS256", ...header }).setIssuedAt().setExpirationTime("5m").sign(secretBytes);
const b64u = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const policy = `jws-crypto: HMAC_KEY
iss-claim: ^https://issuer\\.test$
aud-claim: ^orders$`;
const gw = () => validator(policy, { bindings: { HMAC_KEY: SECRET, RSA_PUBLIC: rsa.publicPem } });

describe("jwt-validate accepts", () => {
  it("a valid HS256 token and puts the full claims set in decoded.claims", async () => {
    const token = await new SignJWT({ ...claims, scope: ["read"], n: 1 }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m").sign(secretBytes);
    const res = await gw().send(token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ...claims, scope: ["read"], n: 1 });
    expect(typeof body.exp).toBe("number");
  });

  it("a token expired less than the clock tolerance (30 s) ago", async () => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now() - 10).sign(secretBytes);
    expect((await gw().send(token)).status).toBe(200);
  });

  it("a JWK Set held in the CRYPTO_OBJECTS KV namespace", async () => {
    const set = { keys: [{ ...rsa.publicJwk, kid: "kv-rsa", use: "sig" }] };
    await testEnv.CRYPTO_OBJECTS.put("jwt-validate-kv-set", JSON.stringify(set));
    const v = validator(`jws-crypto: jwt-validate-kv-set`);
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "kv-rsa" }).sign(rsaPrivate);
    const res = await v.send(token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, unknown>).sub).toBe("alice");
  });

  it("decoded.claims.sub in a later template", async () => {
    const v = validator(`jws-crypto: HMAC_KEY`, { bindings: { HMAC_KEY: SECRET }, output: "decoded.claims.sub" });
    const res = await v.send(await hs());
    expect(await res.text()).toBe("alice");
  });
});

describe("jwt-validate refuses, with 401 and no detail in the body", () => {
  const cases: Array<[string, () => Promise<Record<string, string>>, RegExp]> = [
    ["a missing token", async () => ({}), /Authorization header is missing/],
    ["a header without Bearer", async () => ({ authorization: `Basic ${await hs()}` }), /not 'Bearer <token>'/],
    ["a malformed token", async () => ({ authorization: "Bearer abc.def" }), /malformed: 2 dot-separated parts/],
    ["a token whose header is not JSON", async () => ({ authorization: "Bearer !!!.e30.sig" }), /malformed/],
    ["a bad signature", async () => {
      const t = await hs();
      return { authorization: `Bearer ${t.slice(0, -4)}${t.endsWith("AAAA") ? "BBBB" : "AAAA"}` };
    }, /signature does not verify/],
    ["an edited payload", async () => {
      const [h, , s] = (await hs()).split(".");
      return { authorization: `Bearer ${h}.${b64u(JSON.stringify({ ...claims, sub: "mallory", exp: now() + 300 }))}.${s}` };
    }, /signature does not verify/],
    ["a wrong issuer", async () => ({ authorization: `Bearer ${await hs({ ...claims, iss: "https://evil.test" })}` }), /'iss' claim does not match iss-claim/],
    ["a missing issuer", async () => ({ authorization: `Bearer ${await hs({ sub: "alice", aud: "orders" })}` }), /no 'iss' claim/],
    ["a wrong audience", async () => ({ authorization: `Bearer ${await hs({ ...claims, aud: ["billing", "orders-x"] })}` }), /'aud' claim does not match aud-claim/],
    ["an expired token", async () => ({
      authorization: `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now() - 120).sign(secretBytes)}`,
    }), /expired/],
    ["a token not yet valid", async () => ({
      authorization: `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setNotBefore(now() + 600).sign(secretBytes)}`,
    }), /"nbf" claim timestamp check failed/],
    ["alg none", async () => ({ authorization: `Bearer ${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(claims))}.` }), /"alg" \(Algorithm\) Header Parameter value not allowed/],
    ["an RS256 token for an HS key", async () => ({
      authorization: `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).sign(rsaPrivate)}`,
    }), /alg 'RS256' does not fit crypto object 'HMAC_KEY' \(a shared secret\)/],
    ["a token carrying its own jwk", async () => ({ authorization: `Bearer ${await hs(claims, { jwk: { kty: "oct", k: "AAAA" } })}` }), /carries its own key/],
    ["a JWE when no decryption key is configured", async () => ({ authorization: "Bearer a.b.c.d.e" }), /no decryption key is configured/],
  ];
  for (const [name, headers, detail] of cases) {
    it(name, async () => {
      const h = await headers();
      const r = await refused(() => gw().fetch("/v/x", { headers: h }));
      expect(r.status).toBe(401);
      expect(r.body).toEqual(UNAUTHORIZED);
      expect(loggedDetail(r.logs)).toMatch(detail);
      const log = JSON.parse(r.logs[0]!) as Record<string, unknown>;
      expect(log).toMatchObject({ policy: "jwt-validate", error: "RuntimeError", caught: false });
      // Neither the token nor the secret reaches the log.
      const token = (h.authorization ?? "").replace(/^\S+\s+/, "");
      if (token.length > 20) expect(r.logs.join("\n")).not.toContain(token);
      expect(r.logs.join("\n")).not.toContain("7a7a7a7a");
    });
  }

  it("HS256 signed with the RSA public key as the secret (alg confusion, RFC 8725 §3.1)", async () => {
    const v = validator(`jws-crypto: RSA_PUBLIC`, { bindings: { RSA_PUBLIC: rsa.publicPem } });
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(rsa.publicPem));
    const r = await refused(() => v.send(forged));
    expect(r.status).toBe(401);
    expect(loggedDetail(r.logs)).toMatch(/alg 'HS256' does not fit crypto object 'RSA_PUBLIC' \(an RSA key\)/);
  });

  it("an unknown kid in a JWK Set", async () => {
    const set = { keys: [{ kty: "oct", kid: "k1", k: btoa(String.fromCharCode(...secretBytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") }] };
    const v = validator(`jws-crypto: SET`, { bindings: { SET: JSON.stringify(set) } });
    expect((await v.send(await hs(claims, { kid: "k1" }))).status).toBe(200);
    const stranger = await hs(claims, { kid: "k2" });
    const r = await refused(() => v.send(stranger));
    expect(r.status).toBe(401);
    expect(loggedDetail(r.logs)).toMatch(/unknown kid 'k2'/);
  });

  it("an RSA1_5 JWE, with a clear reason", async () => {
    const header = b64u(JSON.stringify({ alg: "RSA1_5", enc: "A128CBC-HS256" }));
    const v = validator(`jwe-crypto: RSA_PRIVATE\njws-crypto: RSA_PUBLIC`, { bindings: { RSA_PRIVATE: rsa.privatePem, RSA_PUBLIC: rsa.publicPem } });
    const r = await refused(() => v.send(`${header}.AAAA.AAAA.AAAA.AAAA`));
    expect(r.status).toBe(401);
    expect(loggedDetail(r.logs)).toMatch(/RSA1_5 is not accepted/);
  });

  it("a signed-only token when a decryption key is configured (encryption required)", async () => {
    const v = validator(`jwe-crypto: DIR\njws-crypto: HMAC_KEY`, { bindings: { DIR: "0x" + "11".repeat(32), HMAC_KEY: SECRET } });
    const token = await hs();
    const r = await refused(() => v.send(token));
    expect(r.status).toBe(401);
    expect(loggedDetail(r.logs)).toMatch(/a JWE is required/);
  });

  it("a nested token when only a decryption key is configured (its signature could not be checked)", async () => {
    const cek = new Uint8Array(32).fill(0x11);
    const inner = await hs();
    const jwe = await new CompactEncrypt(new TextEncoder().encode(inner)).setProtectedHeader({ alg: "dir", enc: "A128CBC-HS256", cty: "JWT" }).encrypt(cek);
    const v = validator(`jwe-crypto: DIR`, { bindings: { DIR: "0x" + "11".repeat(32) } });
    const r = await refused(() => v.send(jwe));
    expect(r.status).toBe(401);
    expect(loggedDetail(r.logs)).toMatch(/the token is nested .* but no verification key is configured/);
  });

  it("an encrypted but unsigned token when a verification key is configured", async () => {
    const cek = new Uint8Array(32).fill(0x11);
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: "dir", enc: "A128CBC-HS256" }).encrypt(cek);
    const v = validator(`jwe-crypto: DIR\njws-crypto: HMAC_KEY`, { bindings: { DIR: "0x" + "11".repeat(32), HMAC_KEY: SECRET } });
    const r = await refused(() => v.send(jwe));
    expect(r.status).toBe(401);
    expect(loggedDetail(r.logs)).toMatch(/not a signed JWT/);
  });
});

describe("jwt-validate with a header it has already accepted", () => {
  it("every check still applies to the next tokens with the same header", async () => {
    const v = gw();
    const good = await hs();
    expect((await v.send(good)).status).toBe(200);
    const [h, p, s] = good.split(".");
    const tampered: Array<[string, RegExp]> = [
      [`${h}.${p}.${s!.slice(0, -4)}${s!.endsWith("AAAA") ? "BBBB" : "AAAA"}`, /signature does not verify/],
      [`${h}.${b64u(JSON.stringify({ ...claims, sub: "mallory", exp: now() + 300 }))}.${s}`, /signature does not verify/],
      [await hs({ ...claims, iss: "https://evil.test" }), /'iss' claim does not match iss-claim/],
      [await hs({ ...claims, aud: "billing" }), /'aud' claim does not match aud-claim/],
      [await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now() - 120).sign(secretBytes), /expired/],
      [await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m").sign(new Uint8Array(32).fill(0x11)), /signature does not verify/],
    ];
    for (const [token, detail] of tampered) {
      expect(token.split(".")[0]).toBe(h);
      const r = await refused(() => v.send(token));
      expect(r.status).toBe(401);
      expect(loggedDetail(r.logs)).toMatch(detail);
    }
    expect(await (await v.send(good)).json()).toMatchObject({ sub: "alice" });
  });
});

describe("jwt-validate key rotation", () => {
  it("a rotated secret is used from the next request on (the compiled policy keeps no stale key)", async () => {
    const v = validator(`jws-crypto: HMAC_KEY`);
    const other = new Uint8Array(32).fill(0x5c);
    const call = (secret: string, token: string) =>
      v.app.fetch(new Request("https://gateway.test/v/x", { headers: { authorization: `Bearer ${token}` } }), { ...testEnv, HMAC_KEY: secret });
    const oldToken = await hs();
    const newToken = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(other);
    expect((await call(SECRET, oldToken)).status).toBe(200);
    expect((await call(SECRET, oldToken)).status).toBe(200);
    const rotated = "0x" + "5c".repeat(32);
    const { result } = await captureLogs(async () => (await call(rotated, oldToken)).status);
    expect(result).toBe(401);
    expect((await call(rotated, newToken)).status).toBe(200);
  });
});

describe("jwt-validate errors for a catch, and key problems", () => {
  it("a catch reads jwt-validate.error-message and answers with its own status", async () => {
    const v = validator(`jws-crypto: HMAC_KEY`, {
      bindings: { HMAC_KEY: SECRET },
      catchYaml: `  - errors: [RuntimeError]
    execute:
      - set-variable:
          actions:
            - {set: message.status.code, value: 403}
            - {set: message.body, value: "caught: $(jwt-validate.error-message) / $(error.name)"}`,
    });
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now() - 600).sign(secretBytes);
    const { result } = await captureLogs(async () => {
      const res = await v.send(expired);
      return { status: res.status, text: await res.text() };
    });
    expect(result).toEqual({ status: 403, text: "caught: the token has expired (exp) / RuntimeError" });
  });

  it("a crypto object that does not exist is a 500 (the gateway's fault), still without detail", async () => {
    const v = validator(`jws-crypto: NOWHERE`);
    const token = await hs();
    const r = await refused(() => v.send(token));
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Invalid-JWT-Validate" });
    expect(loggedDetail(r.logs)).toMatch(/crypto object 'NOWHERE' was not found/);
  });

  it("a shared secret shorter than RFC 7518 §3.2 allows is refused", async () => {
    const v = validator(`jws-crypto: SHORT`, { bindings: { SHORT: "0x" + "7a".repeat(16) } });
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new Uint8Array(16).fill(0x7a));
    const r = await refused(() => v.send(token));
    expect(r.status).toBe(500);
    expect(loggedDetail(r.logs)).toMatch(/16-byte shared secret; HS256 needs at least 32 bytes/);
  });
});
