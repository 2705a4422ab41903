import { calculateJwkThumbprint, exportJWK, importX509 } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { importEncryptionKey, type EncryptionKey } from "../../../src/keys";
import { RSA_CERT_MODULUS_HEX, RSA_CERT_PEM } from "./fixtures/certificates";
import { b64uToBytes, bareJwk, bytesToB64u, bytesToBigInt, bytesToHex, innerOfPkcs8, pkcs1Public, rsaKey, toPem, type RsaTestKey } from "./helpers";

const src = "crypto object 'recipient'";
let rsa: RsaTestKey;

beforeAll(async () => {
  rsa = await rsaKey();
});

function expectFamily<F extends EncryptionKey["family"]>(key: EncryptionKey, family: F): Extract<EncryptionKey, { family: F }> {
  expect(key.family).toBe(family);
  return key as Extract<EncryptionKey, { family: F }>;
}

const rsaForms: Record<string, () => string | Record<string, unknown>> = {
  "SPKI PEM": () => toPem("PUBLIC KEY", rsa.spki),
  "PKCS#1 public PEM": () => toPem("RSA PUBLIC KEY", pkcs1Public(rsa.publicJwk)),
  "PKCS#1 public PEM with literal \\n": () => toPem("RSA PUBLIC KEY", pkcs1Public(rsa.publicJwk)).replace(/\n/g, "\\n"),
  "public JWK object": () => bareJwk(rsa.publicJwk, { kid: "enc-1" }),
  "public JWK text": () => JSON.stringify(bareJwk(rsa.publicJwk)),
  "private PKCS#8 PEM (its public part is used)": () => toPem("PRIVATE KEY", rsa.pkcs8),
  "private PKCS#1 PEM": () => toPem("RSA PRIVATE KEY", innerOfPkcs8(rsa.pkcs8)),
  "private JWK": () => bareJwk(rsa.privateJwk),
};

describe("RSA-OAEP and RSA-OAEP-256: every RSA form encrypts to the key pair's private key", () => {
  for (const [form, material] of Object.entries(rsaForms)) {
    for (const [alg, hash] of [["RSA-OAEP", "SHA-1"], ["RSA-OAEP-256", "SHA-256"]] as const) {
      it(`${form}, ${alg}`, async () => {
        const key = expectFamily(await importEncryptionKey(material(), alg, "A256GCM", src), "RSA-OAEP");
        expect(key.key.extractable).toBe(false);
        expect(key.key.type).toBe("public");
        expect(key.key.usages).toEqual(["encrypt"]);
        const cek = crypto.getRandomValues(new Uint8Array(32));
        const ciphertext = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key.key, cek);
        const decryptor = await crypto.subtle.importKey("pkcs8", rsa.pkcs8, { name: "RSA-OAEP", hash }, false, ["decrypt"]);
        expect(new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, decryptor, ciphertext))).toEqual(cek);
        expect(key.thumbprint).toBe(await calculateJwkThumbprint(rsa.publicJwk as never));
      });
    }
  }

  it("the public JWK's kid is kept", async () => {
    expect((await importEncryptionKey(bareJwk(rsa.publicJwk, { kid: "enc-1" }), "RSA-OAEP", "A128GCM", src)).kid).toBe("enc-1");
  });
});

describe("RSA1_5: every RSA form gives the raw public key", () => {
  for (const [form, material] of Object.entries(rsaForms)) {
    it(form, async () => {
      const key = expectFamily(await importEncryptionKey(material(), "RSA1_5", "A128CBC-HS256", src), "RSA1_5");
      expect(key.modulus).toBe(bytesToBigInt(b64uToBytes(rsa.publicJwk.n!)));
      expect(key.exponent).toBe(65537n);
      expect(key.modulusBytes).toBe(256);
    });
  }

  it("the modulus and exponent work: s^e mod n of an RSASSA signature is the PKCS#1 v1.5 encoding of the hash", async () => {
    const key = expectFamily(await importEncryptionKey(toPem("PRIVATE KEY", rsa.pkcs8), "RSA1_5", "A128CBC-HS256", src), "RSA1_5");
    const data = new TextEncoder().encode("hello");
    const s = bytesToBigInt(new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", rsa.pair.privateKey, data)));
    let m = 1n;
    for (let b = s, e = key.exponent; e > 0n; e >>= 1n, b = (b * b) % key.modulus) if (e & 1n) m = (m * b) % key.modulus;
    const em = m.toString(16).padStart(key.modulusBytes * 2, "0");
    expect(em.startsWith("0001ffff")).toBe(true);
    expect(em.endsWith(bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data))))).toBe(true);
  });
});

describe("an X.509 certificate (made by OpenSSL) gives its public key", () => {
  it("RSA1_5: modulus equals `openssl x509 -modulus`, exponent 65537", async () => {
    const key = expectFamily(await importEncryptionKey(RSA_CERT_PEM, "RSA1_5", "A128CBC-HS256", src), "RSA1_5");
    expect(key.modulus).toBe(BigInt(`0x${RSA_CERT_MODULUS_HEX}`));
    expect(key.exponent).toBe(65537n);
    expect(key.modulusBytes).toBe(256);
  });

  it("RSA-OAEP-256: a 2048-bit public key whose thumbprint is that of openssl's modulus (and of jose's importX509)", async () => {
    const key = expectFamily(await importEncryptionKey(RSA_CERT_PEM.replace(/\n/g, "\r\n"), "RSA-OAEP-256", "A256GCM", src), "RSA-OAEP");
    const algorithm = key.key.algorithm as unknown as { name: string; modulusLength: number; hash: { name: string } };
    expect(algorithm).toMatchObject({ name: "RSA-OAEP", modulusLength: 2048, hash: { name: "SHA-256" } });
    const n = bytesToB64u(Uint8Array.from(RSA_CERT_MODULUS_HEX.match(/../g)!, (h) => parseInt(h, 16)));
    expect(key.thumbprint).toBe(await calculateJwkThumbprint({ kty: "RSA", n, e: "AQAB" }));
    const viaJose = await exportJWK(await importX509(RSA_CERT_PEM, "RSA-OAEP-256", { extractable: true }));
    expect(viaJose.n).toBe(n);
  });
});

describe("symmetric keys for A*KW and dir: JWK oct or 0x-hex of the exact length", () => {
  for (const [alg, bytes] of [["A128KW", 16], ["A192KW", 24], ["A256KW", 32]] as const) {
    for (const form of ["0x-hex", "JWK"] as const) {
      it(`${alg} from ${form}`, async () => {
        const raw = crypto.getRandomValues(new Uint8Array(bytes));
        const material = form === "JWK" ? { kty: "oct", k: bytesToB64u(raw), kid: "kw" } : `0x${bytesToHex(raw)}`;
        const key = expectFamily(await importEncryptionKey(material, alg, "A128GCM", src), "AES-KW");
        expect(key.key.extractable).toBe(false);
        expect(key.key.usages).toEqual(["wrapKey"]);
        expect(key.kid).toBe(form === "JWK" ? "kw" : undefined);
        // Wrap a CEK with the imported key; unwrap it with one imported independently from the raw bytes.
        const cek = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"])) as CryptoKey;
        const wrapped = await crypto.subtle.wrapKey("raw", cek, key.key, "AES-KW");
        const unwrapper = await crypto.subtle.importKey("raw", raw, "AES-KW", false, ["unwrapKey"]);
        const unwrapped = await crypto.subtle.unwrapKey("raw", wrapped, unwrapper, "AES-KW", "AES-GCM", true, ["encrypt"]);
        expect(new Uint8Array((await crypto.subtle.exportKey("raw", unwrapped)) as ArrayBuffer)).toEqual(new Uint8Array((await crypto.subtle.exportKey("raw", cek)) as ArrayBuffer));
      });
    }
  }

  for (const [enc, bytes] of [["A128CBC-HS256", 32], ["A192CBC-HS384", 48], ["A256CBC-HS512", 64], ["A128GCM", 16], ["A192GCM", 24], ["A256GCM", 32]] as const) {
    it(`dir with ${enc}: the CEK is the key's ${bytes} bytes`, async () => {
      const raw = crypto.getRandomValues(new Uint8Array(bytes));
      const fromHex = expectFamily(await importEncryptionKey(`0x${bytesToHex(raw)}`, "dir", enc, src), "dir");
      const fromJwk = expectFamily(await importEncryptionKey(JSON.stringify({ kty: "oct", k: bytesToB64u(raw) }), "dir", enc, src), "dir");
      expect(fromHex.cek).toEqual(raw);
      expect(fromJwk.cek).toEqual(raw);
    });
  }
});
