/**
 * Test keys, made fresh with WebCrypto, and the other PEM forms built from them with a DER writer
 * that is independent of src/keys (so a shared bug cannot make a test pass).
 */
import { expect } from "vitest";
import { JWS_ALGORITHMS, type JwsAlgorithm } from "../../../src/jose/algorithms";
import { KeyError } from "../../../src/keys";

export type Curve = "P-256" | "P-384" | "P-521";

export const b64uToBytes = (s: string): Uint8Array => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
export const bytesToB64u = (b: Uint8Array): string => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
export const bytesToHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
export const bytesToBigInt = (b: Uint8Array): bigint => BigInt(`0x0${bytesToHex(b)}`);

/** PEM text of DER bytes, 64 columns. */
export function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `-----BEGIN ${label}-----\n${btoa(binary).replace(/.{64}/g, "$&\n").trimEnd()}\n-----END ${label}-----\n`;
}

/** The base64 body of a PEM, for "the message must not contain this" checks. */
export const pemBody = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");

// ---- an independent, hand-written DER writer ----

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) body.set(p, (o += p.length) - p.length);
  const n = body.length;
  const len = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return new Uint8Array([tag, ...len, ...body]);
}
const int = (magnitude: Uint8Array) => tlv(0x02, ...(magnitude[0]! & 0x80 ? [new Uint8Array([0]), magnitude] : [magnitude]));
const CURVE_OID_DER: Record<Curve, number[]> = {
  "P-256": [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
  "P-384": [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
  "P-521": [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
};

/** The privateKey OCTET STRING inside a PKCS#8 PrivateKeyInfo (for RSA, that is PKCS#1). */
export function innerOfPkcs8(pkcs8: ArrayBuffer): Uint8Array {
  const b = new Uint8Array(pkcs8);
  const skip = (o: number): [number, number] => {
    // returns [content start, content end] of the element at o
    const l = b[o + 1]!;
    if (l < 128) return [o + 2, o + 2 + l];
    const n = l & 127;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[o + 2 + i]!;
    return [o + 2 + n, o + 2 + n + len];
  };
  const [seqStart] = skip(0);
  const [, versionEnd] = skip(seqStart);
  const [, algEnd] = skip(versionEnd);
  expect(b[algEnd]).toBe(0x04);
  const [keyStart, keyEnd] = skip(algEnd);
  return b.slice(keyStart, keyEnd);
}

/** SEC1 ECPrivateKey from a private JWK, with [0] parameters and [1] public key unless told otherwise. */
export function sec1(crv: Curve, jwk: JsonWebKey, opts: { params?: boolean; publicKey?: boolean } = {}): Uint8Array {
  const parts = [tlv(0x02, new Uint8Array([1])), tlv(0x04, b64uToBytes(jwk.d!))];
  if (opts.params !== false) parts.push(tlv(0xa0, new Uint8Array(CURVE_OID_DER[crv])));
  if (opts.publicKey !== false) parts.push(tlv(0xa1, tlv(0x03, new Uint8Array([0, 4]), b64uToBytes(jwk.x!), b64uToBytes(jwk.y!))));
  return tlv(0x30, ...parts);
}

/** PKCS#1 RSAPublicKey from a JWK. */
export const pkcs1Public = (jwk: JsonWebKey): Uint8Array => tlv(0x30, int(b64uToBytes(jwk.n!)), int(b64uToBytes(jwk.e!)));

// ---- key generation ----

export interface RsaTestKey {
  pair: CryptoKeyPair;
  pkcs8: ArrayBuffer;
  spki: ArrayBuffer;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

export async function rsaKey(modulusLength = 2048): Promise<RsaTestKey> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return {
    pair,
    pkcs8: (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer,
    spki: (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer,
    privateJwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
    publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
  };
}

export interface EcTestKey extends RsaTestKey {
  crv: Curve;
}

export async function ecKey(crv: Curve): Promise<EcTestKey> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: crv }, true, ["sign", "verify"])) as CryptoKeyPair;
  return {
    crv,
    pair,
    pkcs8: (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer,
    spki: (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer,
    privateJwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
    publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
  };
}

/** Only the RFC 7517 members of a key (drops WebCrypto's alg/ext/key_ops). */
export function bareJwk(jwk: JsonWebKey, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of ["kty", "crv", "n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k"] as const) if (jwk[m] !== undefined) out[m] = jwk[m];
  return { ...out, ...extra };
}

// ---- signing checks ----

function signParams(alg: JwsAlgorithm) {
  const spec = JWS_ALGORITHMS[alg];
  if (spec.family === "RSA-PSS") return { name: "RSA-PSS", saltLength: spec.saltLength! };
  if (spec.family === "ECDSA") return { name: "ECDSA", hash: spec.hash };
  return { name: spec.family };
}

/** A verification key for `alg` imported from SPKI, independently of src/keys. */
export function verifierFromSpki(spki: ArrayBuffer, alg: JwsAlgorithm): Promise<CryptoKey> {
  const spec = JWS_ALGORITHMS[alg];
  const params = spec.family === "ECDSA" ? { name: "ECDSA", namedCurve: spec.curve! } : { name: spec.family, hash: spec.hash };
  return crypto.subtle.importKey("spki", spki, params, false, ["verify"]);
}

const DATA = new TextEncoder().encode("eyJhbGciOiJ0ZXN0In0.eyJpc3MiOiJ0ZXN0In0");

/** Signs with the imported key and verifies with an independently imported one. */
export async function signsAndVerifies(key: CryptoKey, verifier: CryptoKey, alg: JwsAlgorithm): Promise<boolean> {
  const signature = await crypto.subtle.sign(signParams(alg), key, DATA);
  return crypto.subtle.verify(signParams(alg), verifier, signature, DATA);
}

/** HMAC over DATA with `secret`, computed independently. */
export async function hmac(secret: Uint8Array, alg: JwsAlgorithm): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: JWS_ALGORITHMS[alg].hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, DATA));
}

export async function sign(key: CryptoKey, alg: JwsAlgorithm): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(signParams(alg), key, DATA));
}

// ---- error checks ----

/**
 * Awaits a rejection and checks it is a KeyError whose message matches `pattern` and contains
 * none of `secrets` (nor any 24-character slice of them).
 */
export async function expectKeyError(promise: Promise<unknown>, pattern: RegExp, secrets: string[] = []): Promise<string> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, "expected a KeyError").toBeInstanceOf(KeyError);
  const e = error as KeyError;
  expect(e.name).toBe("KeyError");
  expect(e.message).toMatch(pattern);
  for (const secret of secrets) {
    for (let i = 0; i + 24 <= secret.length; i += 12) expect(e.message).not.toContain(secret.slice(i, i + 24));
    if (secret.length < 24) expect(e.message).not.toContain(secret);
    expect(String(e.stack ?? "")).not.toContain(secret.slice(0, 24));
  }
  return e.message;
}
