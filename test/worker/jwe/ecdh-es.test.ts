/**
 * ECDH-ES (RFC 7518 §4.6) and ECDH-ES+A128KW/A192KW/A256KW on P-256, P-384, P-521 and X25519:
 * the RFC 7518 Appendix C vector exactly, and every variant decrypted by jose (our JWE does not use jose).
 * node-jose decrypts them again in Node (test/node/independent-edge.test.ts).
 */
import { compactDecrypt } from "jose";
import { describe, expect, it } from "vitest";
import { JWE_CONTENT_ALGORITHMS, type JweContentAlgorithm, type JweKeyAlgorithm } from "../../../src/jose/algorithms";
import { decodeBase64Url, encodeBase64Url } from "../../../src/jose/base64url";
import { encryptCompact, type EncryptionKey } from "../../../src/jwe";
import { concatKdf, deriveKey, sharedSecret } from "../../../src/jwe/ecdh-es";
import { importEncryptionKey } from "../../../src/keys";

const utf8 = (s: string) => new TextEncoder().encode(s);

// RFC 7518 Appendix C: Alice's ephemeral key, Bob's key, apu "Alice", apv "Bob", ECDH-ES with A128GCM.
const ALICE = { kty: "EC", crv: "P-256", x: "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0", y: "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps", d: "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo" };
const BOB = { kty: "EC", crv: "P-256", x: "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ", y: "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck", d: "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw" };
const publicOf = ({ d: _d, ...pub }: Record<string, string>): JsonWebKey => pub as unknown as JsonWebKey;

describe("RFC 7518 Appendix C", () => {
  it("derives exactly the RFC's key from the RFC's keys (Z, Concat KDF with apu Alice, apv Bob)", async () => {
    const bob = (await importEncryptionKey(JSON.stringify(publicOf(BOB)), "ECDH-ES", "A128GCM", "bob")) as Extract<EncryptionKey, { family: "ECDH-ES" }>;
    const alice = await crypto.subtle.importKey("jwk", ALICE, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    const z = await sharedSecret(alice, bob);
    // The RFC lists Z as bytes.
    expect(Array.from(z)).toEqual([
      158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
    ]);
    const derived = await deriveKey(z, "ECDH-ES", "A128GCM", utf8("Alice"), utf8("Bob"));
    expect(encodeBase64Url(derived)).toBe("VqqN6vgjbSBcIijNcacQGg");
    expect(await concatKdf(z, 128, "A128GCM", utf8("Alice"), utf8("Bob"))).toEqual(decodeBase64Url("VqqN6vgjbSBcIijNcacQGg"));
  });

  it("a whole token with the RFC's ephemeral key carries its epk, apu and apv, and jose decrypts it with Bob's key", async () => {
    const bob = await importEncryptionKey(JSON.stringify(publicOf(BOB)), "ECDH-ES", "A128GCM", "bob");
    const ephemeral = {
      privateKey: await crypto.subtle.importKey("jwk", ALICE, { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]),
      publicKey: await crypto.subtle.importKey("jwk", publicOf(ALICE), { name: "ECDH", namedCurve: "P-256" }, true, []),
    };
    const jwe = await encryptCompact(utf8("Live long and prosper."), { alg: "ECDH-ES", enc: "A128GCM" }, bob, { ephemeral, apu: utf8("Alice"), apv: utf8("Bob") });
    const bobPrivate = await crypto.subtle.importKey("jwk", BOB, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, bobPrivate);
    expect(new TextDecoder().decode(plaintext)).toBe("Live long and prosper.");
    expect(protectedHeader).toEqual({ alg: "ECDH-ES", enc: "A128GCM", epk: publicOf(ALICE), apu: "QWxpY2U", apv: "Qm9i" });
    expect(jwe.split(".")[1]).toBe(""); // direct agreement: no encrypted key
  });
});

const ALGS: JweKeyAlgorithm[] = ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"];
const CURVES = ["P-256", "P-384", "P-521", "X25519"] as const;
const ENCS: JweContentAlgorithm[] = ["A128GCM", "A256GCM", "A128CBC-HS256", "A256CBC-HS512"];

async function recipient(crv: (typeof CURVES)[number]) {
  const params = crv === "X25519" ? { name: "X25519" } : { name: "ECDH", namedCurve: crv };
  const pair = (await crypto.subtle.generateKey(params, true, ["deriveBits"])) as CryptoKeyPair;
  return { publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey, privateKey: pair.privateKey };
}

describe("every ECDH-ES variant on every curve, decrypted by jose", () => {
  for (const crv of CURVES) {
    it(`${crv}: ${ALGS.join(", ")} with ${ENCS.join(", ")}`, async () => {
      const { publicJwk, privateKey } = await recipient(crv);
      for (const alg of ALGS) {
        for (const enc of ENCS) {
          const key = await importEncryptionKey(JSON.stringify(publicJwk), alg, enc, "recipient");
          const jwe = await encryptCompact(utf8(`secret for ${alg} ${enc}`), { alg, enc, kid: "r1", cty: "JWT" }, key);
          const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey);
          expect(new TextDecoder().decode(plaintext)).toBe(`secret for ${alg} ${enc}`);
          expect(Object.keys(protectedHeader)).toEqual(["alg", "enc", "kid", "cty", "epk"]);
          expect((protectedHeader.epk as { crv: string }).crv).toBe(crv);
          const encryptedKey = decodeBase64Url(jwe.split(".")[1] as string);
          expect(encryptedKey.length).toBe(alg === "ECDH-ES" ? 0 : JWE_CONTENT_ALGORITHMS[enc].cekBytes + 8);
        }
      }
    });
  }

  it("refuses an RSA key or an Ed25519 key for ECDH-ES, saying what is needed", async () => {
    const ed = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const edJwk = JSON.stringify(await crypto.subtle.exportKey("jwk", ed.publicKey));
    await expect(importEncryptionKey(edJwk, "ECDH-ES+A128KW", "A128GCM", "crypto object 'K'")).rejects.toThrow(
      "crypto object 'K' is a JWK of kty 'OKP' with crv 'Ed25519' (public key); ECDH-ES+A128KW needs an EC public key on P-256, P-384 or P-521, or an X25519 public key (PEM, certificate or JWK)",
    );
  });
});
