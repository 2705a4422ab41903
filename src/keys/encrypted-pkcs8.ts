/**
 * Password-protected PKCS#8 (a PEM labelled `ENCRYPTED PRIVATE KEY`, RFC 5958 §3) as
 * `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it: PBES2 (RFC 8018 §6.2) with PBKDF2 over
 * HMAC-SHA1 or HMAC-SHA256 and AES-128/192/256-CBC. Decrypted with WebCrypto into a plain
 * `PRIVATE KEY` PEM, which the usual parser reads. Written here because jose reads only
 * unencrypted PKCS#8, and WebCrypto has the primitives but not the container.
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier { PBES2, PBES2-params }, OCTET STRING }
 *   PBES2-params ::= SEQUENCE { keyDerivationFunc { PBKDF2, PBKDF2-params }, encryptionScheme { aes-N-CBC, IV } }
 *   PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER, keyLength INTEGER OPTIONAL, prf DEFAULT hmacWithSHA1 }
 */
import { webBytes } from "../jose/bytes";
import { DerError, TAG, children, contents, expectTag, oidToString, readRoot, unsignedInteger } from "./der";
import { KeyError } from "./errors";
import { parsePem } from "./pem";

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const PRF_HASH: Readonly<Record<string, "SHA-1" | "SHA-256">> = {
  "1.2.840.113549.2.7": "SHA-1", // hmacWithSHA1 (the default when prf is absent)
  "1.2.840.113549.2.9": "SHA-256", // hmacWithSHA256 (OpenSSL 3's default)
};
const AES_CBC_KEY_BYTES: Readonly<Record<string, number>> = {
  "2.16.840.1.101.3.4.1.2": 16,
  "2.16.840.1.101.3.4.1.22": 24,
  "2.16.840.1.101.3.4.1.42": 32,
};
/** More iterations than this is a denial of service on our CPU budget, not protection. */
const MAX_ITERATIONS = 10_000_000;

const LABEL = "ENCRYPTED PRIVATE KEY";

/** True when the text is (or holds) a PEM `ENCRYPTED PRIVATE KEY`. */
export const isEncryptedPkcs8Pem = (text: string): boolean => text.includes(`-----BEGIN ${LABEL}-----`);

interface Pbes2 {
  salt: Uint8Array;
  iterations: number;
  hash: "SHA-1" | "SHA-256";
  keyBytes: number;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * The `PRIVATE KEY` PEM inside an encrypted one. Throws KeyError naming `source`: unsupported
 * scheme, malformed, or a wrong password (never the password, never key bytes).
 */
export async function decryptPkcs8Pem(text: string, password: string, source: string): Promise<string> {
  const block = parsePemSafely(text, source);
  let params: Pbes2;
  try {
    params = readPbes2(block);
  } catch (e) {
    if (e instanceof KeyError) throw new KeyError(`${source} is ${e.message}`);
    throw new KeyError(`${source} is an encrypted private key whose contents are not valid PBES2 (${e instanceof DerError ? e.message : "malformed"})`);
  }
  const passwordKey = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", salt: webBytes(params.salt), iterations: params.iterations, hash: params.hash }, passwordKey, params.keyBytes * 8);
  let plain: ArrayBuffer;
  try {
    const aes = await crypto.subtle.importKey("raw", bits, { name: "AES-CBC" }, false, ["decrypt"]);
    plain = await crypto.subtle.decrypt({ name: "AES-CBC", iv: webBytes(params.iv) }, aes, webBytes(params.ciphertext));
  } catch (e) {
    // A wrong password almost always shows as bad padding; AES-192 may be missing from the runtime.
    if (params.keyBytes === 24 && e instanceof Error && e.name === "NotSupportedError") {
      throw new KeyError(`${source} is encrypted with AES-192-CBC, which this runtime's WebCrypto does not support; re-encrypt it with aes-256-cbc`);
    }
    throw wrongPassword(source);
  }
  const der = new Uint8Array(plain);
  // Padding can check by chance (about 1 in 256): the plaintext must also be a DER SEQUENCE.
  try {
    expectTag(readRoot(der), TAG.SEQUENCE, "PrivateKeyInfo");
  } catch {
    throw wrongPassword(source);
  }
  return toPem("PRIVATE KEY", der);
}

const wrongPassword = (source: string) => new KeyError(`${source} could not be decrypted: the password (its _PASSWORD secret) is wrong, or the key is corrupt`);

function parsePemSafely(text: string, source: string): Uint8Array {
  try {
    const block = parsePem(text).find((b) => b.label === LABEL);
    if (!block) throw new DerError("no ENCRYPTED PRIVATE KEY block");
    return block.der;
  } catch (e) {
    throw new KeyError(`${source} is not a valid PEM (${e instanceof DerError ? e.message : "malformed"})`);
  }
}

function readPbes2(der: Uint8Array): Pbes2 {
  const [algorithm, data] = children(expectTag(readRoot(der), TAG.SEQUENCE, "EncryptedPrivateKeyInfo"));
  const [schemeOid, schemeParams] = children(expectTag(algorithm, TAG.SEQUENCE, "encryptionAlgorithm"));
  const scheme = oidToString(expectTag(schemeOid, TAG.OID, "encryption algorithm OID"));
  if (scheme !== PBES2) throw new KeyError(`an encrypted private key with a scheme other than PBES2 (OID ${scheme}); re-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc`);
  const [kdf, enc] = children(expectTag(schemeParams, TAG.SEQUENCE, "PBES2-params"));
  const [kdfOid, kdfParams] = children(expectTag(kdf, TAG.SEQUENCE, "keyDerivationFunc"));
  const kdfName = oidToString(expectTag(kdfOid, TAG.OID, "key derivation OID"));
  if (kdfName !== PBKDF2) throw new KeyError(`an encrypted private key whose key derivation is not PBKDF2 (OID ${kdfName}, e.g. scrypt); use openssl pkcs8 -topk8 -v2 aes-256-cbc`);
  const fields = children(expectTag(kdfParams, TAG.SEQUENCE, "PBKDF2-params"));
  const salt = contents(expectTag(fields[0], TAG.OCTET_STRING, "PBKDF2 salt"));
  const iterations = toNumber(unsignedInteger(expectTag(fields[1], TAG.INTEGER, "PBKDF2 iterationCount")));
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw new DerError(`PBKDF2 iteration count out of range (1 to ${MAX_ITERATIONS})`);
  let keyLength: number | undefined;
  let hash: "SHA-1" | "SHA-256" = "SHA-1";
  for (const field of fields.slice(2)) {
    if (field.tag === TAG.INTEGER) keyLength = toNumber(unsignedInteger(field));
    else if (field.tag === TAG.SEQUENCE) {
      const prf = oidToString(expectTag(children(field)[0], TAG.OID, "PBKDF2 prf OID"));
      const named = PRF_HASH[prf];
      if (!named) throw new KeyError(`an encrypted private key whose PBKDF2 uses an unsupported PRF (OID ${prf}); HMAC-SHA1 and HMAC-SHA256 are supported`);
      hash = named;
    }
  }
  const [encOid, ivTlv] = children(expectTag(enc, TAG.SEQUENCE, "encryptionScheme"));
  const cipher = oidToString(expectTag(encOid, TAG.OID, "encryption scheme OID"));
  const keyBytes = AES_CBC_KEY_BYTES[cipher];
  if (!keyBytes) throw new KeyError(`an encrypted private key whose cipher is not AES-CBC (OID ${cipher}); use -v2 aes-256-cbc`);
  if (keyLength !== undefined && keyLength !== keyBytes) throw new DerError("PBKDF2 keyLength does not match the cipher");
  const iv = contents(expectTag(ivTlv, TAG.OCTET_STRING, "AES-CBC IV"));
  if (iv.length !== 16) throw new DerError("AES-CBC IV is not 16 bytes");
  const ciphertext = contents(expectTag(data, TAG.OCTET_STRING, "encryptedData"));
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new DerError("encrypted data is not a whole number of AES blocks");
  return { salt, iterations, hash, keyBytes, iv, ciphertext };
}

function toNumber(bytes: Uint8Array): number {
  if (bytes.length > 6) throw new DerError("integer too large");
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

function toPem(label: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const b64 = btoa(binary).replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith("\n") ? "" : "\n"}-----END ${label}-----\n`;
}
