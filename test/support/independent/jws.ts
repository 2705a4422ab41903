/**
 * Independent JWS verification: node-jose (Cisco) AND jsrsasign (pure JavaScript, no OpenSSL),
 * neither of which depends on `jose` (panva) or on the worker's code.
 */
import nodeJose from "node-jose";
import jsrsasign from "jsrsasign";
import { publicJwk, publicSpkiPem, octBytes, type IndependentKey } from "./keys";

export const JWS_ALGS = [
  "HS256", "HS384", "HS512",
  "RS256", "RS384", "RS512",
  "PS256", "PS384", "PS512",
  "ES256", "ES384", "ES512",
] as const;
export type JwsAlg = (typeof JWS_ALGS)[number];

export type JwsVerifierName = "node-jose" | "jsrsasign";
export const JWS_VERIFIERS: readonly JwsVerifierName[] = ["node-jose", "jsrsasign"];

export interface IndependentJwsResult {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** The payload as text, exactly as signed. */
  payload: string;
  /** Which independent implementations accepted the signature. */
  verifiedBy: JwsVerifierName[];
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function splitCompact(token: string, parts: number, what: string): string[] {
  if (typeof token !== "string") throw new Error(`${what}: token is not a string`);
  const segs = token.split(".");
  if (segs.length !== parts) throw new Error(`${what}: expected ${parts} compact segments, got ${segs.length}`);
  segs.forEach((s, i) => {
    if (!B64URL.test(s)) throw new Error(`${what}: segment ${i} is not unpadded base64url`);
  });
  return segs;
}

export function decodeJsonSegment(seg: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(seg, "base64url").toString("utf8"));
  } catch (e) {
    throw new Error(`${what}: not base64url JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

async function verifyWithNodeJose(token: string, jwk: JsonWebKey, alg: string): Promise<Buffer> {
  const key = await nodeJose.JWK.asKey(jwk as object);
  // An explicit key and an explicit algorithm list; embedded keys (jwk/x5c in the header) are not trusted.
  const result = await nodeJose.JWS.createVerify(key, { algorithms: [alg], allowEmbeddedKey: false }).verify(token);
  return result.payload;
}

function verifyWithJsrsasign(token: string, key: IndependentKey, jwk: JsonWebKey, alg: string): void {
  const { KJUR, KEYUTIL } = jsrsasign;
  const verifyKey = alg.startsWith("HS")
    ? { hex: octBytes(jwk).toString("hex") }
    : (KEYUTIL.getKey(publicSpkiPem(key)) as jsrsasign.RSAKey | jsrsasign.KJUR.crypto.ECDSA);
  // jsrsasign returns false for a bad signature, and throws for some malformed ones.
  if (!KJUR.jws.JWS.verify(token, verifyKey, [alg])) throw new Error("signature rejected");
}

/**
 * Verifies a compact JWS with independent implementations and returns its header and claims.
 * Throws when any selected verifier rejects it, when the header's `alg` is not `alg`, or when the
 * token is not well-formed compact serialization.
 */
export async function independentVerify(
  token: string,
  publicKey: IndependentKey,
  alg: string,
  options: { verifiers?: readonly JwsVerifierName[] } = {},
): Promise<IndependentJwsResult> {
  if (!(JWS_ALGS as readonly string[]).includes(alg)) throw new Error(`independentVerify: unsupported alg ${alg}`);
  const [h, p] = splitCompact(token, 3, "JWS") as [string, string, string];
  const header = decodeJsonSegment(h, "JWS header");
  if (header.alg !== alg) throw new Error(`JWS header alg is ${String(header.alg)}, expected ${alg}`);
  if ("crit" in header) throw new Error("JWS header has crit; not expected from the worker");
  const jwk = publicJwk(publicKey);
  if (alg.startsWith("HS") !== (jwk.kty === "oct")) throw new Error(`key type ${jwk.kty} does not fit ${alg}`);

  const verifiers = options.verifiers ?? JWS_VERIFIERS;
  if (verifiers.length === 0) throw new Error("independentVerify: no verifier selected");
  const verifiedBy: JwsVerifierName[] = [];
  for (const name of verifiers) {
    try {
      if (name === "node-jose") {
        const payload = await verifyWithNodeJose(token, jwk, alg);
        if (payload.toString("base64url") !== p) throw new Error("payload differs from the token's");
      } else {
        verifyWithJsrsasign(token, publicKey, jwk, alg);
      }
    } catch (e) {
      throw new Error(`independent JWS verification failed (${name}, ${alg}): ${(e as Error).message || String(e)}`);
    }
    verifiedBy.push(name);
  }
  const payload = Buffer.from(p, "base64url").toString("utf8");
  return { header, claims: decodeJsonSegment(p, "JWS payload"), payload, verifiedBy };
}
