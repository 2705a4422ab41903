/**
 * Parsed material to WebCrypto keys for one algorithm, checking that the key fits it first, so
 * each mismatch gets a message that names the key found and the key needed.
 */
import {
  JWE_CONTENT_ALGORITHMS, JWE_KEY_ALGORITHMS, JWS_ALGORITHMS, minSecretBytes,
  type JweContentAlgorithm, type JweKeyAlgorithm, type JwsAlgorithm,
} from "../jose/algorithms";
import { decodeBase64Url, encodeBase64Url } from "../jose/base64url";
import { webBytes } from "../jose/bytes";
import { decryptPkcs8Pem, isEncryptedPkcs8Pem } from "./encrypted-pkcs8";
import { KeyError } from "./errors";
import { quotable } from "./jwk";
import { parseMaterial } from "./material";
import { jwkThumbprint, publicThumbprint } from "./thumbprint";
import type { EncryptionKey, KeyMaterial, ParsedKey, PrivateImport, SigningKey } from "./types";

/** RFC 7518 §4.2/§4.3: RSA key management keys "of size 2048 bits or larger MUST be used". */
const MIN_RSA_BITS_JWE = 2048;

type RsaKey = Extract<ParsedKey, { kty: "RSA" }>;
type EcKey = Extract<ParsedKey, { kty: "EC" }>;
type OkpKey = Extract<ParsedKey, { kty: "OKP" }>;

/**
 * Imports `material` for signing with `alg`: a shared secret for HS*, an RSA private key of at
 * least 2048 bits for RS and PS, an EC private key on the alg's curve for ES.
 * The CryptoKey is non-extractable. Throws KeyError naming `source` and the problem.
 */
export async function importSigningKey(material: KeyMaterial, alg: JwsAlgorithm, source: string, password?: PasswordSource): Promise<SigningKey> {
  const spec = JWS_ALGORITHMS[alg];
  const parsed = parseMaterial(await decryptedIfEncrypted(material, source, password), source, true);
  const kid = parsed.kid === undefined ? {} : { kid: parsed.kid };
  switch (spec.family) {
    case "HMAC": {
      if (parsed.kty !== "oct") throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs a shared secret (a JWK of kty 'oct', 0x-hex or text)`);
      if (parsed.bytes.length === 0) throw new KeyError(`${source} is an empty shared secret`);
      // RFC 7518 §3.2 (API Connect does not check this; we refuse it: a short secret is guessable offline).
      const minimum = minSecretBytes(alg);
      if (parsed.bytes.length < minimum) {
        throw new KeyError(`${source} is a ${parsed.bytes.length}-byte shared secret; ${alg} needs at least ${minimum} bytes (RFC 7518 §3.2)`);
      }
      const key = await webCrypto(source, alg, () => crypto.subtle.importKey("raw", webBytes(parsed.bytes), { name: "HMAC", hash: spec.hash }, false, ["sign"]));
      return Object.freeze({ key, alg, ...kid });
    }
    case "RSASSA-PKCS1-v1_5":
    case "RSA-PSS": {
      if (parsed.kty !== "RSA") throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs an RSA private key`);
      const privateKey = requirePrivate(parsed, source, alg);
      checkRsaBits(parsed, spec.minKeySize, source, alg);
      const key = await webCrypto(source, alg, () => importPrivate(privateKey, { name: spec.family, hash: spec.hash }, false));
      return Object.freeze({ key, alg, ...kid, thumbprint: await rsaThumbprint(parsed) });
    }
    case "ECDSA": {
      if (parsed.kty !== "EC") throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs an EC private key on ${spec.curve}`);
      if (parsed.crv !== spec.curve) throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs ${spec.curve}`);
      const privateKey = requirePrivate(parsed, source, alg);
      const params = { name: "ECDSA", namedCurve: parsed.crv };
      let { x, y } = parsed;
      if (!x || !y) {
        // A SEC1 key without its public point: let WebCrypto derive it, once, then drop that copy.
        const extractable = await webCrypto(source, alg, () => importPrivate(privateKey, params, true));
        const exported = (await crypto.subtle.exportKey("jwk", extractable)) as JsonWebKey;
        x = exported.x === undefined ? undefined : decodeBase64Url(exported.x);
        y = exported.y === undefined ? undefined : decodeBase64Url(exported.y);
      }
      const key = await webCrypto(source, alg, () => importPrivate(privateKey, params, false));
      const thumbprint = x && y ? await jwkThumbprint({ kty: "EC", crv: parsed.crv, x: encodeBase64Url(x), y: encodeBase64Url(y) }) : undefined;
      return Object.freeze({ key, alg, ...kid, ...(thumbprint === undefined ? {} : { thumbprint }) });
    }
    case "EdDSA": {
      if (parsed.kty !== "OKP" || parsed.crv !== "Ed25519") throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs an Ed25519 private key (PKCS#8 PEM or a JWK of kty 'OKP')`);
      const privateKey = requirePrivate(parsed, source, alg);
      let x = parsed.x;
      if (!x) {
        // PKCS#8 v1 carries no public key: let WebCrypto derive it, once, for the thumbprint.
        const extractable = await webCrypto(source, alg, () => importPrivate(privateKey, { name: "Ed25519" }, true));
        const exported = (await crypto.subtle.exportKey("jwk", extractable)) as JsonWebKey;
        x = exported.x === undefined ? undefined : decodeBase64Url(exported.x);
      }
      const key = await webCrypto(source, alg, () => importPrivate(privateKey, { name: "Ed25519" }, false));
      const thumbprint = x ? await jwkThumbprint({ kty: "OKP", crv: "Ed25519", x: encodeBase64Url(x) }) : undefined;
      return Object.freeze({ key, alg, ...kid, ...(thumbprint === undefined ? {} : { thumbprint }) });
    }
  }
}

/**
 * Imports `material` as the JWE recipient key for `alg`/`enc`: an RSA key (public or private,
 * PEM, certificate or JWK; at least 2048 bits) for RSA-OAEP* and RSA1_5; a symmetric key (JWK of
 * kty 'oct' or 0x-hex) of exactly the right length for A*KW and dir. Throws KeyError.
 */
export async function importEncryptionKey(material: KeyMaterial, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, source: string): Promise<EncryptionKey> {
  const spec = JWE_KEY_ALGORITHMS[alg];
  const parsed = parseMaterial(material, source, false);
  const kid = parsed.kid === undefined ? {} : { kid: parsed.kid };
  switch (spec.family) {
    case "RSA-OAEP":
    case "RSA1_5": {
      if (parsed.kty !== "RSA") throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs an RSA public key (PEM, certificate or JWK)`);
      checkRsaBits(parsed, MIN_RSA_BITS_JWE, source, alg);
      checkRsaPublic(parsed, source);
      const thumbprint = await rsaThumbprint(parsed);
      if (spec.family === "RSA1_5") {
        return Object.freeze({ family: "RSA1_5", modulus: toBigInt(parsed.n), exponent: toBigInt(parsed.e), modulusBytes: parsed.n.length, ...kid, thumbprint });
      }
      const jwk: JsonWebKey = { kty: "RSA", n: encodeBase64Url(parsed.n), e: encodeBase64Url(parsed.e) };
      const key = await webCrypto(source, alg, () => crypto.subtle.importKey("jwk", jwk, { name: "RSA-OAEP", hash: spec.hash ?? "SHA-1" }, false, ["encrypt"]));
      return Object.freeze({ family: "RSA-OAEP", key, ...kid, thumbprint });
    }
    case "ECDH-ES": {
      // The recipient's public key (a private key or certificate gives its public part): EC on P-256/384/521, or X25519.
      const thumbprint = await publicThumbprint(parsed);
      if (parsed.kty === "EC") {
        if (!parsed.x || !parsed.y) throw new KeyError(`${source} is ${describeKey(parsed)} without its public point; ${alg} needs the uncompressed public key`);
        const jwk: JsonWebKey = { kty: "EC", crv: parsed.crv, x: encodeBase64Url(parsed.x), y: encodeBase64Url(parsed.y) };
        const key = await webCrypto(source, alg, () => crypto.subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: parsed.crv }, false, []));
        return Object.freeze({ family: "ECDH-ES", key, crv: parsed.crv, ...kid, ...(thumbprint === undefined ? {} : { thumbprint }) });
      }
      if (parsed.kty === "OKP" && parsed.crv === "X25519" && parsed.x) {
        const x = parsed.x;
        const key = await webCrypto(source, alg, () => crypto.subtle.importKey("raw", webBytes(x), { name: "X25519" }, false, []));
        return Object.freeze({ family: "ECDH-ES", key, crv: "X25519", ...kid, ...(thumbprint === undefined ? {} : { thumbprint }) });
      }
      throw new KeyError(`${source} is ${describeKey(parsed)}; ${alg} needs an EC public key on P-256, P-384 or P-521, or an X25519 public key (PEM, certificate or JWK)`);
    }
    case "AES-KW":
    case "dir": {
      const needed = spec.family === "dir" ? JWE_CONTENT_ALGORITHMS[enc].cekBytes : (spec.keyBytes ?? 0);
      const what = spec.family === "dir" ? `dir with ${enc}` : alg;
      if (parsed.kty !== "oct" || parsed.form === "text") {
        throw new KeyError(`${source} is ${describeKey(parsed)}; ${what} needs a ${needed}-byte symmetric key as a JWK of kty 'oct' or 0x-hex`);
      }
      if (parsed.bytes.length !== needed) {
        throw new KeyError(`${source} is a ${parsed.bytes.length}-byte key; ${what} needs exactly ${needed} bytes`);
      }
      if (spec.family === "dir") return Object.freeze({ family: "dir", cek: parsed.bytes.slice(), ...kid });
      const key = await webCrypto(source, alg, () => crypto.subtle.importKey("raw", webBytes(parsed.bytes), { name: "AES-KW" }, false, ["wrapKey"]));
      return Object.freeze({ family: "AES-KW", key, ...kid });
    }
  }
}

/** Where an encrypted private key's password comes from: asked only when the material is encrypted. */
export type PasswordSource = () => Promise<string>;

/** An `ENCRYPTED PRIVATE KEY` PEM decrypted with its password (src/keys/encrypted-pkcs8.ts); other material as is. */
async function decryptedIfEncrypted(material: KeyMaterial, source: string, password: PasswordSource | undefined): Promise<KeyMaterial> {
  if (typeof material !== "string" || !isEncryptedPkcs8Pem(material)) return material;
  if (!password) throw new KeyError(`${source} is an encrypted private key; only a crypto object can be, with its password in a secret named <name>_PASSWORD`);
  return decryptPkcs8Pem(material, await password(), source);
}

/** "an RSA private key (PKCS#1 PEM)", "a JWK of kty 'EC' with crv 'P-384'", "a shared secret (text)". */
export function describeKey(parsed: ParsedKey): string {
  if (parsed.kty === "oct") return parsed.form === "JWK" ? "a JWK of kty 'oct' (a shared secret)" : `a shared secret (${parsed.form})`;
  const visibility = parsed.private ? "private" : "public";
  const type = parsed.kty === "RSA" ? `an RSA ${visibility} key` : parsed.kty === "OKP" ? `an ${parsed.crv} ${visibility} key` : `an EC ${visibility} key on ${parsed.crv}`;
  if (parsed.form === "JWK") return `a JWK of kty '${parsed.kty}'${parsed.kty !== "RSA" ? ` with crv ${quotable(parsed.crv)}` : ""} (${visibility} key)`;
  if (parsed.form === "X.509 certificate") return `an X.509 certificate (${type.replace(/^an? /, "")}, no private key)`;
  return `${type} (${parsed.form})`;
}

function requirePrivate(parsed: RsaKey | EcKey | OkpKey, source: string, alg: JwsAlgorithm): PrivateImport {
  if (!parsed.private) throw new KeyError(`${source} is ${describeKey(parsed)}; signing with ${alg} needs a private key`);
  return parsed.private;
}

/** Bits in the modulus: the position of its highest set bit. */
function rsaBits(n: Uint8Array): number {
  const top = n[0] ?? 0;
  return top === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(top));
}

function checkRsaBits(parsed: RsaKey, min: number, source: string, alg: string): void {
  const bits = rsaBits(parsed.n);
  if (bits < min) throw new KeyError(`${source} is an RSA key of ${bits} bits; ${alg} needs at least ${min}`);
}

/** Sanity checks WebCrypto would make for RSA-OAEP but our RSA1_5 path would not: odd n, odd e ≥ 3. */
function checkRsaPublic(parsed: RsaKey, source: string): void {
  const e = toBigInt(parsed.e);
  if ((parsed.n[parsed.n.length - 1]! & 1) === 0 || e < 3n || (e & 1n) === 0n || e >= toBigInt(parsed.n)) {
    throw new KeyError(`${source} is not a valid RSA public key (bad modulus or exponent)`);
  }
}

/** WebCrypto import parameters, named so both the Workers and the DOM type libraries accept it. */
type ImportParams = Parameters<SubtleCrypto["importKey"]>[2];

const rsaThumbprint = (parsed: RsaKey): Promise<string> => jwkThumbprint({ kty: "RSA", n: encodeBase64Url(parsed.n), e: encodeBase64Url(parsed.e) });

function importPrivate(privateKey: PrivateImport, params: ImportParams, extractable: boolean): Promise<CryptoKey> {
  return privateKey.format === "pkcs8"
    ? crypto.subtle.importKey("pkcs8", webBytes(privateKey.data), params, extractable, ["sign"])
    : crypto.subtle.importKey("jwk", privateKey.data, params, extractable, ["sign"]);
}

/** Runs a WebCrypto import; its failure becomes a KeyError with only the error's name (no details). */
async function webCrypto<T>(source: string, alg: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const name = e instanceof Error ? e.name : "Error";
    throw new KeyError(`${source} could not be imported as a key for ${alg} (WebCrypto ${name}); the key data is invalid or inconsistent`);
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  let hex = "0x0";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return BigInt(hex);
}
