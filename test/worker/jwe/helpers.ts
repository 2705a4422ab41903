/**
 * Test-only decryption helpers, written independently of src/jwe (no imports from it), so that a round
 * trip checks the implementation against a second reading of the RFCs rather than against itself.
 * RSA1_5 decryption here uses the private exponent directly: fine for tests, never for production.
 */
import { decodeBase64Url } from "../../../src/jose/base64url";

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error("bad hex");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export const b64uToBigInt = (s: string): bigint => BigInt("0x0" + toHex(decodeBase64Url(s)));

/** Independent modular exponentiation (left-to-right, unlike the implementation's right-to-left). */
export function powMod(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  const b = base % mod;
  for (const bit of exp.toString(2)) {
    r = (r * r) % mod;
    if (bit === "1") r = (r * b) % mod;
  }
  return r;
}

export interface RsaPrivate {
  n: bigint;
  d: bigint;
  k: number;
}

export function rsaPrivateFromJwk(jwk: { n?: string; d?: string }): RsaPrivate {
  if (!jwk.n || !jwk.d) throw new Error("JWK lacks n or d");
  return { n: b64uToBigInt(jwk.n), d: b64uToBigInt(jwk.d), k: decodeBase64Url(jwk.n).length };
}

/** RSADP then the PKCS #1 v1.5 encoded message EM, k bytes, unparsed. */
export function rsaRawDecrypt(key: RsaPrivate, c: Uint8Array): Uint8Array {
  if (c.length !== key.k) throw new Error(`ciphertext is ${c.length} bytes, expected ${key.k}`);
  const m = powMod(BigInt("0x0" + toHex(c)), key.d, key.n);
  return hex(m.toString(16).padStart(key.k * 2, "0"));
}

/** Strictly parses EM = 0x00 || 0x02 || PS (>= 8 non-zero bytes) || 0x00 || M; returns { ps, m }. */
export function parsePkcs1v15(em: Uint8Array): { ps: Uint8Array; m: Uint8Array } {
  if (em[0] !== 0x00 || em[1] !== 0x02) throw new Error("EM does not start 00 02");
  const sep = em.indexOf(0, 2);
  if (sep < 0) throw new Error("no separator");
  const ps = em.subarray(2, sep);
  if (ps.length < 8) throw new Error(`PS is ${ps.length} bytes`);
  return { ps, m: em.subarray(sep + 1) };
}

const CONTENT: Record<string, { gcm: boolean; cekBytes: number; hash?: string }> = {
  "A128CBC-HS256": { gcm: false, cekBytes: 32, hash: "SHA-256" },
  "A192CBC-HS384": { gcm: false, cekBytes: 48, hash: "SHA-384" },
  "A256CBC-HS512": { gcm: false, cekBytes: 64, hash: "SHA-512" },
  A128GCM: { gcm: true, cekBytes: 16 },
  A192GCM: { gcm: true, cekBytes: 24 },
  A256GCM: { gcm: true, cekBytes: 32 },
};

/** Content decryption on WebCrypto (RFC 7518 §5.2.2.2 and §5.3); throws when the tag does not verify. */
export async function decryptContent(enc: string, cek: Uint8Array, iv: Uint8Array, ct: Uint8Array, tag: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const spec = CONTENT[enc];
  if (!spec) throw new Error(`unknown enc ${enc}`);
  if (cek.length !== spec.cekBytes) throw new Error(`CEK is ${cek.length} bytes`);
  if (spec.gcm) {
    const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
    const both = new Uint8Array(ct.length + tag.length);
    both.set(ct);
    both.set(tag, ct.length);
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, both));
  }
  const half = cek.length / 2;
  const macKey = await crypto.subtle.importKey("raw", cek.slice(0, half), { name: "HMAC", hash: spec.hash! }, false, ["sign"]);
  const al = new Uint8Array(8);
  const bits = aad.length * 8;
  al[4] = (bits >>> 24) & 0xff;
  al[5] = (bits >>> 16) & 0xff;
  al[6] = (bits >>> 8) & 0xff;
  al[7] = bits & 0xff;
  const macInput = new Uint8Array([...aad, ...iv, ...ct, ...al]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", macKey, macInput)).slice(0, half);
  if (toHex(mac) !== toHex(tag)) throw new Error("authentication tag mismatch");
  const encKey = await crypto.subtle.importKey("raw", cek.slice(half), "AES-CBC", false, ["decrypt"]);
  return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, encKey, ct));
}

export interface CompactParts {
  protectedB64: string;
  header: Record<string, unknown>;
  encryptedKey: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
  aad: Uint8Array;
}

export function splitCompact(token: string): CompactParts {
  const parts = token.split(".");
  if (parts.length !== 5) throw new Error(`${parts.length} parts`);
  const [p, k, i, c, t] = parts as [string, string, string, string, string];
  return {
    protectedB64: p,
    header: JSON.parse(text(decodeBase64Url(p))) as Record<string, unknown>,
    encryptedKey: decodeBase64Url(k),
    iv: decodeBase64Url(i),
    ciphertext: decodeBase64Url(c),
    tag: decodeBase64Url(t),
    aad: utf8(p),
  };
}

/** Full RSA1_5 compact JWE decryption (jose 6 has no RSA1_5): BigInt RSADP, strict EM parse, WebCrypto content. */
export async function decryptRsa15Compact(token: string, key: RsaPrivate): Promise<{ plaintext: Uint8Array; cek: Uint8Array; parts: CompactParts }> {
  const parts = splitCompact(token);
  if (parts.header.alg !== "RSA1_5") throw new Error("not RSA1_5");
  const { m: cek } = parsePkcs1v15(rsaRawDecrypt(key, parts.encryptedKey));
  const plaintext = await decryptContent(String(parts.header.enc), cek, parts.iv, parts.ciphertext, parts.tag, parts.aad);
  return { plaintext, cek, parts };
}
