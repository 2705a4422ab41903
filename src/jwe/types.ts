import type { JweContentAlgorithm, JweKeyAlgorithm } from "../jose/algorithms";

/**
 * A recipient's key, already parsed and imported (src/keys produces these).
 * `family` must match JWE_KEY_ALGORITHMS[alg].family.
 */
export type EncryptionKey =
  | {
      family: "RSA-OAEP";
      /** RSA-OAEP public key, hash SHA-1 (RSA-OAEP) or SHA-256 (RSA-OAEP-256), usage "encrypt". */
      key: CryptoKey;
      kid?: string;
      thumbprint?: string;
    }
  | {
      family: "RSA1_5";
      /** RSAES-PKCS1-v1_5 is not in WebCrypto: the raw public key for our own implementation. */
      modulus: bigint;
      exponent: bigint;
      /** k: the length of the modulus in bytes. */
      modulusBytes: number;
      kid?: string;
      thumbprint?: string;
    }
  | {
      family: "AES-KW";
      /** AES-KW key of the alg's length, usage "wrapKey". */
      key: CryptoKey;
      kid?: string;
    }
  | {
      family: "ECDH-ES";
      /** The recipient's public key: ECDH on P-256/384/521, or X25519. No usages (a public agreement key). */
      key: CryptoKey;
      crv: "P-256" | "P-384" | "P-521" | "X25519";
      kid?: string;
      thumbprint?: string;
    }
  | {
      family: "dir";
      /** The content encryption key itself; its length must be the enc's cekBytes. */
      cek: Uint8Array;
      kid?: string;
    };

/** The JWE protected header. Serialized in this order: alg, enc, kid, cty (RFC 7516 §4). */
export interface JweHeader {
  alg: JweKeyAlgorithm;
  enc: JweContentAlgorithm;
  kid?: string | undefined;
  cty?: string | undefined;
}

/** Fixed values for known-answer tests only. Never set these in production: they defeat the randomness. */
export interface JweTestingOverrides {
  /** The content encryption key (not with `dir`, where the key is the CEK). */
  cek?: Uint8Array;
  iv?: Uint8Array;
  /** ECDH-ES: the ephemeral key pair (RFC 7518 Appendix C), and the PartyUInfo/PartyVInfo it uses. */
  ephemeral?: CryptoKeyPair;
  apu?: Uint8Array;
  apv?: Uint8Array;
  /** RSA1_5: the PS padding string, k - |CEK| - 3 non-zero bytes. */
  rsa15Padding?: Uint8Array;
}
