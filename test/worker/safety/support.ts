/**
 * Shared pieces of the safety suites: random secrets, key pairs, token checks with jose, and a
 * minimal definition builder (as objects, so values such as `__proto__` keys reach the compiler
 * exactly as generated, without a YAML round trip).
 */
import { compactDecrypt, compactVerify, importJWK } from "jose";
import { expect } from "vitest";
import { GENERIC_500_BODIES, type ReadResponse } from "./recorder";
import { toPem } from "../keys/helpers";

export const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
export const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
export const utf8 = (s: string) => new TextEncoder().encode(s);

/** Decodes one part of a compact token as JSON text (not parsed: exact bytes matter). */
export function partText(token: string, index: number): string {
  const b64 = (token.split(".")[index] ?? "").replace(/-/g, "+").replace(/_/g, "/");
  return new TextDecoder().decode(Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0)));
}

/** A swagger 2 definition object with one assembly. */
export function definition(basePath: string, execute: unknown[], opts: { name?: string; catch?: unknown[]; properties?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    swagger: "2.0",
    info: { title: opts.name ?? "safety", "x-ibm-name": opts.name ?? "safety", version: "1.0.0" },
    basePath,
    "x-ibm-configuration": {
      ...(opts.properties ? { properties: Object.fromEntries(Object.entries(opts.properties).map(([k, v]) => [k, { value: v }])) } : {}),
      assembly: { execute, ...(opts.catch ? { catch: opts.catch } : {}) },
    },
  };
}

/** A JSON file for gatewayFor / useSafety().gateway from a definition object. */
export const jsonFile = (name: string, def: Record<string, unknown>): Record<string, string> => ({ [`${name}.json`]: JSON.stringify(def) });

export interface SigningPair {
  alg: string;
  privatePem: string;
  publicPem: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  publicKey: CryptoKey;
}


/** A fresh signing key pair (ES256/ES384/RS256/PS256 …), exported in every form. */
export async function signingPair(alg: string): Promise<SigningPair> {
  const family = alg.slice(0, 2);
  const params =
    family === "ES"
      ? { name: "ECDSA", namedCurve: { "256": "P-256", "384": "P-384", "512": "P-521" }[alg.slice(2)] as string }
      : { name: family === "PS" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: `SHA-${alg.slice(2)}` };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const publicJwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  return {
    alg,
    privatePem: toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer),
    publicPem: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
    privateJwk: clean(privateJwk),
    publicJwk: clean(publicJwk),
    publicKey: pair.publicKey,
  };
}

/** An RSA-OAEP-256 recipient: public forms for the gateway, the private key for the test. */
export async function oaepPair(): Promise<{ publicPem: string; publicJwk: JsonWebKey; privateKey: CryptoKey; privateJwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey({ name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["encrypt", "decrypt"])) as CryptoKeyPair;
  return {
    publicPem: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
    publicJwk: clean((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey),
    privateKey: pair.privateKey,
    privateJwk: clean((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey),
  };
}

/** A JWK without members WebCrypto set to undefined, and without alg/key_ops/ext (they bind usage). */
function clean(jwk: JsonWebKey): JsonWebKey {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(jwk)) if (v !== undefined && !["alg", "key_ops", "ext"].includes(k)) out[k] = v;
  return out as unknown as JsonWebKey;
}

/** Verifies a compact JWS with `key`; returns the header and payload as exact text. */
export async function verifyJws(token: string, key: CryptoKey | Uint8Array, alg: string): Promise<{ header: string; payload: string }> {
  const { payload } = await compactVerify(token, key, { algorithms: [alg] });
  return { header: partText(token, 0), payload: new TextDecoder().decode(payload) };
}

/** Decrypts a compact JWE with `key`; returns the protected header text and the plaintext. */
export async function decryptJwe(token: string, key: CryptoKey | Uint8Array, alg: string, enc: string): Promise<{ header: string; plaintext: string }> {
  const { plaintext } = await compactDecrypt(token, key, { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc] });
  return { header: partText(token, 0), plaintext: new TextDecoder().decode(plaintext) };
}

export const publicKeyOf = (jwk: JsonWebKey, alg: string) => importJWK(jwk as never, alg) as Promise<CryptoKey>;

/** A 500 must be exactly one of API Connect's generic bodies: nothing more reaches the client. */
export function expectGeneric500(res: ReadResponse): void {
  expect(res.status).toBe(500);
  expect(GENERIC_500_BODIES.has(res.body), `500 body is not generic: ${res.body.slice(0, 300)}`).toBe(true);
}

/** Counts outcomes of a property, for the summary line and SECURITY.md figures. */
export class Tally {
  readonly counts = new Map<string, number>();
  add(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  get(outcome: string): number {
    return this.counts.get(outcome) ?? 0;
  }
  toString(): string {
    return [...this.counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(" ");
  }
}
