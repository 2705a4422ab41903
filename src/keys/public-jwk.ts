/**
 * The public JWKs a crypto object publishes (the JWKS endpoint, scripts/keygen.ts): for each
 * asymmetric key it holds — one key, or every key of a JWK Set — `kty`, `kid`, `use: "sig"`, `alg`
 * when the key fits the signing algorithm, and the public members only. The JWK is built member
 * by member from the parsed public key (an allow-list), so no private member can slip through;
 * shared secrets are never published. The `kid` is the one tokens carry: the JWK's own `kid`,
 * else the RFC 7638 thumbprint (as src/keys/import.ts and jwt-generate's kidFor decide).
 */
import { isJwsAlgorithm, JWS_ALGORITHMS } from "../jose/algorithms";
import { decodeBase64Url, encodeBase64Url } from "../jose/base64url";
import { webBytes } from "../jose/bytes";
import { decryptPkcs8Pem, isEncryptedPkcs8Pem } from "./encrypted-pkcs8";
import { KeyError } from "./errors";
import { isJwkSet, isObject, parseJwk } from "./jwk";
import { parseMaterial } from "./material";
import { publicThumbprint } from "./thumbprint";
import type { ParsedKey, PrivateImport } from "./types";

export type PublicJwk =
  | { kty: "RSA"; kid: string; use: "sig"; alg?: string; n: string; e: string }
  | { kty: "EC"; kid: string; use: "sig"; alg?: string; crv: string; x: string; y: string }
  | { kty: "OKP"; kid: string; use: "sig"; alg?: string; crv: string; x: string };

/** What publishing one crypto object gave: its public keys, and a reason for each entry left out. */
export interface Published {
  keys: PublicJwk[];
  skipped: string[];
}

/**
 * The public keys in `text` (a crypto object's value). `alg` is the jws-alg it signs with ("" when
 * several); `source` names it in the reasons. Throws KeyError when the text is not key material.
 */
export async function publicJwks(text: string, alg: string, source: string, password?: () => Promise<string>): Promise<Published> {
  if (isEncryptedPkcs8Pem(text)) {
    if (!password) throw new KeyError(`${source} is an encrypted private key and no password is configured`);
    text = await decryptPkcs8Pem(text, await password(), source);
  }
  const entries = setEntries(text);
  const parsed: Array<ParsedKey | string> = entries
    ? entries.map((entry, i) => parseEntry(entry, `${source} key ${i}`))
    : [parseMaterial(text, source, true)];
  const out: Published = { keys: [], skipped: [] };
  for (const [i, key] of parsed.entries()) {
    const label = entries ? `${source} key ${i}` : source;
    if (typeof key === "string") out.skipped.push(key);
    else if (key.kty === "oct") continue; // a shared secret is never published (and is not an error)
    else {
      const jwk = await publicJwk(key, alg);
      if (jwk) out.keys.push(jwk);
      else out.skipped.push(`${label}: its public key could not be derived`);
    }
  }
  return out;
}

/** The entries of a JWK Set held as JSON text, or undefined when the text is not a set. */
function setEntries(text: string): unknown[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined; // parseMaterial says what is wrong
  }
  return isObject(value) && isJwkSet(value) ? value.keys : undefined;
}

/** One entry of a set: its parsed key, or the reason it is left out (never its contents). */
function parseEntry(entry: unknown, label: string): ParsedKey | string {
  if (!isObject(entry)) return `${label} is not a JWK object`;
  try {
    return parseJwk(entry);
  } catch (e) {
    return `${label} is not a usable JWK (${e instanceof Error && e.name === "UnsupportedKey" ? e.message : "malformed"})`;
  }
}

async function publicJwk(key: Exclude<ParsedKey, { kty: "oct" }>, alg: string): Promise<PublicJwk | undefined> {
  const complete = await withPublicPoint(key);
  if (!complete) return undefined;
  const kid = complete.kid ?? (await publicThumbprint(complete));
  if (kid === undefined) return undefined;
  const algMember = fits(complete, alg) ? { alg } : {};
  switch (complete.kty) {
    case "RSA":
      return { kty: "RSA", kid, use: "sig", ...algMember, n: encodeBase64Url(complete.n), e: encodeBase64Url(complete.e) };
    case "EC":
      return complete.x && complete.y
        ? { kty: "EC", kid, use: "sig", ...algMember, crv: complete.crv, x: encodeBase64Url(complete.x), y: encodeBase64Url(complete.y) }
        : undefined;
    case "OKP":
      return complete.x ? { kty: "OKP", kid, use: "sig", ...algMember, crv: complete.crv, x: encodeBase64Url(complete.x) } : undefined;
  }
}

/** Does the key fit the signing algorithm (so `alg` may be stated)? */
function fits(key: Exclude<ParsedKey, { kty: "oct" }>, alg: string): boolean {
  if (!isJwsAlgorithm(alg)) return false;
  const spec = JWS_ALGORITHMS[alg];
  switch (spec.family) {
    case "RSASSA-PKCS1-v1_5":
    case "RSA-PSS":
      return key.kty === "RSA";
    case "ECDSA":
      return key.kty === "EC" && key.crv === spec.curve;
    case "EdDSA":
      return key.kty === "OKP" && key.crv === spec.curve;
    default:
      return false;
  }
}

/**
 * EC keys from SEC1 without their point and Ed25519 PKCS#8 v1 keys carry no public key: WebCrypto
 * derives it from the private key (imported extractable here, once per published key, then dropped).
 */
async function withPublicPoint<K extends Exclude<ParsedKey, { kty: "oct" }>>(key: K): Promise<K | undefined> {
  if (key.kty === "RSA" || (key.kty === "EC" && key.x && key.y) || (key.kty === "OKP" && key.x)) return key;
  if (!key.private) return undefined;
  const params = key.kty === "EC" ? { name: "ECDSA", namedCurve: key.crv } : { name: key.crv };
  try {
    const imported = await importExtractable(key.private, params);
    const jwk = (await crypto.subtle.exportKey("jwk", imported)) as JsonWebKey;
    const x = jwk.x === undefined ? undefined : decodeBase64Url(jwk.x);
    const y = jwk.y === undefined ? undefined : decodeBase64Url(jwk.y);
    return { ...key, ...(x ? { x } : {}), ...(y ? { y } : {}) };
  } catch {
    return undefined;
  }
}

type ImportParams = Parameters<SubtleCrypto["importKey"]>[2];

function importExtractable(privateKey: PrivateImport, params: ImportParams): Promise<CryptoKey> {
  return privateKey.format === "pkcs8"
    ? crypto.subtle.importKey("pkcs8", webBytes(privateKey.data), params, true, ["sign"])
    : crypto.subtle.importKey("jwk", privateKey.data, params, true, ["sign"]);
}
