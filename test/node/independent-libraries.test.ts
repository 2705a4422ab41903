/**
 * The independent JOSE verifiers themselves: they accept what a known-good implementation (jose)
 * produced, published RFC test vectors, and throw on anything tampered with. They must not depend
 * on `jose`. The worker's tokens are checked against them in independent-jws/jwe.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  constants, createCipheriv, createHmac, generateKeyPairSync, publicEncrypt, randomBytes,
  type KeyObject,
} from "node:crypto";
import * as jose from "jose";
import {
  CEK_BYTES, JWE_ALGS, JWE_ENCS, JWS_ALGS, independentDecrypt, independentDecryptAndVerify, independentVerify,
  jwcryptoBatch, jwcryptoPython, type IndependentKey, type JweEnc, type JwcryptoItem,
} from "../support/independent";

const require = createRequire(import.meta.url);

/** All packages reachable through `dependencies` from `name`. */
function dependencyClosure(name: string, from = process.cwd(), seen = new Map<string, string>()): Map<string, string> {
  const req = createRequire(join(from, "noop.js"));
  let pkgPath: string;
  try {
    pkgPath = req.resolve(`${name}/package.json`);
  } catch {
    // Packages whose "exports" hide package.json: find it from the main entry.
    let dir = dirname(req.resolve(name));
    while (!JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name) dir = dirname(dir);
    pkgPath = join(dir, "package.json");
  }
  if (seen.has(pkgPath)) return seen;
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { name: string; dependencies?: Record<string, string> };
  seen.set(pkgPath, pkg.name);
  for (const dep of Object.keys(pkg.dependencies ?? {})) dependencyClosure(dep, dirname(pkgPath), seen);
  return seen;
}

function flip(segment: string): string {
  // Change the first character: always affects decoded bits (the last one may only touch padding bits).
  return (segment[0] === "A" ? "B" : "A") + segment.slice(1);
}
function flipPart(token: string, index: number): string {
  const parts = token.split(".");
  parts[index] = flip(parts[index] as string);
  return parts.join(".");
}

const CLAIMS = { iss: "independent-iss", sub: "independent-sub", aud: "independent-aud" };
const CURVE = { ES256: "P-256", ES384: "P-384", ES512: "P-521" } as const;

describe("independent implementation: dependencies", () => {
  it.each(["node-jose", "jsrsasign", "node-forge"])("%s does not pull in jose", (name) => {
    const names = [...dependencyClosure(name).values()];
    expect(names).toContain(name);
    expect(names).not.toContain("jose");
  });
  it("is loadable from node_modules", () => {
    expect(typeof require("node-jose").JWS.createVerify).toBe("function");
  });
});

describe("independentVerify: JWS minted by jose", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = Object.fromEntries(
    Object.entries(CURVE).map(([alg, namedCurve]) => [alg, generateKeyPairSync("ec", { namedCurve })]),
  ) as Record<keyof typeof CURVE, { publicKey: KeyObject; privateKey: KeyObject }>;

  function keysFor(alg: string): { sign: KeyObject | Uint8Array; verify: IndependentKey[]; wrong: IndependentKey } {
    if (alg.startsWith("HS")) {
      const secret = randomBytes(64);
      return { sign: secret, verify: [{ secret }, { jwk: { kty: "oct", k: secret.toString("base64url") } }], wrong: { secret: randomBytes(64) } };
    }
    const pair = alg.startsWith("ES") ? ec[alg as keyof typeof CURVE] : rsa;
    const other = alg.startsWith("ES")
      ? generateKeyPairSync("ec", { namedCurve: CURVE[alg as keyof typeof CURVE] })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
    const verify: IndependentKey[] = [
      { pem: pair.publicKey.export({ type: "spki", format: "pem" }) as string },
      { jwk: pair.publicKey.export({ format: "jwk" }) as JsonWebKey },
    ];
    if (alg[0] !== "E") verify.push({ pem: pair.publicKey.export({ type: "pkcs1", format: "pem" }) as string });
    return { sign: pair.privateKey, verify, wrong: { jwk: other.publicKey.export({ format: "jwk" }) as JsonWebKey } };
  }

  it.each(JWS_ALGS)("%s: accepts a genuine token, rejects tampering, a wrong key and a wrong alg", async (alg) => {
    const { sign, verify, wrong } = keysFor(alg);
    const token = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg, kid: "k1" }).setIssuedAt().setExpirationTime("10m").sign(sign);
    for (const key of verify) {
      const r = await independentVerify(token, key, alg);
      expect(r.verifiedBy).toEqual(["node-jose", "jsrsasign"]);
      expect(r.header).toEqual({ alg, kid: "k1" });
      expect(r.claims).toMatchObject(CLAIMS);
      expect((r.claims.exp as number) - (r.claims.iat as number)).toBe(600);
    }
    const key = verify[0] as IndependentKey;
    // One flipped character in the signature: each verifier on its own must reject it.
    for (const verifiers of [["node-jose"], ["jsrsasign"]] as const) {
      await expect(independentVerify(flipPart(token, 2), key, alg, { verifiers })).rejects.toThrow(/verification failed/);
      await expect(independentVerify(flipPart(token, 1), key, alg, { verifiers })).rejects.toThrow();
      await expect(independentVerify(token, wrong, alg, { verifiers })).rejects.toThrow(/verification failed/);
    }
    await expect(independentVerify(token.slice(0, -1), key, alg)).rejects.toThrow();
    const otherAlg = alg === "HS256" ? "HS384" : alg.startsWith("HS") ? "HS256" : alg === "RS256" ? "PS256" : "RS256";
    await expect(independentVerify(token, key, otherAlg)).rejects.toThrow(/alg|key type/);
  });
});

/** A minimal RSA1_5 encryptor for test input (jose 6 has no RSA1_5; public-key PKCS#1 v1.5 encryption is still allowed). */
function encryptRsa15(plaintext: string, publicKey: KeyObject, enc: JweEnc, extraHeader: Record<string, unknown> = {}): string {
  const header = Buffer.from(JSON.stringify({ alg: "RSA1_5", enc, ...extraHeader })).toString("base64url");
  const cek = randomBytes(CEK_BYTES[enc]);
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
  const aad = Buffer.from(header, "ascii");
  let iv: Buffer, ciphertext: Buffer, tag: Buffer;
  if (enc.endsWith("GCM")) {
    iv = randomBytes(12);
    const c = createCipheriv(`aes-${cek.length * 8}-gcm` as "aes-128-gcm", cek, iv);
    c.setAAD(aad);
    ciphertext = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
    tag = c.getAuthTag();
  } else {
    const half = cek.length / 2;
    iv = randomBytes(16);
    const c = createCipheriv(`aes-${half * 8}-cbc`, cek.subarray(half), iv);
    ciphertext = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
    const al = Buffer.alloc(8);
    al.writeBigUInt64BE(BigInt(aad.length * 8));
    const mac = createHmac(`sha${half * 16}`, cek.subarray(0, half)).update(Buffer.concat([aad, iv, ciphertext, al])).digest();
    tag = mac.subarray(0, half);
  }
  return [header, encryptedKey.toString("base64url"), iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(".");
}

describe("independentDecrypt: JWE minted by jose (RSA1_5 by node:crypto)", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rsaKeys: IndependentKey[] = [
    { pem: rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string },
    { pem: rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string },
    { jwk: rsa.privateKey.export({ format: "jwk" }) as JsonWebKey },
  ];
  const cases = JWE_ALGS.flatMap((alg) => JWE_ENCS.map((enc) => [alg, enc] as const));

  it.each(cases)("%s + %s: decrypts, and rejects tampering and a wrong key", async (alg, enc) => {
    const plaintext = JSON.stringify({ ...CLAIMS, n: "ünïcødé" });
    let token: string;
    let keys: IndependentKey[];
    let wrong: IndependentKey;
    if (alg.startsWith("RSA")) {
      keys = rsaKeys;
      wrong = { jwk: otherRsa.privateKey.export({ format: "jwk" }) as JsonWebKey };
      token = alg === "RSA1_5"
        ? encryptRsa15(plaintext, rsa.publicKey, enc, { kid: "enc-1" })
        : await new jose.CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg, enc, kid: "enc-1" }).encrypt(rsa.publicKey);
    } else {
      const bytes = alg === "dir" ? CEK_BYTES[enc] : Number(alg.slice(1, 4)) / 8;
      const secret = randomBytes(bytes);
      keys = [{ secret }, { jwk: { kty: "oct", k: secret.toString("base64url") } }];
      wrong = { secret: randomBytes(bytes) };
      token = await new jose.CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg, enc, kid: "enc-1" }).encrypt(secret);
    }
    for (const key of keys) {
      const r = await independentDecrypt(token, key, { alg, enc });
      expect(r.plaintext).toBe(plaintext);
      expect(r.header).toEqual({ alg, enc, kid: "enc-1" });
      expect(r.decryptedBy).toBe(alg === "RSA1_5" ? "node-forge (RSAES-PKCS1-v1_5) + node-jose JWA" : "node-jose");
    }
    const key = keys[0] as IndependentKey;
    await expect(independentDecrypt(flipPart(token, 4), key, { alg, enc })).rejects.toThrow(/decryption failed/); // tag
    await expect(independentDecrypt(flipPart(token, 3), key, { alg, enc })).rejects.toThrow(/decryption failed/); // ciphertext
    await expect(independentDecrypt(flipPart(token, 2), key, { alg, enc })).rejects.toThrow(/decryption failed/); // iv
    if (alg !== "dir") await expect(independentDecrypt(flipPart(token, 1), key, { alg, enc })).rejects.toThrow(/decryption failed/);
    // The protected header is the AAD: re-encode it with one more member.
    const parts = token.split(".");
    parts[0] = Buffer.from(JSON.stringify({ alg, enc, kid: "enc-2" })).toString("base64url");
    await expect(independentDecrypt(parts.join("."), key, { alg, enc })).rejects.toThrow(/decryption failed/);
    await expect(independentDecrypt(token, wrong, { alg, enc })).rejects.toThrow(/decryption failed/);
    const otherEnc = enc === "A256GCM" ? "A128GCM" : "A256GCM";
    await expect(independentDecrypt(token, key, { alg, enc: otherEnc })).rejects.toThrow(/enc is/);
  });

  it("RSA1_5: RFC 7516 Appendix A.2 test vector", async () => {
    // Published example key and JWE from RFC 7516, A.2.3 and A.2.7 (not a secret).
    const jwk: JsonWebKey = {
      kty: "RSA",
      n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
      e: "AQAB",
      d: "VFCWOqXr8nvZNyaaJLXdnNPXZKRaWCjkU5Q2egQQpTBMwhprMzWzpR8Sxq1OPThh_J6MUD8Z35wky9b8eEO0pwNS8xlh1lOFRRBoNqDIKVOku0aZb-rynq8cxjDTLZQ6Fz7jSjR1Klop-YKaUHc9GsEofQqYruPhzSA-QgajZGPbE_0ZaVDJHfyd7UUBUKunFMScbflYAAOYJqVIVwaYR5zWEEceUjNnTNo_CVSj-VvXLO5VZfCUAVLgW4dpf1SrtZjSt34YLsRarSb127reG_DUwg9Ch-KyvjT1SkHgUWRVGcyly7uvVGRSDwsXypdrNinPA4jlhoNdizK2zF2CWQ",
      p: "9gY2w6I6S6L0juEKsbeDAwpd9WMfgqFoeA9vEyEUuk4kLwBKcoe1x4HG68ik918hdDSE9vDQSccA3xXHOAFOPJ8R9EeIAbTi1VwBYnbTp87X-xcPWlEPkrdoUKW60tgs1aNd_Nnc9LEVVPMS390zbFxt8TN_biaBgelNgbC95sM",
      q: "uKlCKvKv_ZJMVcdIs5vVSU_6cPtYI1ljWytExV_skstvRSNi9r66jdd9-yBhVfuG4shsp2j7rGnIio901RBeHo6TPKWVVykPu1iYhQXw1jIABfw-MVsN-3bQ76WLdt2SDxsHs7q7zPyUyHXmps7ycZ5c72wGkUwNOjYelmkiNS0",
      dp: "w0kZbV63cVRvVX6yk3C8cMxo2qCM4Y8nsq1lmMSYhG4EcL6FWbX5h9yuvngs4iLEFk6eALoUS4vIWEwcL4txw9LsWH_zKI-hwoReoP77cOdSL4AVcraHawlkpyd2TWjE5evgbhWtOxnZee3cXJBkAi64Ik6jZxbvk-RR3pEhnCs",
      dq: "o_8V14SezckO6CNLKs_btPdFiO9_kC1DsuUTd2LAfIIVeMZ7jn1Gus_Ff7B7IVx3p5KuBGOVF8L-qifLb6nQnLysgHDh132NDioZkhH7mI7hPG-PYE_odApKdnqECHWw0J-F0JWnUd6D2B_1TvF9mXA2Qx-iGYn8OVV1Bsmp6qU",
      qi: "eNho5yRBEBxhGBtQRww9QirZsB66TrfFReG_CcteI1aCneT0ELGhYlRlCtUkTRclIfuEPmNsNDPbLoLqqCVznFbvdB7x-Tl-m0l_eFTj2KiqwGqE9PZB9nNTwMVvH3VRRSLWACvPnSiwP8N5Usy-WRXS-V7TbpxIhvepTfE0NNo",
    };
    const token =
      "eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0." +
      "UGhIOguC7IuEvf_NPVaXsGMoLOmwvc1GyqlIKOK1nN94nHPoltGRhWhw7Zx0-kFm1NJn8LE9XShH59_i8J0PH5ZZyNfGy2xGdULU7sHNF6Gp2vPLgNZ__deLKxGHZ7Pc" +
      "HALUzoOegEI-8E66jX2E4zyJKx-YxzZIItRzC5hlRirb6Y5Cl_p-ko3YvkkysZIFNPccxRU7qve1WYPxqbb2Yw8kZqa2rMWI5ng8OtvzlV7elprCbuPhcCdZ6XDP0_F8" +
      "rkXds2vE4X-ncOIM8hAYHHi29NX0mcKiRaD0-D-ljQTP-cFPgwCp6X-nZZd9OHBv-B3oWh2TbqmScqXMR4gp_A." +
      "AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY.9hH0vgRfYgPnAHOd8stkvw";
    const r = await independentDecrypt(token, { jwk }, { alg: "RSA1_5", enc: "A128CBC-HS256" });
    expect(r.plaintext).toBe("Live long and prosper.");
    await expect(independentDecrypt(flipPart(token, 4), { jwk }, { alg: "RSA1_5", enc: "A128CBC-HS256" })).rejects.toThrow();
  });

  it("nested JWT: JWE (cty JWT) around a JWS", async () => {
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jws = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg: "ES256" }).sign(signer.privateKey);
    const token = await new jose.CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", cty: "JWT" })
      .encrypt(rsa.publicKey);
    const spki = { pem: signer.publicKey.export({ type: "spki", format: "pem" }) as string };
    const r = await independentDecryptAndVerify(token, rsaKeys[0] as IndependentKey, { alg: "RSA-OAEP-256", enc: "A256GCM" }, spki, "ES256");
    expect(r.jwe.header.cty).toBe("JWT");
    expect(r.jws.claims).toMatchObject(CLAIMS);
    // Without cty, or with a bad inner signature: rejected.
    const noCty = await new jose.CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM" }).encrypt(rsa.publicKey);
    await expect(independentDecryptAndVerify(noCty, rsaKeys[0] as IndependentKey, { alg: "RSA-OAEP-256", enc: "A256GCM" }, spki, "ES256")).rejects.toThrow(/cty/);
    const badInner = await new jose.CompactEncrypt(new TextEncoder().encode(flipPart(jws, 2)))
      .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", cty: "JWT" }).encrypt(rsa.publicKey);
    await expect(independentDecryptAndVerify(badInner, rsaKeys[0] as IndependentKey, { alg: "RSA-OAEP-256", enc: "A256GCM" }, spki, "ES256")).rejects.toThrow(/verification failed/);
  });
});

describe.skipIf(!jwcryptoPython())("optional: python jwcrypto (when installed)", () => {
  it("verifies every JWS alg and decrypts every JWE alg x enc minted by jose / node:crypto; rejects tampering", async () => {
    const items: JwcryptoItem[] = [];
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (const alg of JWS_ALGS) {
      let sign: KeyObject | Uint8Array;
      let key: IndependentKey;
      if (alg.startsWith("HS")) {
        const secret = randomBytes(64);
        (sign = secret), (key = { secret });
      } else {
        const pair = alg.startsWith("ES") ? generateKeyPairSync("ec", { namedCurve: CURVE[alg as keyof typeof CURVE] }) : rsa;
        (sign = pair.privateKey), (key = { pem: pair.publicKey.export({ type: "spki", format: "pem" }) as string });
      }
      const token = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg }).sign(sign);
      items.push({ kind: "jws", token, key, alg }, { kind: "jws", token: flipPart(token, 2), key, alg });
    }
    for (const alg of JWE_ALGS) {
      for (const enc of JWE_ENCS) {
        let token: string;
        let key: IndependentKey;
        const pt = new TextEncoder().encode(JSON.stringify(CLAIMS));
        if (alg === "RSA1_5") (token = encryptRsa15(JSON.stringify(CLAIMS), rsa.publicKey, enc)), (key = { jwk: rsa.privateKey.export({ format: "jwk" }) as JsonWebKey });
        else if (alg.startsWith("RSA")) (token = await new jose.CompactEncrypt(pt).setProtectedHeader({ alg, enc }).encrypt(rsa.publicKey)), (key = { jwk: rsa.privateKey.export({ format: "jwk" }) as JsonWebKey });
        else {
          const secret = randomBytes(alg === "dir" ? CEK_BYTES[enc] : Number(alg.slice(1, 4)) / 8);
          (token = await new jose.CompactEncrypt(pt).setProtectedHeader({ alg, enc }).encrypt(secret)), (key = { secret });
        }
        items.push({ kind: "jwe", token, key, alg, enc }, { kind: "jwe", token: flipPart(token, 4), key, alg, enc });
      }
    }
    const results = await jwcryptoBatch(items);
    results.forEach((r, i) => {
      const item = items[i] as JwcryptoItem;
      const label = `${item.kind} ${item.alg}${item.kind === "jwe" ? " " + item.enc : ""} ${i % 2 ? "tampered" : "genuine"}`;
      if (i % 2 === 0) {
        expect(r, label).toMatchObject({ ok: true });
        if (r.ok) expect(JSON.parse(r.text), label).toMatchObject(CLAIMS);
      } else expect(r.ok, label).toBe(false);
    });
  });
});
