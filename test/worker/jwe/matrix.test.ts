/*
 * Every alg x enc pair (7 x 6 = 42): encrypt with a fresh key, decrypt with jose's compactDecrypt (a separate
 * implementation), or for RSA1_5 (which jose 6 cannot decrypt) with the test-only BigInt RSA decryptor and
 * WebCrypto content decryption.
 */
import { compactDecrypt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { JWE_CONTENT_ALGORITHMS, JWE_KEY_ALGORITHMS, type JweContentAlgorithm, type JweKeyAlgorithm } from "../../../src/jose/algorithms";
import { encodeBase64UrlText } from "../../../src/jose/base64url";
import { encryptCompact, encryptPrepared, prepareJwe, type EncryptionKey } from "../../../src/jwe";
import { b64uToBigInt, decryptRsa15Compact, rsaPrivateFromJwk, splitCompact, text, utf8, type RsaPrivate } from "./helpers";

// ECDH-ES adds epk to the header per token: its own matrix is in ecdh-es.test.ts.
const ALGS = (Object.keys(JWE_KEY_ALGORITHMS) as JweKeyAlgorithm[]).filter((alg) => JWE_KEY_ALGORITHMS[alg].family !== "ECDH-ES");
const ENCS = Object.keys(JWE_CONTENT_ALGORITHMS) as JweContentAlgorithm[];

const rsaParams = (hash: string): SubtleCryptoGenerateKeyAlgorithm => ({
  name: "RSA-OAEP",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash,
});

let oaep1: CryptoKeyPair;
let oaep256: CryptoKeyPair;
let rsa15Public: EncryptionKey;
let rsa15Private: RsaPrivate;

beforeAll(async () => {
  [oaep1, oaep256] = (await Promise.all([
    crypto.subtle.generateKey(rsaParams("SHA-1"), false, ["encrypt", "decrypt"]),
    crypto.subtle.generateKey(rsaParams("SHA-256"), false, ["encrypt", "decrypt"]),
  ])) as [CryptoKeyPair, CryptoKeyPair];
  // RSA1_5: a generated RSA key, exported to get n, e (public) and d (for the test-only decryptor).
  const pair = (await crypto.subtle.generateKey(rsaParams("SHA-256"), true, ["encrypt", "decrypt"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  rsa15Private = rsaPrivateFromJwk(jwk);
  rsa15Public = { family: "RSA1_5", modulus: b64uToBigInt(jwk.n!), exponent: b64uToBigInt(jwk.e!), modulusBytes: rsa15Private.k };
}, 60_000);

/** A fresh encryption key for `alg`/`enc`, and what jose needs to decrypt (undefined for RSA1_5). */
async function freshKey(alg: JweKeyAlgorithm, enc: JweContentAlgorithm): Promise<{ key: EncryptionKey; decryptKey?: CryptoKey | Uint8Array }> {
  const spec = JWE_KEY_ALGORITHMS[alg];
  switch (spec.family) {
    case "RSA-OAEP": {
      const pair = spec.hash === "SHA-1" ? oaep1 : oaep256;
      return { key: { family: "RSA-OAEP", key: pair.publicKey }, decryptKey: pair.privateKey };
    }
    case "AES-KW": {
      const raw = crypto.getRandomValues(new Uint8Array(spec.keyBytes!));
      const kw = await crypto.subtle.importKey("raw", raw, "AES-KW", false, ["wrapKey"]);
      return { key: { family: "AES-KW", key: kw }, decryptKey: raw };
    }
    case "dir": {
      const cek = crypto.getRandomValues(new Uint8Array(JWE_CONTENT_ALGORITHMS[enc].cekBytes));
      return { key: { family: "dir", cek }, decryptKey: cek.slice() };
    }
    case "RSA1_5":
      return { key: rsa15Public };
    case "ECDH-ES":
      throw new Error("not in this matrix");
  }
}

const expectedKeyLength = (alg: JweKeyAlgorithm, enc: JweContentAlgorithm): number => {
  const spec = JWE_KEY_ALGORITHMS[alg];
  if (spec.family === "dir") return 0;
  if (spec.family === "AES-KW") return JWE_CONTENT_ALGORITHMS[enc].cekBytes + 8;
  return 256;
};

// Lengths around the AES block size (CBC padding), empty, and a realistic nested JWS.
const PLAINTEXTS = [utf8(""), utf8("x".repeat(15)), utf8("y".repeat(16)), utf8(`{"iss":"https://gw.example","sub":"ålice","n":${"9".repeat(200)}}`)];

describe("every alg x enc pair round-trips through an independent decryptor", () => {
  it("covers 42 pairs", () => {
    expect(ALGS.length * ENCS.length).toBe(42);
  });

  for (const alg of ALGS) {
    for (const enc of ENCS) {
      it(`${alg} + ${enc}`, async () => {
        const { key, decryptKey } = await freshKey(alg, enc);
        const header = { alg, enc, kid: "k-1", cty: "JWT" };
        for (const plaintext of PLAINTEXTS) {
          const jwe = await encryptCompact(plaintext, header, key);
          const parts = splitCompact(jwe);
          // Protected header: exactly alg, enc, kid, cty in that order.
          expect(parts.protectedB64).toBe(encodeBase64UrlText(`{"alg":"${alg}","enc":"${enc}","kid":"k-1","cty":"JWT"}`));
          expect(parts.encryptedKey.length).toBe(expectedKeyLength(alg, enc));
          expect(parts.iv.length).toBe(JWE_CONTENT_ALGORITHMS[enc].ivBytes);
          const spec = JWE_CONTENT_ALGORITHMS[enc];
          expect(parts.tag.length).toBe(spec.family === "AES-GCM" ? 16 : spec.cekBytes / 2);

          let decrypted: Uint8Array;
          if (alg === "RSA1_5") {
            const r = await decryptRsa15Compact(jwe, rsa15Private);
            expect(r.cek.length).toBe(spec.cekBytes);
            decrypted = r.plaintext;
          } else {
            const r = await compactDecrypt(jwe, decryptKey!);
            expect(r.protectedHeader).toEqual({ alg, enc, kid: "k-1", cty: "JWT" });
            decrypted = r.plaintext;
          }
          expect(text(decrypted)).toBe(text(plaintext));
        }
      });
    }
  }
});

describe("prepared headers", () => {
  it("prepareJwe serializes once; encryptPrepared gives tokens equal to encryptCompact's for the same inputs", async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const key: EncryptionKey = { family: "AES-KW", key: await crypto.subtle.importKey("raw", raw, "AES-KW", false, ["wrapKey"]) };
    const prepared = prepareJwe({ alg: "A256KW", enc: "A256GCM", kid: "abc" });
    expect(prepared.protectedB64).toBe(encodeBase64UrlText('{"alg":"A256KW","enc":"A256GCM","kid":"abc"}'));
    expect(text(prepared.aad)).toBe(prepared.protectedB64);
    const testing = { cek: new Uint8Array(32).fill(7), iv: new Uint8Array(12).fill(9) };
    const a = await encryptPrepared(utf8("hi"), prepared, key, testing);
    const b = await encryptCompact(utf8("hi"), { alg: "A256KW", enc: "A256GCM", kid: "abc" }, key, testing);
    expect(a).toBe(b);
    expect(text((await compactDecrypt(a, raw)).plaintext)).toBe("hi");
  });

  it("omits kid and cty when undefined, and escapes them as JSON", () => {
    expect(prepareJwe({ alg: "dir", enc: "A128GCM", kid: undefined, cty: undefined }).protectedB64).toBe(
      encodeBase64UrlText('{"alg":"dir","enc":"A128GCM"}'),
    );
    expect(prepareJwe({ alg: "dir", enc: "A128GCM", cty: "JWT" }).protectedB64).toBe(encodeBase64UrlText('{"alg":"dir","enc":"A128GCM","cty":"JWT"}'));
    expect(prepareJwe({ alg: "dir", enc: "A128GCM", kid: 'a"b\\c' }).protectedB64).toBe(
      encodeBase64UrlText('{"alg":"dir","enc":"A128GCM","kid":"a\\"b\\\\c"}'),
    );
  });

  it("does not keep a reference to the caller's header object", () => {
    const header = { alg: "dir" as const, enc: "A128GCM" as const, kid: "one" };
    const prepared = prepareJwe(header);
    header.kid = "two";
    expect(prepared.header.kid).toBe("one");
    expect(Object.isFrozen(prepared.header)).toBe(true);
  });
});
