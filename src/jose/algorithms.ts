/**
 * The algorithms jwt-generate accepts, as data: adding one is a row, not a branch.
 * Names and parameters follow RFC 7518.
 */

export type HashName = "SHA-256" | "SHA-384" | "SHA-512";

export type JwsAlgorithm =
  | "HS256" | "HS384" | "HS512"
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512"
  | "ES256" | "ES384" | "ES512"
  | "EdDSA";

export type JwsFamily = "HMAC" | "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "ECDSA" | "EdDSA";

export interface JwsAlgorithmSpec {
  family: JwsFamily;
  hash: HashName;
  /** ECDSA and EdDSA: the curve the key must be on. */
  curve?: "P-256" | "P-384" | "P-521" | "Ed25519";
  /** RSA-PSS only: salt length in bytes (the hash length, RFC 7518 §3.5). */
  saltLength?: number;
  /** Smallest acceptable key: bits for RSA and EC, bytes for HMAC secrets (see minSecretBytes). */
  minKeySize: number;
}

export const JWS_ALGORITHMS: Readonly<Record<JwsAlgorithm, JwsAlgorithmSpec>> = {
  HS256: { family: "HMAC", hash: "SHA-256", minKeySize: 32 },
  HS384: { family: "HMAC", hash: "SHA-384", minKeySize: 48 },
  HS512: { family: "HMAC", hash: "SHA-512", minKeySize: 64 },
  RS256: { family: "RSASSA-PKCS1-v1_5", hash: "SHA-256", minKeySize: 2048 },
  RS384: { family: "RSASSA-PKCS1-v1_5", hash: "SHA-384", minKeySize: 2048 },
  RS512: { family: "RSASSA-PKCS1-v1_5", hash: "SHA-512", minKeySize: 2048 },
  PS256: { family: "RSA-PSS", hash: "SHA-256", saltLength: 32, minKeySize: 2048 },
  PS384: { family: "RSA-PSS", hash: "SHA-384", saltLength: 48, minKeySize: 2048 },
  PS512: { family: "RSA-PSS", hash: "SHA-512", saltLength: 64, minKeySize: 2048 },
  ES256: { family: "ECDSA", hash: "SHA-256", curve: "P-256", minKeySize: 256 },
  ES384: { family: "ECDSA", hash: "SHA-384", curve: "P-384", minKeySize: 384 },
  ES512: { family: "ECDSA", hash: "SHA-512", curve: "P-521", minKeySize: 521 },
  // RFC 8037 §3.1: EdDSA with Ed25519 (Ed448 is not in WebCrypto). The hash is Ed25519's own, internal one.
  EdDSA: { family: "EdDSA", hash: "SHA-512", curve: "Ed25519", minKeySize: 256 },
};

export type JweKeyAlgorithm =
  | "RSA1_5" | "RSA-OAEP" | "RSA-OAEP-256" | "dir" | "A128KW" | "A192KW" | "A256KW"
  | "ECDH-ES" | "ECDH-ES+A128KW" | "ECDH-ES+A192KW" | "ECDH-ES+A256KW";

export interface JweKeyAlgorithmSpec {
  family: "RSA1_5" | "RSA-OAEP" | "dir" | "AES-KW" | "ECDH-ES";
  /** RSA-OAEP: the OAEP hash. */
  hash?: "SHA-1" | "SHA-256";
  /** AES-KW: the exact key length in bytes; ECDH-ES+A*KW: the length of the derived key-wrapping key (absent: direct agreement). */
  keyBytes?: number;
}

export const JWE_KEY_ALGORITHMS: Readonly<Record<JweKeyAlgorithm, JweKeyAlgorithmSpec>> = {
  RSA1_5: { family: "RSA1_5" },
  "RSA-OAEP": { family: "RSA-OAEP", hash: "SHA-1" },
  "RSA-OAEP-256": { family: "RSA-OAEP", hash: "SHA-256" },
  dir: { family: "dir" },
  A128KW: { family: "AES-KW", keyBytes: 16 },
  A192KW: { family: "AES-KW", keyBytes: 24 },
  A256KW: { family: "AES-KW", keyBytes: 32 },
  // RFC 7518 §4.6: key agreement with an ephemeral key (P-256/384/521 or X25519, RFC 8037 §3.2), Concat KDF.
  "ECDH-ES": { family: "ECDH-ES" },
  "ECDH-ES+A128KW": { family: "ECDH-ES", keyBytes: 16 },
  "ECDH-ES+A192KW": { family: "ECDH-ES", keyBytes: 24 },
  "ECDH-ES+A256KW": { family: "ECDH-ES", keyBytes: 32 },
};

export type JweContentAlgorithm =
  | "A128CBC-HS256" | "A192CBC-HS384" | "A256CBC-HS512"
  | "A128GCM" | "A192GCM" | "A256GCM";

export interface JweContentAlgorithmSpec {
  family: "AES-CBC-HMAC" | "AES-GCM";
  /** The content encryption key length in bytes (for CBC-HMAC: MAC key + encryption key). */
  cekBytes: number;
  ivBytes: number;
  /** CBC-HMAC only: the HMAC hash; the tag is the first cekBytes/2 bytes of the MAC. */
  hash?: HashName;
}

export const JWE_CONTENT_ALGORITHMS: Readonly<Record<JweContentAlgorithm, JweContentAlgorithmSpec>> = {
  "A128CBC-HS256": { family: "AES-CBC-HMAC", cekBytes: 32, ivBytes: 16, hash: "SHA-256" },
  "A192CBC-HS384": { family: "AES-CBC-HMAC", cekBytes: 48, ivBytes: 16, hash: "SHA-384" },
  "A256CBC-HS512": { family: "AES-CBC-HMAC", cekBytes: 64, ivBytes: 16, hash: "SHA-512" },
  A128GCM: { family: "AES-GCM", cekBytes: 16, ivBytes: 12 },
  A192GCM: { family: "AES-GCM", cekBytes: 24, ivBytes: 12 },
  A256GCM: { family: "AES-GCM", cekBytes: 32, ivBytes: 12 },
};

/**
 * RFC 7518 §3.2: "A key of the same size as the hash output (for instance, 256 bits for "HS256")
 * or larger MUST be used". The minimum shared-secret length in bytes for an HS* algorithm; read
 * by minting and by verification alike, so both refuse the same secrets.
 */
export function minSecretBytes(alg: JwsAlgorithm): number {
  const spec = JWS_ALGORITHMS[alg];
  if (spec.family !== "HMAC") throw new TypeError(`${alg} does not use a shared secret`);
  return spec.minKeySize;
}

export const isJwsAlgorithm = (v: string): v is JwsAlgorithm => Object.hasOwn(JWS_ALGORITHMS, v);
export const isJweKeyAlgorithm = (v: string): v is JweKeyAlgorithm => Object.hasOwn(JWE_KEY_ALGORITHMS, v);
export const isJweContentAlgorithm = (v: string): v is JweContentAlgorithm => Object.hasOwn(JWE_CONTENT_ALGORITHMS, v);
