/**
 * Verification and decryption keys for jwt-validate: one key or a JWK Set, parsed with the same
 * code as jwt-generate's keys (PEM incl. X.509 certificates, JWK, 0x-hex, text), then bound to
 * the token's algorithm (RFC 8725 §3.1): HS* only with a shared secret, RS/PS only with an RSA
 * key, ES* only with an EC key on the algorithm's curve, and never `none`.
 *
 * Written here rather than with jose's createLocalJWKSet because the same selection serves JWE
 * (which createLocalJWKSet does not) and single keys in every format, and because the project's
 * key rules (RSA ≥ 2048 bits, RFC 7518 §3.2 secret lengths) must hold for verification too.
 * jose still does every signature check and decryption with the CryptoKeys made here.
 */
import {
  JWE_CONTENT_ALGORITHMS, JWE_KEY_ALGORITHMS, JWS_ALGORITHMS, minSecretBytes,
  type JweContentAlgorithm, type JweKeyAlgorithm, type JwsAlgorithm,
} from "../../jose/algorithms";
import { encodeBase64Url } from "../../jose/base64url";
import { webBytes } from "../../jose/bytes";
import { KeyError } from "../../keys";
import { isObject } from "../../keys/jwk";
import { parseMaterial } from "../../keys/material";
import type { KeyMaterial, ParsedKey } from "../../keys/types";
import { quoted, TokenRejected } from "./errors";

/** RFC 7518 §3.3 and §4.2: RSA keys of 2048 bits or more. */
const MIN_RSA_BITS = 2048;

interface Candidate {
  parsed: ParsedKey;
  kid?: string;
  /** The JWK's own `alg`: when present, the key serves that algorithm only. */
  alg?: string;
  /** The JWK's own `use` ("sig" or "enc"). */
  use?: string;
  /** Keys imported for one algorithm each; only settled values. */
  imported: Map<string, CryptoKey | Uint8Array>;
}

/** The keys one crypto object or JWK variable holds, for one purpose. */
export class KeySet {
  private constructor(
    private readonly candidates: readonly Candidate[],
    /** A JWK Set: the token's kid must name one of its keys. */
    private readonly isSet: boolean,
    private readonly source: string,
  ) {}

  /** Parses material (text or object) as one key or a JWK Set. Throws KeyError. */
  static parse(material: KeyMaterial, source: string, purpose: "sig" | "enc"): KeySet {
    const json = typeof material === "string" ? jsonObject(material.trim()) : material;
    const wantPrivate = purpose === "enc";
    if (json && Array.isArray(json.keys) && json.kty === undefined) {
      const candidates: Candidate[] = [];
      json.keys.forEach((entry: unknown) => {
        if (!isObject(entry)) return;
        try {
          candidates.push(candidate(parseMaterial(entry, source, wantPrivate), entry));
        } catch (e) {
          // An identity provider's set may hold keys we do not support (e.g. OKP); they are skipped.
          if (!(e instanceof KeyError)) throw e;
        }
      });
      if (candidates.length === 0) throw new KeyError(`${source} is a JWK Set with no key jwt-validate can use`);
      return new KeySet(candidates, true, source);
    }
    return new KeySet([candidate(parseMaterial(json ?? material, source, wantPrivate), json)], false, source);
  }

  /** Verification keys already imported, by alg and kid: the steady state returns without a promise hop. */
  private readonly verified = new Map<string, CryptoKey>();

  /**
   * The CryptoKey that verifies a JWS made with `alg` (and `kid`). Throws TokenRejected or KeyError.
   * Returns the key itself (not a promise) once it was imported for this alg and kid.
   */
  forSignature(alg: JwsAlgorithm, kid: string | undefined): CryptoKey | Promise<CryptoKey> {
    const id = kid === undefined ? alg : `${alg} ${kid}`;
    return this.verified.get(id) ?? this.importForSignature(alg, kid).then((key) => {
      if (this.verified.size < 64) this.verified.set(id, key); // bounded: kids come from tokens
      return key;
    });
  }

  private async importForSignature(alg: JwsAlgorithm, kid: string | undefined): Promise<CryptoKey> {
    const spec = JWS_ALGORITHMS[alg];
    const fits = (p: ParsedKey): boolean => {
      switch (spec.family) {
        case "HMAC":
          return p.kty === "oct";
        case "ECDSA":
          return p.kty === "EC" && p.crv === spec.curve;
        case "EdDSA":
          return p.kty === "OKP" && p.crv === spec.curve;
        case "RSASSA-PKCS1-v1_5":
        case "RSA-PSS":
          return p.kty === "RSA";
      }
    };
    const chosen = this.select(alg, kid, "sig", fits);
    const cached = chosen.imported.get(alg);
    if (cached instanceof CryptoKey) return cached;
    const key = await importVerifyKey(chosen.parsed, alg, this.source);
    chosen.imported.set(alg, key);
    return key;
  }

  /** The key that decrypts a JWE made with `alg` and `enc`: a CryptoKey, or the CEK bytes for `dir`. */
  async forDecryption(alg: JweKeyAlgorithm, enc: JweContentAlgorithm, kid: string | undefined): Promise<CryptoKey | Uint8Array> {
    const spec = JWE_KEY_ALGORITHMS[alg];
    const fits = (p: ParsedKey): boolean => {
      switch (spec.family) {
        case "RSA-OAEP":
        case "RSA1_5":
          return p.kty === "RSA";
        case "ECDH-ES":
          return p.kty === "EC" || (p.kty === "OKP" && p.crv === "X25519");
        case "dir":
        case "AES-KW":
          return p.kty === "oct";
      }
    };
    const chosen = this.select(alg, kid, "enc", fits);
    const id = `${alg}/${enc}`;
    const cached = chosen.imported.get(id);
    if (cached !== undefined) return cached;
    const key = await importDecryptKey(chosen.parsed, alg, enc, this.source);
    chosen.imported.set(id, key);
    return key;
  }

  private select(alg: string, kid: string | undefined, use: "sig" | "enc", fits: (p: ParsedKey) => boolean): Candidate {
    const usable = this.candidates.filter((c) => fits(c.parsed) && (c.alg === undefined || c.alg === alg) && (c.use === undefined || c.use === use));
    if (!this.isSet) {
      const only = this.candidates[0]!;
      if (usable.length === 0) throw new TokenRejected(`the token's alg ${quoted(alg)} does not fit ${this.source} (${keyKind(only.parsed)})`);
      if (kid !== undefined && only.kid !== undefined && only.kid !== kid) throw new TokenRejected(`unknown kid ${quoted(kid)}: ${this.source} has kid ${quoted(only.kid)}`);
      return only;
    }
    const matching = kid === undefined ? usable : usable.filter((c) => c.kid === kid);
    if (matching.length === 1) return matching[0]!;
    if (matching.length === 0) {
      throw new TokenRejected(kid === undefined ? `no key in ${this.source} fits the token's alg ${quoted(alg)}` : `unknown kid ${quoted(kid)}: no key with that kid in ${this.source} fits alg ${quoted(alg)}`);
    }
    throw new TokenRejected(`several keys in ${this.source} fit the token's alg ${quoted(alg)}; the token needs a kid that names one`);
  }
}

function candidate(parsed: ParsedKey, jwk: Record<string, unknown> | undefined): Candidate {
  const text = (name: string) => (jwk && typeof jwk[name] === "string" && jwk[name] !== "" ? (jwk[name] as string) : undefined);
  return { parsed, kid: parsed.kid ?? text("kid"), alg: text("alg"), use: text("use"), imported: new Map() };
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined; // parseMaterial words the error
  }
}

function keyKind(p: ParsedKey): string {
  return p.kty === "oct" ? "a shared secret" : p.kty === "RSA" ? "an RSA key" : p.kty === "EC" ? `an EC key on ${p.crv}` : `an OKP key on ${p.crv}`;
}

function rsaBits(n: Uint8Array): number {
  const top = n[0] ?? 0;
  return top === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(top));
}

async function importVerifyKey(p: ParsedKey, alg: JwsAlgorithm, source: string): Promise<CryptoKey> {
  const spec = JWS_ALGORITHMS[alg];
  if (p.kty === "oct") {
    if (p.bytes.length < minSecretBytes(alg)) {
      throw new KeyError(`${source} is a ${p.bytes.length}-byte shared secret; ${alg} needs at least ${minSecretBytes(alg)} bytes (RFC 7518 §3.2)`);
    }
    return webCrypto(source, alg, () => crypto.subtle.importKey("raw", webBytes(p.bytes), { name: "HMAC", hash: spec.hash }, false, ["verify"]));
  }
  if (p.kty === "RSA") {
    if (rsaBits(p.n) < MIN_RSA_BITS) throw new KeyError(`${source} is an RSA key of ${rsaBits(p.n)} bits; ${alg} needs at least ${MIN_RSA_BITS}`);
    const jwk: JsonWebKey = { kty: "RSA", n: encodeBase64Url(p.n), e: encodeBase64Url(p.e) };
    return webCrypto(source, alg, () => crypto.subtle.importKey("jwk", jwk, { name: spec.family, hash: spec.hash }, false, ["verify"]));
  }
  if (p.kty === "OKP") {
    if (!p.x) throw new KeyError(`${source} is an ${p.crv} private key without its public key; give the public key (PEM or JWK)`);
    const jwk: JsonWebKey = { kty: "OKP", crv: p.crv, x: encodeBase64Url(p.x) };
    return webCrypto(source, alg, () => crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]));
  }
  if (!p.x || !p.y) throw new KeyError(`${source} is an EC private key without its public point; give the public key (PEM, certificate or JWK)`);
  const jwk: JsonWebKey = { kty: "EC", crv: p.crv, x: encodeBase64Url(p.x), y: encodeBase64Url(p.y) };
  return webCrypto(source, alg, () => crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: p.crv }, false, ["verify"]));
}

async function importDecryptKey(p: ParsedKey, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, source: string): Promise<CryptoKey | Uint8Array> {
  const spec = JWE_KEY_ALGORITHMS[alg];
  if (p.kty === "RSA") {
    if (!p.private) throw new KeyError(`${source} is an RSA public key; decrypting ${alg} needs the RSA private key`);
    if (rsaBits(p.n) < MIN_RSA_BITS) throw new KeyError(`${source} is an RSA key of ${rsaBits(p.n)} bits; ${alg} needs at least ${MIN_RSA_BITS}`);
    const params = { name: "RSA-OAEP", hash: spec.hash ?? "SHA-1" };
    const priv = p.private;
    return webCrypto(source, alg, () =>
      priv.format === "pkcs8"
        ? crypto.subtle.importKey("pkcs8", webBytes(priv.data), params, false, ["decrypt"])
        : crypto.subtle.importKey("jwk", priv.data, params, false, ["decrypt"]),
    );
  }
  if (p.kty === "EC" || p.kty === "OKP") {
    // ECDH-ES (RFC 7518 §4.6): the recipient's private key derives the agreement with the token's epk.
    if (!p.private) throw new KeyError(`${source} is ${keyKind(p)} without its private key; decrypting ${alg} needs the private key`);
    const params = p.kty === "EC" ? { name: "ECDH", namedCurve: p.crv } : { name: "X25519" };
    const priv = p.private;
    return webCrypto(source, alg, () =>
      priv.format === "pkcs8"
        ? crypto.subtle.importKey("pkcs8", webBytes(priv.data), params, false, ["deriveBits"])
        : crypto.subtle.importKey("jwk", priv.data, params, false, ["deriveBits"]),
    );
  }
  const needed = spec.family === "dir" ? JWE_CONTENT_ALGORITHMS[enc].cekBytes : (spec.keyBytes ?? 0);
  if (p.form === "text") throw new KeyError(`${source} is a text secret; ${alg} needs a ${needed}-byte key as a JWK of kty 'oct' or 0x-hex`);
  if (p.bytes.length !== needed) throw new KeyError(`${source} is a ${p.bytes.length}-byte key; ${alg === "dir" ? `dir with ${enc}` : alg} needs exactly ${needed} bytes`);
  if (spec.family === "dir") return p.bytes.slice();
  return webCrypto(source, alg, () => crypto.subtle.importKey("raw", webBytes(p.bytes), { name: "AES-KW" }, false, ["unwrapKey"]));
}

/** A WebCrypto import; its failure becomes a KeyError with only the error's name. */
async function webCrypto<T>(source: string, alg: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new KeyError(`${source} could not be imported as a key for ${alg} (WebCrypto ${e instanceof Error ? e.name : "Error"})`);
  }
}
