import type { JwsAlgorithm } from "../jose/algorithms";

/**
 * Key material as configured: a string is PEM, JSON JWK text, `0x`-hex or a plain-text secret;
 * an object is a JWK (for example the value of a `jws-jwk` variable).
 */
export type KeyMaterial = string | Record<string, unknown>;

/** A key ready for signing with `alg`. */
export interface SigningKey {
  /** Non-extractable, usage "sign", with the algorithm parameters of `alg`. */
  key: CryptoKey;
  alg: JwsAlgorithm;
  /** The JWK's own `kid` member, when the material was a JWK that had one. */
  kid?: string;
  /** RFC 7638 SHA-256 thumbprint (base64url) of the public key; asymmetric keys only, never secrets. */
  thumbprint?: string;
}

/**
 * A recipient's key for JWE, tagged by the key-management family of `alg`. Defined by its
 * consumer, src/jwe; re-exported here so both sides share one definition.
 */
export type { EncryptionKey } from "../jwe/types";

/** The EC curves JWS uses (ES256/384/512). */
export type Curve = "P-256" | "P-384" | "P-521";

/** RFC 8037 octet key pair curves: Ed25519 signs (EdDSA), X25519 agrees keys (ECDH-ES). */
export type OkpCurve = "Ed25519" | "X25519";

/** How a private key reaches WebCrypto's importKey. */
export type PrivateImport = { format: "pkcs8"; data: Uint8Array } | { format: "jwk"; data: JsonWebKey };

/** Where parsed material came from; used in messages ("an RSA private key (PKCS#1 PEM)"). */
export type MaterialForm =
  | "PKCS#8 PEM" | "PKCS#1 PEM" | "SEC1 PEM" | "SPKI PEM" | "PKCS#1 public PEM" | "X.509 certificate"
  | "JWK" | "0x-hex" | "text";

/**
 * Material after parsing, before WebCrypto: enough to check it against an algorithm and to say
 * precisely what is wrong, plus the public members for a thumbprint.
 */
export type ParsedKey = (
  | { kty: "RSA"; n: Uint8Array; e: Uint8Array; private?: PrivateImport }
  | { kty: "EC"; crv: Curve; x?: Uint8Array; y?: Uint8Array; private?: PrivateImport }
  | { kty: "oct"; bytes: Uint8Array }
  | { kty: "OKP"; crv: OkpCurve; x?: Uint8Array; private?: PrivateImport }
) & { form: MaterialForm; kid?: string };
