import { JWS_ALGORITHMS, type JwsAlgorithm } from "./algorithms";
import { encodeBase64Url } from "./base64url";

type SignParams = Parameters<SubtleCrypto["sign"]>[0];

/** WebCrypto's parameters for each JWS algorithm, computed once. ECDSA output is already JWS's r‖s. */
export const SIGN_PARAMS = Object.fromEntries(
  Object.entries(JWS_ALGORITHMS).map(([alg, spec]) => {
    switch (spec.family) {
      case "HMAC":
        return [alg, { name: "HMAC" }];
      case "RSASSA-PKCS1-v1_5":
        return [alg, { name: "RSASSA-PKCS1-v1_5" }];
      case "RSA-PSS":
        return [alg, { name: "RSA-PSS", saltLength: spec.saltLength }];
      case "ECDSA":
        return [alg, { name: "ECDSA", hash: spec.hash }];
      case "EdDSA":
        return [alg, { name: "Ed25519" }];
    }
  }),
) as Record<JwsAlgorithm, SignParams>;

const encoder = new TextEncoder();

/**
 * Signs `protectedB64.payloadB64` and returns the compact JWS. The caller gives the header
 * already encoded, so a header that never changes is encoded once, not per token.
 */
export function signCompact(alg: JwsAlgorithm, key: CryptoKey, protectedB64: string, payloadB64: string): Promise<string> {
  return signCompactThen(alg, key, protectedB64, payloadB64, (token) => token);
}

/**
 * signCompact, with what to do with the token (and with a failure to sign) in the same reaction:
 * a plain promise chain, one hop per token, where an HS256 token takes about 3 µs in all.
 */
export function signCompactThen<T>(
  alg: JwsAlgorithm, key: CryptoKey, protectedB64: string, payloadB64: string,
  onToken: (token: string) => T, onError?: (e: unknown) => never,
): Promise<T> {
  const signingInput = `${protectedB64}.${payloadB64}`;
  return crypto.subtle.sign(SIGN_PARAMS[alg], key, encoder.encode(signingInput)).then((signature) => onToken(`${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`), onError);
}
