import { calculateJwkThumbprint } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { importEncryptionKey, importSigningKey, jwkThumbprint, type EncryptionKey } from "../../../src/keys";
import { bareJwk, ecKey, innerOfPkcs8, pkcs1Public, rsaKey, sec1, toPem, type Curve, type EcTestKey, type RsaTestKey } from "./helpers";

/** RFC 7638 §3.1. */
const RFC7638_KEY = {
  kty: "RSA",
  n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  e: "AQAB",
  alg: "RS256",
  kid: "2011-04-29",
};
const thumbprintOf = (key: EncryptionKey) => ("thumbprint" in key ? key.thumbprint : undefined);
const RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

describe("RFC 7638 thumbprints", () => {
  it("the RFC's example", async () => {
    expect(await jwkThumbprint({ kty: "RSA", n: RFC7638_KEY.n, e: RFC7638_KEY.e })).toBe(RFC7638_THUMBPRINT);
  });

  it("the RFC's example key imported as a JWE recipient: thumbprint and kid", async () => {
    for (const alg of ["RSA-OAEP", "RSA1_5"] as const) {
      const key = await importEncryptionKey(RFC7638_KEY, alg, "A128CBC-HS256", "jwe-jwk variable 'k'");
      expect(key).toMatchObject({ thumbprint: RFC7638_THUMBPRINT, kid: "2011-04-29" });
    }
  });

  it("an RSA modulus given with a leading zero byte still hashes canonically", async () => {
    const n = btoa(String.fromCharCode(0, ...Uint8Array.from(atob(RFC7638_KEY.n.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(thumbprintOf(await importEncryptionKey({ kty: "RSA", n, e: "AQAB" }, "RSA-OAEP", "A128GCM", "k"))).toBe(RFC7638_THUMBPRINT);
  });

  describe("the same key in every form has one thumbprint, that of jose's calculateJwkThumbprint", () => {
    let rsa: RsaTestKey;
    const ec = {} as Record<Curve, EcTestKey>;
    beforeAll(async () => {
      rsa = await rsaKey();
      for (const crv of ["P-256", "P-384", "P-521"] as const) ec[crv] = await ecKey(crv);
    });

    it("RSA: PKCS#8, PKCS#1, JWK for signing; SPKI, PKCS#1 public, JWK for encryption", async () => {
      const expected = await calculateJwkThumbprint(rsa.publicJwk as never);
      for (const material of [toPem("PRIVATE KEY", rsa.pkcs8), toPem("RSA PRIVATE KEY", innerOfPkcs8(rsa.pkcs8)), bareJwk(rsa.privateJwk)]) {
        expect((await importSigningKey(material, "RS256", "k")).thumbprint).toBe(expected);
      }
      for (const material of [toPem("PUBLIC KEY", rsa.spki), toPem("RSA PUBLIC KEY", pkcs1Public(rsa.publicJwk)), bareJwk(rsa.publicJwk)]) {
        expect(thumbprintOf(await importEncryptionKey(material, "RSA-OAEP-256", "A256GCM", "k"))).toBe(expected);
      }
    });

    for (const [crv, alg] of [["P-256", "ES256"], ["P-384", "ES384"], ["P-521", "ES512"]] as const) {
      it(`EC ${crv}: PKCS#8, SEC1 with and without public key and parameters, JWK`, async () => {
        const k = ec[crv];
        const expected = await calculateJwkThumbprint(k.publicJwk as never);
        const forms = [
          toPem("PRIVATE KEY", k.pkcs8),
          toPem("EC PRIVATE KEY", sec1(crv, k.privateJwk)),
          toPem("EC PRIVATE KEY", sec1(crv, k.privateJwk, { publicKey: false })),
          toPem("EC PRIVATE KEY", sec1(crv, k.privateJwk, { publicKey: false, params: false })),
          bareJwk(k.privateJwk),
        ];
        for (const material of forms) expect((await importSigningKey(material, alg, "k")).thumbprint).toBe(expected);
      });
    }
  });

  it("shared secrets never get a thumbprint (a hash of a weak secret helps brute force)", async () => {
    expect(await importSigningKey("a secret text of 32 bytes or more", "HS256", "k")).not.toHaveProperty("thumbprint");
    expect(await importSigningKey({ kty: "oct", k: "A".repeat(43) }, "HS256", "k")).not.toHaveProperty("thumbprint");
    expect(await importEncryptionKey("0x00112233445566778899aabbccddeeff", "A128KW", "A128GCM", "k")).not.toHaveProperty("thumbprint");
    expect(await importEncryptionKey("0x00112233445566778899aabbccddeeff", "dir", "A128GCM", "k")).not.toHaveProperty("thumbprint");
  });
});
