/**
 * Password-protected PKCS#8 (src/keys/encrypted-pkcs8.ts) against keys the openssl CLI encrypted
 * (fixtures/encrypted-pkcs8.ts, made by test/support/make-encrypted-pkcs8.ts): each mints a token
 * that verifies with openssl's own public key (through jose); a wrong or missing password is a clear
 * error that never contains the password; the JWKS publishes the decrypted key's public part.
 */
import { decodeProtectedHeader, importSPKI, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { clearKeyCache, clearKeySourceMemo, keyCacheStats } from "../../../src/keys";
import { captureLogs } from "../gateway-helpers";
import { minter } from "../jwt-generate/helpers";
import { ENCRYPTED_PKCS8 } from "./fixtures/encrypted-pkcs8";

beforeEach(() => {
  clearKeyCache();
  clearKeySourceMemo();
});

describe("encrypted PKCS#8 (PBES2) crypto objects", () => {
  for (const fixture of ENCRYPTED_PKCS8) {
    it(`${fixture.name}: mints a token that verifies with openssl's public key; the JWKS lists it`, async () => {
      const gw = minter(`jws-alg: ${fixture.alg}\njws-crypto: SIGNING_KEY`, { bindings: { SIGNING_KEY: fixture.encrypted, SIGNING_KEY_PASSWORD: fixture.password } });
      const res = await gw.fetch("/mint");
      expect(res.status).toBe(200);
      const token = await res.text();
      const { payload } = await jwtVerify(token, await importSPKI(fixture.publicPem, fixture.alg));
      expect(payload.iss).toBe("https://issuer.test");
      const jwks = (await (await gw.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
      expect(jwks.keys.map((k) => k.kid)).toEqual([decodeProtectedHeader(token).kid]);
      expect(JSON.stringify(jwks)).not.toContain('"d"');
    });
  }

  it("a wrong password is a clear error without the password; so is a missing one", async () => {
    const fixture = ENCRYPTED_PKCS8[0];
    const wrong = "not-the-password-Zq81";
    const gw = minter(`jws-alg: ${fixture.alg}\njws-crypto: SIGNING_KEY`, { bindings: { SIGNING_KEY: fixture.encrypted, SIGNING_KEY_PASSWORD: wrong } });
    const { result, lines } = await captureLogs(() => gw.fetch("/mint"));
    expect(result.status).toBe(500);
    const body = await result.text();
    expect(lines.join("\n")).toContain("crypto object 'SIGNING_KEY' could not be decrypted: the password (its _PASSWORD secret) is wrong, or the key is corrupt");
    expect(lines.join("\n") + body).not.toContain(wrong);
    expect(lines.join("\n") + body).not.toContain(fixture.password);

    const missing = minter(`jws-alg: ${fixture.alg}\njws-crypto: SIGNING_KEY`, { bindings: { SIGNING_KEY: fixture.encrypted } });
    const second = await captureLogs(() => missing.fetch("/mint"));
    expect(second.result.status).toBe(500);
    expect(second.lines.join("\n")).toContain("crypto object 'SIGNING_KEY' is an encrypted private key and its password is missing (a secret named SIGNING_KEY_PASSWORD)");
  });

  it("the key is decrypted once (on the import cache's miss): 20 requests, one import", async () => {
    const fixture = ENCRYPTED_PKCS8[1];
    const gw = minter(`jws-alg: ${fixture.alg}\njws-crypto: SIGNING_KEY`, { bindings: { SIGNING_KEY: fixture.encrypted, SIGNING_KEY_PASSWORD: fixture.password } });
    for (let i = 0; i < 20; i++) expect((await gw.fetch("/mint")).status).toBe(200);
    expect(keyCacheStats()).toMatchObject({ imports: 1, hits: 19 });
  });
});
