/**
 * Key normalisation for the independent verifiers. Uses node:crypto (OpenSSL) only, never
 * `jose` and never the worker's own key parsing, so a bug in src/keys cannot hide here.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";

/**
 * A key handed to the independent verifiers.
 * - `pem`: SPKI "PUBLIC KEY", PKCS#1 "RSA PUBLIC KEY", an X.509 "CERTIFICATE", or (for decryption)
 *   PKCS#8 "PRIVATE KEY" / PKCS#1 "RSA PRIVATE KEY" / SEC1 "EC PRIVATE KEY".
 * - `jwk`: a JSON Web Key (public, private or `oct`).
 * - `secret`: raw symmetric key bytes (a string is taken as UTF-8).
 */
export interface IndependentKey {
  pem?: string;
  jwk?: JsonWebKey;
  secret?: Uint8Array | string;
}

function countSources(key: IndependentKey): number {
  return [key.pem, key.jwk, key.secret].filter((v) => v !== undefined).length;
}

function secretBytes(secret: Uint8Array | string): Buffer {
  return typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
}

/** Public-key (or `oct`) JWK for signature verification. Private parts are dropped. */
export function publicJwk(key: IndependentKey): JsonWebKey {
  if (countSources(key) !== 1) throw new Error("independent key: give exactly one of pem, jwk, secret");
  if (key.secret !== undefined) return { kty: "oct", k: secretBytes(key.secret).toString("base64url") };
  if (key.jwk) {
    if (key.jwk.kty === "oct") return { kty: "oct", k: key.jwk.k };
    return createPublicKey({ key: key.jwk as never, format: "jwk" }).export({ format: "jwk" }) as JsonWebKey;
  }
  return pemPublicKey(key.pem as string).export({ format: "jwk" }) as JsonWebKey;
}

/** SPKI PEM of a public key (for libraries that want PEM). */
export function publicSpkiPem(key: IndependentKey): string {
  const jwk = publicJwk(key);
  if (jwk.kty === "oct") throw new Error("independent key: a symmetric key has no PEM form");
  return createPublicKey({ key: jwk as never, format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
}

function pemPublicKey(pem: string): KeyObject {
  if (pem.includes("-----BEGIN CERTIFICATE-----")) return new X509Certificate(pem).publicKey;
  // createPublicKey also accepts a private PEM and derives its public half.
  return createPublicKey(pem);
}

/** Private JWK (or `oct`) for decryption. */
export function privateJwk(key: IndependentKey): JsonWebKey {
  if (countSources(key) !== 1) throw new Error("independent key: give exactly one of pem, jwk, secret");
  if (key.secret !== undefined) return { kty: "oct", k: secretBytes(key.secret).toString("base64url") };
  if (key.jwk) {
    if (key.jwk.kty === "oct") return { kty: "oct", k: key.jwk.k };
    if (!key.jwk.d) throw new Error("independent key: decryption needs a private JWK");
    return { ...key.jwk };
  }
  return createPrivateKey(key.pem as string).export({ format: "jwk" }) as JsonWebKey;
}

/** Raw bytes of a symmetric key. */
export function octBytes(jwk: JsonWebKey): Buffer {
  if (jwk.kty !== "oct" || typeof jwk.k !== "string") throw new Error("independent key: not a symmetric key");
  return Buffer.from(jwk.k, "base64url");
}
