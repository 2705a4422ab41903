/**
 * Token checks with jose: compact JWS (jwtVerify), JWE (compactDecrypt / jwtDecrypt) and nested
 * tokens (decrypt, then verify the inner JWS). This file decides which key and which algorithms
 * jose may use; jose does the cryptography and the exp/nbf/iat checks.
 */
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, jwtDecrypt, jwtVerify, type JWTHeaderParameters, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import {
  JWS_ALGORITHMS, isJweContentAlgorithm, isJweKeyAlgorithm, isJwsAlgorithm,
  type JwsAlgorithm,
} from "../../jose/algorithms";
import { KeyError } from "../../keys";
import type { RemoteJwks } from "./config";
import { quoted, TokenRejected } from "./errors";
import type { KeySet } from "./keys";

/** Allowed clock difference for exp and nbf, in seconds (documented in docs/jwt-validate.md). */
export const CLOCK_TOLERANCE_SECONDS = 30;

const ALL_ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"];
/** A remote JWKS holds public keys: symmetric algorithms are never accepted from it. */
const ALL_JWS_ALGS = Object.keys(JWS_ALGORITHMS) as JwsAlgorithm[];
const ASYMMETRIC_ALGS = ALL_JWS_ALGS.filter((a) => JWS_ALGORITHMS[a].family !== "HMAC");
const MIN_RSA_BITS = 2048;

export interface Verifiers {
  /** Verification keys, when configured (jws-crypto / jws-jwk). */
  jws?: () => KeySet | Promise<KeySet>;
  /** Decryption keys, when configured (jwe-crypto / jwe-jwk). */
  jwe?: () => KeySet | Promise<KeySet>;
  remote?: RemoteKeys;
  /** Headers already checked for this policy (see KnownHeaders). */
  headers?: KnownHeaders;
}

/** The claims (as jose's `{payload}`, one hop fewer) once every configured check passed. Rejects with TokenRejected, KeyError or a jose error. */
export type Verified = Promise<{ payload: JWTPayload }>;

/** The claims of `token` once every configured check passed. Throws TokenRejected, KeyError or a jose error. */
export function verifyToken(token: string, keys: Verifiers): Verified {
  const parts = dotCount(token) + 1;
  if (parts === 5) {
    if (!keys.jwe) return Promise.reject(new TokenRejected("the token is a JWE (encrypted), but no decryption key is configured (jwe-crypto or jwe-jwk)"));
    return decrypt(token, keys, keys.jwe);
  }
  if (parts !== 3) return Promise.reject(new TokenRejected(`the token is malformed: ${parts} dot-separated parts, expected 3 (JWS) or 5 (JWE)`));
  if (keys.jwe) return Promise.reject(new TokenRejected("the token is not encrypted, but a decryption key is configured (jwe-crypto or jwe-jwk), so a JWE is required"));
  return verifySigned(token, keys);
}

/** The number of dots in `token`, without splitting it. */
function dotCount(token: string): number {
  let count = 0;
  for (let at = token.indexOf("."); at !== -1; at = token.indexOf(".", at + 1)) count++;
  return count;
}

/** jose's options: every JWS algorithm (the key set binds the key to the header's alg), or one. */
const ANY_ALG_OPTIONS = { algorithms: ALL_JWS_ALGS, clockTolerance: CLOCK_TOLERANCE_SECONDS };
const ONE_ALG_OPTIONS = Object.fromEntries(ALL_JWS_ALGS.map((alg) => [alg, { algorithms: [alg], clockTolerance: CLOCK_TOLERANCE_SECONDS }])) as Record<
  JwsAlgorithm, { algorithms: JwsAlgorithm[]; clockTolerance: number }
>;

/** Checked headers remembered per policy: at most this many (header texts come from tokens). */
const MAX_KNOWN_HEADERS = 32;

/**
 * The JWS headers a policy has already seen on a token that verified, by their encoded text: the
 * same text decodes to the same header, so checkHeader's answer for it is known. Lets a token with a
 * known header go to jose with its key already chosen (no key callback, one algorithm allowed),
 * while jose still parses the header and checks alg, crit, b64, the key's type and the signature.
 */
export class KnownHeaders {
  private readonly known = new Map<string, KnownHeader>();
  /** The last one found: usually every token has it, and it is checked without slicing the token. */
  private last: KnownHeader | undefined;

  /** The known header `token` starts with, if any. */
  of(token: string): KnownHeader | undefined {
    const last = this.last;
    const end = token.indexOf(".");
    if (last !== undefined && end === last.encoded.length && token.startsWith(last.encoded)) return last;
    const found = this.known.get(token.slice(0, end));
    if (found !== undefined) this.last = found;
    return found;
  }

  remember(encoded: string, alg: JwsAlgorithm, kid: string | undefined): void {
    if (this.known.size < MAX_KNOWN_HEADERS) this.known.set(encoded, { encoded, alg, kid });
  }
}

interface KnownHeader {
  encoded: string;
  alg: JwsAlgorithm;
  kid: string | undefined;
}

/** A signed token's claims. Not an async function: the common case (key set held, header known) adds no hop to jose's. */
function verifySigned(token: string, keys: Verifiers): Verified {
  if (keys.remote) return verifyRemote(token, keys.remote);
  if (!keys.jws) return Promise.reject(new TokenRejected("the token is signed, but no verification key is configured (jws-crypto or jws-jwk)"));
  const headers = keys.headers;
  let loaded: KeySet | Promise<KeySet>;
  try {
    loaded = keys.jws();
  } catch (e) {
    return Promise.reject(e);
  }
  return loaded instanceof Promise ? loaded.then((set) => verifyWithSet(token, set, headers)) : verifyWithSet(token, loaded, headers);
}

function verifyRemote(token: string, remote: RemoteKeys): Verified {
  return jwtVerify(token, (header, t) => remote.getKey(checkHeader(header).header, t), { algorithms: ASYMMETRIC_ALGS, clockTolerance: CLOCK_TOLERANCE_SECONDS });
}

function verifyWithSet(token: string, set: KeySet, headers: KnownHeaders | undefined): Verified {
  const known = headers?.of(token);
  if (known === undefined) return verifyFirstSeen(token, set, headers);
  let key: CryptoKey | Promise<CryptoKey>;
  try {
    key = set.forSignature(known.alg, known.kid);
  } catch (e) {
    return Promise.reject(e);
  }
  const options = ONE_ALG_OPTIONS[known.alg];
  return key instanceof Promise ? key.then((k) => jwtVerify(token, k, options)) : jwtVerify(token, key, options);
}

/** A header not seen yet on a good token: jose parses it and asks for the key, checkHeader decides. */
async function verifyFirstSeen(token: string, set: KeySet, headers: KnownHeaders | undefined): Verified {
  // The key is bound to the header's alg by the set, and jose checks again that the CryptoKey's
  // algorithm is that alg: no alg switching.
  let checked: { header: ProtectedHeaderParameters; alg: JwsAlgorithm } | undefined;
  const result = await jwtVerify(
    token,
    (header: JWTHeaderParameters) => {
      checked = checkHeader(header);
      return set.forSignature(checked.alg, checked.header.kid);
    },
    ANY_ALG_OPTIONS,
  );
  if (checked !== undefined) headers?.remember(token.slice(0, token.indexOf(".")), checked.alg, checked.header.kid);
  return result;
}

/** The JWS header's checks before any key is used: a known alg (never none), a string kid, no embedded key. */
function checkHeader(header: ProtectedHeaderParameters): { header: ProtectedHeaderParameters; alg: JwsAlgorithm } {
  const alg = header.alg;
  if (alg === undefined || alg === "none" || !isJwsAlgorithm(alg)) throw new TokenRejected(`the token's alg ${quoted(alg)} is not accepted (HS, RS, PS, ES and EdDSA only; never none)`);
  checkKeyHeaders(header);
  return { header, alg };
}

async function decrypt(token: string, keys: Verifiers, jwe: () => KeySet | Promise<KeySet>): Verified {
  const header = headerOf(token);
  const { alg, enc } = header;
  if (alg === "RSA1_5") {
    throw new TokenRejected("the token's key management algorithm RSA1_5 is not accepted: RSAES-PKCS1-v1_5 decryption is unsafe (RFC 8725 §3.2) and unavailable in Workers; use RSA-OAEP-256");
  }
  if (alg === undefined || !isJweKeyAlgorithm(alg)) throw new TokenRejected(`the token's JWE alg ${quoted(alg)} is not supported`);
  if (enc === undefined || !isJweContentAlgorithm(enc)) throw new TokenRejected(`the token's JWE enc ${quoted(enc)} is not supported`);
  const set = await jwe();
  const key = await set.forDecryption(alg, enc, header.kid);
  const options = { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: ALL_ENCS };
  if (!keys.jws && !keys.remote) {
    if (typeof header.cty === "string" && header.cty.toUpperCase() === "JWT") {
      throw new TokenRejected("the token is nested (a signed JWT inside the JWE), but no verification key is configured (jws-crypto, jws-jwk or x-edge.jwks-url)");
    }
    // JWE only: the plaintext is the claims set.
    return jwtDecrypt(token, key, { ...options, clockTolerance: CLOCK_TOLERANCE_SECONDS });
  }
  const { plaintext } = await compactDecrypt(token, key, options);
  const inner = new TextDecoder().decode(plaintext);
  if (inner.split(".").length !== 3) {
    throw new TokenRejected("the token is encrypted but its content is not a signed JWT, and this policy requires a signature (jws-crypto, jws-jwk or x-edge.jwks-url)");
  }
  return verifySigned(inner, keys);
}

/** The protected header of a JWE (decrypted by us, so read before jose). */
function headerOf(token: string): ProtectedHeaderParameters {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new TokenRejected("the token is malformed: its header is not base64url-encoded JSON");
  }
  checkKeyHeaders(header);
  return header;
}

function checkKeyHeaders(header: ProtectedHeaderParameters): void {
  if (header.kid !== undefined && typeof header.kid !== "string") throw new TokenRejected("the token's kid is not a string");
  if (header.jwk !== undefined || header.jku !== undefined || header.x5u !== undefined) {
    // Keys named by the token itself are never trusted (RFC 8725 §3.10); say so rather than ignore them.
    throw new TokenRejected("the token's header carries its own key (jwk, jku or x5u), which is not accepted; the configured key decides");
  }
}

/**
 * Keys from an identity provider's JWKS URL, through jose's createRemoteJWKSet: fetched on first
 * use, kept for maxAge, fetched again (at most once per cooldown) when a token names an unknown kid; a
 * fetch that takes longer than the timeout fails with ERR_JWKS_TIMEOUT. One per policy, per isolate.
 */
export class RemoteKeys {
  private readonly set: ReturnType<typeof createRemoteJWKSet>;
  constructor(readonly config: RemoteJwks) {
    this.set = createRemoteJWKSet(new URL(config.url), { timeoutDuration: config.timeoutMs, cacheMaxAge: config.maxAgeMs, cooldownDuration: config.cooldownMs });
  }

  readonly getKey = async (header: ProtectedHeaderParameters, token: Parameters<ReturnType<typeof createRemoteJWKSet>>[1]): Promise<CryptoKey> => {
    const key = await this.set(header, token);
    const algorithm = key.algorithm as { modulusLength?: unknown };
    if (typeof algorithm.modulusLength === "number" && algorithm.modulusLength < MIN_RSA_BITS) {
      throw new KeyError(`the JWKS at ${this.config.url} gave an RSA key of ${algorithm.modulusLength} bits; at least ${MIN_RSA_BITS} are needed`);
    }
    return key;
  };
}
