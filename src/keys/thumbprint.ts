/**
 * RFC 7638 JWK thumbprints (SHA-256, base64url): the hash of the key's required public members,
 * in lexicographic order, with no whitespace. Used as the `kid` of an asymmetric crypto object.
 */
import { encodeBase64Url } from "../jose/base64url";
import type { ParsedKey } from "./types";

/** The required members of a public JWK, base64url where RFC 7518 says so. */
export type ThumbprintMembers = { kty: "RSA"; n: string; e: string } | { kty: "EC"; crv: string; x: string; y: string } | { kty: "OKP"; crv: string; x: string };

const encoder = new TextEncoder();

/** RFC 7638 §3: SHA-256 over the canonical JSON of the required members. */
export async function jwkThumbprint(jwk: ThumbprintMembers): Promise<string> {
  // Written out member by member: the order is the specification, not an accident of JSON.stringify.
  const json =
    jwk.kty === "RSA"
      ? `{"e":${JSON.stringify(jwk.e)},"kty":"RSA","n":${JSON.stringify(jwk.n)}}`
      : jwk.kty === "OKP"
        ? `{"crv":${JSON.stringify(jwk.crv)},"kty":"OKP","x":${JSON.stringify(jwk.x)}}` // RFC 8037 §2
        : `{"crv":${JSON.stringify(jwk.crv)},"kty":"EC","x":${JSON.stringify(jwk.x)},"y":${JSON.stringify(jwk.y)}}`;
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(json))));
}

/** The RFC 7638 thumbprint of a parsed key's public part; undefined for shared secrets or an EC key without its point. */
export async function publicThumbprint(parsed: ParsedKey): Promise<string | undefined> {
  if (parsed.kty === "RSA") return jwkThumbprint({ kty: "RSA", n: encodeBase64Url(parsed.n), e: encodeBase64Url(parsed.e) });
  if (parsed.kty === "EC" && parsed.x && parsed.y) return jwkThumbprint({ kty: "EC", crv: parsed.crv, x: encodeBase64Url(parsed.x), y: encodeBase64Url(parsed.y) });
  if (parsed.kty === "OKP" && parsed.x) return jwkThumbprint({ kty: "OKP", crv: parsed.crv, x: encodeBase64Url(parsed.x) });
  return undefined;
}
