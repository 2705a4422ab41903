import { beforeAll, describe, expect, it } from "vitest";
import type { JweContentAlgorithm, JweKeyAlgorithm } from "../../../src/jose/algorithms";
import { encryptCompact, JweError, type EncryptionKey, type JweHeader } from "../../../src/jwe";
import { bigIntToBytes, bytesToBigInt, modPow, rsaesPkcs1v15Encrypt } from "../../../src/jwe/rsa-pkcs1v15";
import { b64uToBigInt, parsePkcs1v15, powMod, rsaPrivateFromJwk, rsaRawDecrypt, toHex, utf8 } from "./helpers";

const PT = utf8("claims");

/** Runs `f`, expecting a JweError whose message matches `message` exactly. */
async function expectJweError(f: () => Promise<unknown>, message: string | RegExp): Promise<JweError> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(JweError);
  const e = caught as JweError;
  expect(e.name).toBe("JweError");
  if (typeof message === "string") expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  return e;
}

const kwKey = async (bytes: number, usages: string[] = ["wrapKey"]): Promise<EncryptionKey> => ({
  family: "AES-KW",
  key: await crypto.subtle.importKey("raw", new Uint8Array(bytes).fill(0xab), "AES-KW", false, usages),
});

describe("errors", () => {
  it("dir key of the wrong length names both lengths and never the key", async () => {
    const cek = new Uint8Array(16).fill(0x5a);
    const e = await expectJweError(
      () => encryptCompact(PT, { alg: "dir", enc: "A128CBC-HS256" }, { family: "dir", cek }),
      "dir key is 16 bytes; A128CBC-HS256 needs 32",
    );
    expect(e.message).not.toMatch(/5a5a|Wlpa|90,\s*90/i);
    await expectJweError(() => encryptCompact(PT, { alg: "dir", enc: "A256GCM" }, { family: "dir", cek }), "dir key is 16 bytes; A256GCM needs 32");
  });

  it("AES-KW key of the wrong length", async () => {
    await expectJweError(() => kwKey(32).then((k) => encryptCompact(PT, { alg: "A128KW", enc: "A128GCM" }, k)), "A128KW key is 32 bytes; A128KW needs 16");
    await expectJweError(() => kwKey(16).then((k) => encryptCompact(PT, { alg: "A192KW", enc: "A128GCM" }, k)), "A192KW key is 16 bytes; A192KW needs 24");
    await expectJweError(() => kwKey(24).then((k) => encryptCompact(PT, { alg: "A256KW", enc: "A128GCM" }, k)), "A256KW key is 24 bytes; A256KW needs 32");
  });

  it("AES-KW key that is not AES-KW, or cannot wrap", async () => {
    const gcm = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
    await expectJweError(
      () => encryptCompact(PT, { alg: "A128KW", enc: "A128GCM" }, { family: "AES-KW", key: gcm }),
      "A128KW needs an AES-KW key; this key is AES-GCM",
    );
    await expectJweError(
      () => kwKey(16, ["unwrapKey"]).then((k) => encryptCompact(PT, { alg: "A128KW", enc: "A128GCM" }, k)),
      'A128KW key does not allow "wrapKey"',
    );
  });

  it("a key of another family than the alg", async () => {
    const k = await kwKey(16);
    await expectJweError(() => encryptCompact(PT, { alg: "RSA-OAEP", enc: "A128GCM" }, k), "jwe-alg RSA-OAEP needs a RSA-OAEP key; this key is for AES-KW");
    await expectJweError(
      () => encryptCompact(PT, { alg: "dir", enc: "A128GCM" }, k),
      "jwe-alg dir needs a dir key; this key is for AES-KW",
    );
  });

  describe("RSA keys", () => {
    let sha1: CryptoKeyPair;
    let small: CryptoKeyPair;
    beforeAll(async () => {
      const params = (modulusLength: number, hash: string) => ({ name: "RSA-OAEP", modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash });
      [sha1, small] = (await Promise.all([
        crypto.subtle.generateKey(params(2048, "SHA-1"), true, ["encrypt", "decrypt"]),
        crypto.subtle.generateKey(params(1024, "SHA-256"), true, ["encrypt", "decrypt"]),
      ])) as [CryptoKeyPair, CryptoKeyPair];
    }, 60_000);

    it("RSA-OAEP-256 with a SHA-1 OAEP key (and the reverse)", async () => {
      await expectJweError(
        () => encryptCompact(PT, { alg: "RSA-OAEP-256", enc: "A128GCM" }, { family: "RSA-OAEP", key: sha1.publicKey }),
        "RSA-OAEP-256 needs an RSA-OAEP key with SHA-256; this key uses SHA-1",
      );
    });

    it("RSA keys under 2048 bits (RFC 7518 §4.2, §4.3)", async () => {
      await expectJweError(
        () => encryptCompact(PT, { alg: "RSA-OAEP-256", enc: "A128GCM" }, { family: "RSA-OAEP", key: small.publicKey }),
        "RSA-OAEP-256 key is 1024 bits; at least 2048 are required",
      );
      const jwk = (await crypto.subtle.exportKey("jwk", small.publicKey)) as JsonWebKey;
      const key: EncryptionKey = { family: "RSA1_5", modulus: b64uToBigInt(jwk.n!), exponent: 65537n, modulusBytes: 128 };
      await expectJweError(() => encryptCompact(PT, { alg: "RSA1_5", enc: "A128GCM" }, key), "RSA1_5 key is 1024 bits; at least 2048 are required");
    });

    it("RSA1_5 key whose modulusBytes does not match the modulus, or with a bad exponent", async () => {
      const jwk = (await crypto.subtle.exportKey("jwk", sha1.publicKey)) as JsonWebKey;
      const n = b64uToBigInt(jwk.n!);
      const h: JweHeader = { alg: "RSA1_5", enc: "A128GCM" };
      await expectJweError(
        () => encryptCompact(PT, h, { family: "RSA1_5", modulus: n, exponent: 65537n, modulusBytes: 257 }),
        "RSA1_5 key modulus is not 257 bytes long",
      );
      await expectJweError(() => encryptCompact(PT, h, { family: "RSA1_5", modulus: n, exponent: 2n, modulusBytes: 256 }), "RSA1_5 key has an invalid public exponent");
      await expectJweError(() => encryptCompact(PT, h, { family: "RSA1_5", modulus: n, exponent: 1n, modulusBytes: 256 }), "RSA1_5 key has an invalid public exponent");
    });
  });

  it("unknown alg or enc", async () => {
    const k: EncryptionKey = { family: "dir", cek: new Uint8Array(32) };
    await expectJweError(() => encryptCompact(PT, { alg: "RSA-OAEP-384" as JweKeyAlgorithm, enc: "A256GCM" }, k), 'unsupported JWE alg "RSA-OAEP-384"');
    await expectJweError(() => encryptCompact(PT, { alg: "dir", enc: "A256CTR" as JweContentAlgorithm }, k), 'unsupported JWE enc "A256CTR"');
    await expectJweError(() => encryptCompact(PT, { alg: "toString" as JweKeyAlgorithm, enc: "A256GCM" }, k), 'unsupported JWE alg "toString"');
  });

  it("testing overrides of the wrong length", async () => {
    const k = await kwKey(16);
    await expectJweError(() => encryptCompact(PT, { alg: "A128KW", enc: "A128GCM" }, k, { cek: new Uint8Array(32) }), "content key is 32 bytes; A128GCM needs 16");
    await expectJweError(() => encryptCompact(PT, { alg: "A128KW", enc: "A128GCM" }, k, { iv: new Uint8Array(16) }), "IV is 16 bytes; A128GCM needs 12");
    await expectJweError(
      () => encryptCompact(PT, { alg: "dir", enc: "A128GCM" }, { family: "dir", cek: new Uint8Array(16) }, { cek: new Uint8Array(16) }),
      "testing.cek cannot be used with dir: the key is the CEK",
    );
  });
});

describe("RSAES-PKCS1-v1_5 primitive", () => {
  // The RFC 7516 A.2 key (see rfc7516.test.ts for its provenance and check).
  const n =
    "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZm" +
    "dTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZ" +
    "LuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
  const d =
    "VFCWOqXr8nvZNyaaJLXdnNPXZKRaWCjkU5Q2egQQpTBMwhprMzWzpR8Sxq1OPThh_J6MUD8Z35wky9b8eEO0pwNS8xlh1lOFRRBoNqDIKVOku0aZb-rynq8cxjDTLZQ6Fz7jSjR1K" +
    "lop-YKaUHc9GsEofQqYruPhzSA-QgajZGPbE_0ZaVDJHfyd7UUBUKunFMScbflYAAOYJqVIVwaYR5zWEEceUjNnTNo_CVSj-VvXLO5VZfCUAVLgW4dpf1SrtZjSt34YLsRarSb127" +
    "reG_DUwg9Ch-KyvjT1SkHgUWRVGcyly7uvVGRSDwsXypdrNinPA4jlhoNdizK2zF2CWQ";
  const pub = { modulus: b64uToBigInt(n), exponent: 65537n, modulusBytes: 256 };
  const priv = rsaPrivateFromJwk({ n, d });

  it("modPow agrees with an independent implementation and small known values", () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(2n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 3n, 1n)).toBe(0n);
    const m = 0x1234567890abcdefn;
    expect(modPow(m, 65537n, pub.modulus)).toBe(powMod(m, 65537n, pub.modulus));
    expect(powMod(modPow(m, 65537n, pub.modulus), priv.d, priv.n)).toBe(m);
  });

  it("OS2IP / I2OSP", () => {
    expect(bytesToBigInt(Uint8Array.from([0, 1, 0]))).toBe(256n);
    expect(bytesToBigInt(new Uint8Array(0))).toBe(0n);
    expect(toHex(bigIntToBytes(256n, 4))).toBe("00000100");
    expect(() => bigIntToBytes(65536n, 2)).toThrow(JweError);
  });

  it("pads every message length from 1 to k - 11 bytes correctly, and refuses k - 10", () => {
    for (const len of [1, 16, 24, 32, 48, 64, 245]) {
      const m = crypto.getRandomValues(new Uint8Array(len));
      const { ps, m: out } = parsePkcs1v15(rsaRawDecrypt(priv, rsaesPkcs1v15Encrypt(pub, m)));
      expect(out).toEqual(m);
      expect(ps.length).toBe(256 - len - 3);
      expect(ps.includes(0)).toBe(false);
    }
    expect(() => rsaesPkcs1v15Encrypt(pub, new Uint8Array(246))).toThrow("message of 246 bytes is too long for a 2048-bit RSA1_5 key");
  });

  it("rejects a fixed padding with a zero byte or of the wrong length", () => {
    const m = new Uint8Array(32);
    expect(() => rsaesPkcs1v15Encrypt(pub, m, new Uint8Array(221).fill(1).fill(0, 5, 6))).toThrow("RSA1_5 padding contains a zero byte");
    expect(() => rsaesPkcs1v15Encrypt(pub, m, new Uint8Array(220).fill(1))).toThrow("RSA1_5 padding is 220 bytes; 221 needed");
  });

  it("a fixed padding gives the textbook result c = EM^e mod n", () => {
    const m = Uint8Array.from({ length: 32 }, (_, i) => i);
    const ps = new Uint8Array(221).fill(0xff);
    const em = new Uint8Array([0, 2, ...ps, 0, ...m]);
    const expected = powMod(BigInt("0x" + toHex(em)), 65537n, pub.modulus).toString(16).padStart(512, "0");
    expect(toHex(rsaesPkcs1v15Encrypt(pub, m, ps))).toBe(expected);
  });
});
