/**
 * JWK objects (RFC 7517/7518) to ParsedKey. Only the members a key needs are passed on to
 * WebCrypto: `alg`, `use`, `key_ops` and `ext` are ignored, so a JWK labelled "RS256" still
 * imports for RSA-PSS, as jwt-generate allows.
 */
import { decodeBase64Url, encodeBase64Url } from "../jose/base64url";
import { COORDINATE_BYTES, UnsupportedKey } from "./containers";
import { DerError } from "./der";
import type { Curve, ParsedKey } from "./types";

const CURVES: readonly string[] = ["P-256", "P-384", "P-521"];
const RSA_PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"] as const;

/** A JWK member value safe to quote in a message: short and plain, or not quoted at all. */
export const quotable = (value: unknown): string => (typeof value === "string" && /^[A-Za-z0-9._-]{1,32}$/.test(value) ? `'${value}'` : "(unrecognised)");

/** A JWK Set (RFC 7517 §5): an object with a `keys` array and no `kty`. */
export const isJwkSet = (v: Record<string, unknown>): v is { keys: unknown[] } => Array.isArray(v.keys) && v.kty === undefined;

/**
 * Parses a JWK, or a JWK Set. A set signs with its first key (rotation: the others are only
 * published, docs/keys.md), so `firstOfSet` accepts any non-empty set; otherwise (a JWE
 * recipient) the set must hold exactly one key. Throws DerError (malformed) or UnsupportedKey.
 */
export function parseJwk(jwk: Record<string, unknown>, firstOfSet = false): ParsedKey {
  if (isJwkSet(jwk)) {
    const usable = firstOfSet ? jwk.keys.length >= 1 : jwk.keys.length === 1;
    if (!usable || !isObject(jwk.keys[0])) {
      throw new UnsupportedKey(firstOfSet ? `a JWK Set whose first entry is not a JWK (${jwk.keys.length} keys)` : `a JWK Set of ${jwk.keys.length} keys; give a single JWK`);
    }
    return parseJwk(jwk.keys[0]);
  }
  const kid = typeof jwk.kid === "string" && jwk.kid !== "" ? jwk.kid : undefined;
  const withKid = <T extends object>(parsed: T) => (kid === undefined ? parsed : { ...parsed, kid });
  switch (jwk.kty) {
    case "oct":
      // An empty `k` parses, so the caller can say "empty" rather than "missing".
      return withKid({ kty: "oct", bytes: jwk.k === "" ? new Uint8Array(0) : member(jwk, "k"), form: "JWK" } as const);
    case "RSA": {
      const n = member(jwk, "n");
      const e = member(jwk, "e");
      const isPrivate = jwk.d !== undefined;
      const data: JsonWebKey = { kty: "RSA", n: encodeBase64Url(n), e: encodeBase64Url(e) };
      if (isPrivate) for (const name of RSA_PRIVATE_MEMBERS) if (jwk[name] !== undefined) data[name] = encodeBase64Url(member(jwk, name));
      if (isPrivate) checkRsaPrivateMembers(jwk, n);
      return withKid({ kty: "RSA", n, e, ...(isPrivate ? { private: { format: "jwk", data } } : {}), form: "JWK" } as const);
    }
    case "OKP": {
      // RFC 8037: Ed25519 (signing) and X25519 (key agreement); x is the 32-byte public key, d the private one.
      if (jwk.crv !== "Ed25519" && jwk.crv !== "X25519") throw new UnsupportedKey(`a JWK of kty 'OKP' with crv ${quotable(jwk.crv)}; only Ed25519 and X25519 are supported`);
      const crv = jwk.crv;
      const x = member(jwk, "x");
      if (x.length !== 32) throw new DerError(`JWK member 'x' has the wrong length for ${crv}`);
      const isPrivate = jwk.d !== undefined;
      const data: JsonWebKey = { kty: "OKP", crv, x: encodeBase64Url(x) };
      if (isPrivate) data.d = encodeBase64Url(member(jwk, "d"));
      return withKid({ kty: "OKP", crv, x, ...(isPrivate ? { private: { format: "jwk", data } } : {}), form: "JWK" } as const);
    }
    case "EC": {
      if (typeof jwk.crv !== "string" || !CURVES.includes(jwk.crv)) {
        throw new UnsupportedKey(`a JWK of kty 'EC' with crv ${quotable(jwk.crv)}; only P-256, P-384 and P-521 are supported`);
      }
      const crv = jwk.crv as Curve;
      const x = member(jwk, "x");
      const y = member(jwk, "y");
      if (x.length !== COORDINATE_BYTES[crv] || y.length !== COORDINATE_BYTES[crv]) throw new DerError(`JWK coordinates have the wrong length for ${crv}`);
      const isPrivate = jwk.d !== undefined;
      const data: JsonWebKey = { kty: "EC", crv, x: encodeBase64Url(x), y: encodeBase64Url(y) };
      if (isPrivate) data.d = encodeBase64Url(member(jwk, "d"));
      return withKid({ kty: "EC", crv, x, y, ...(isPrivate ? { private: { format: "jwk", data } } : {}), form: "JWK" } as const);
    }
    case undefined:
      throw new DerError("JSON object without a 'kty' member");
    default:
      throw new UnsupportedKey(`a JWK of kty ${quotable(jwk.kty)}${typeof jwk.crv === "string" ? ` with crv ${quotable(jwk.crv)}` : ""}, which jwt-generate does not support`);
  }
}

/**
 * The CRT members of an RSA private JWK must fit its modulus (RFC 8017 §3.2: n = p·q, d < n, dP < p, dQ < q,
 * qInv < p). WebCrypto imports a key whose members do not, and signing with it then fails inside the runtime with an
 * OpenSSL "internal error" on every request (workerd also prints it with a stack); checked once here, at parse time,
 * it is a malformed key like any other. Checked only when all five are given (WebCrypto refuses partial sets itself).
 */
function checkRsaPrivateMembers(jwk: Record<string, unknown>, n: Uint8Array): void {
  if (jwk.oth !== undefined || !(["p", "q", "dp", "dq", "qi"] as const).every((name) => jwk[name] !== undefined)) return;
  const int = (bytes: Uint8Array) => (bytes.length === 0 ? 0n : BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`));
  const [N, d, p, q, dp, dq, qi] = [n, ...(["d", "p", "q", "dp", "dq", "qi"] as const).map((name) => member(jwk, name))].map(int) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  if (p * q !== N || d >= N || dp >= p || dq >= q || qi >= p) throw new DerError("RSA JWK private members do not fit its modulus n (RFC 8017 §3.2)");
}

/** A required base64url member, decoded. RSA integers lose any leading zero bytes (RFC 7518 §6.3.1.1). */
function member(jwk: Record<string, unknown>, name: string): Uint8Array {
  const value = jwk[name];
  if (typeof value !== "string" || value === "") throw new DerError(`JWK member '${name}' is missing or not a string`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Url(value);
  } catch {
    throw new DerError(`JWK member '${name}' is not base64url`);
  }
  if (name === "n" || name === "e") {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    bytes = bytes.subarray(i);
  }
  return bytes;
}

/** A plain (non-array, non-null) object, as a JWK must be. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
