/**
 * JWE compact serialization (RFC 7516 §7.1) on WebCrypto, for the 7 key management and 6 content
 * encryption algorithms of jwt-generate (RFC 7518 §4, §5).
 *
 *   BASE64URL(protected header) . BASE64URL(encrypted key) . BASE64URL(IV) . BASE64URL(ciphertext) . BASE64URL(tag)
 *
 * Per token: one fresh random CEK and IV, key management and content encryption run concurrently (in
 * compact serialization the AAD is the protected header alone, which does not depend on the encrypted key).
 * A caller with a fixed header can `prepareJwe` once and call `encryptPrepared` per token.
 */
import {
  isJweContentAlgorithm,
  isJweKeyAlgorithm,
  JWE_CONTENT_ALGORITHMS,
  JWE_KEY_ALGORITHMS,
  type JweKeyAlgorithm,
  type JweKeyAlgorithmSpec,
} from "../jose/algorithms";
import { encodeBase64Url, encodeBase64UrlText } from "../jose/base64url";
import { webBytes } from "../jose/bytes";
import { encryptContent } from "./content";
import { encryptEcdhEs } from "./ecdh-es";
import { JweError } from "./errors";
import { MIN_RSA_MODULUS_BYTES, rsaesPkcs1v15Encrypt } from "./rsa-pkcs1v15";
import type { EncryptionKey, JweHeader, JweTestingOverrides } from "./types";

/** A validated header with its serialization, reusable for any number of tokens. */
export interface PreparedJwe {
  readonly header: Readonly<JweHeader>;
  /** BASE64URL(UTF8(JWE Protected Header)). */
  readonly protectedB64: string;
  /** The Additional Authenticated Data: ASCII(protectedB64). Do not mutate. */
  readonly aad: Uint8Array;
}

const encoder = new TextEncoder();

/** Validates `header` and serializes it in the order alg, enc, kid, cty (members left undefined are omitted). */
export function prepareJwe(header: JweHeader): PreparedJwe {
  const { alg, enc, kid, cty } = header;
  if (typeof alg !== "string" || !isJweKeyAlgorithm(alg)) throw new JweError(`unsupported JWE alg ${JSON.stringify(alg)}`);
  if (typeof enc !== "string" || !isJweContentAlgorithm(enc)) throw new JweError(`unsupported JWE enc ${JSON.stringify(enc)}`);
  if (kid !== undefined && typeof kid !== "string") throw new JweError("JWE kid must be a string");
  if (cty !== undefined && typeof cty !== "string") throw new JweError("JWE cty must be a string");

  const members: JweHeader = { alg, enc };
  if (kid !== undefined) members.kid = kid;
  if (cty !== undefined) members.cty = cty;
  const protectedB64 = encodeBase64UrlText(JSON.stringify(members));
  return Object.freeze({ header: Object.freeze(members), protectedB64, aad: encoder.encode(protectedB64) });
}

/** Encrypts `plaintext` into a compact JWE with `header`. */
export async function encryptCompact(
  plaintext: Uint8Array,
  header: JweHeader,
  key: EncryptionKey,
  testing?: JweTestingOverrides,
): Promise<string> {
  return encryptPrepared(plaintext, prepareJwe(header), key, testing);
}

/** Encrypts `plaintext` into a compact JWE with a header from `prepareJwe`. */
export async function encryptPrepared(
  plaintext: Uint8Array,
  prepared: PreparedJwe,
  key: EncryptionKey,
  testing?: JweTestingOverrides,
): Promise<string> {
  const { alg, enc } = prepared.header;
  const keySpec = JWE_KEY_ALGORITHMS[alg];
  const contentSpec = JWE_CONTENT_ALGORITHMS[enc];
  // A PreparedJwe made by hand rather than by prepareJwe may carry anything.
  if (!Object.hasOwn(JWE_KEY_ALGORITHMS, alg) || !Object.hasOwn(JWE_CONTENT_ALGORITHMS, enc)) {
    throw new JweError("JWE header was not prepared by prepareJwe");
  }
  if (key.family !== keySpec.family) {
    throw new JweError(`jwe-alg ${alg} needs a ${keySpec.family} key; this key is for ${key.family}`);
  }
  // Key agreement: the header gains the ephemeral key, so it is built per token (src/jwe/ecdh-es.ts).
  if (key.family === "ECDH-ES") return encryptEcdhEs(plaintext, prepared.header, key, testing);

  // The CEK: the key itself for dir, else fresh random bytes (drawn together with the IV: one call).
  let cek: Uint8Array;
  let iv: Uint8Array;
  let generated: Uint8Array | undefined;
  if (key.family === "dir") {
    if (testing?.cek) throw new JweError("testing.cek cannot be used with dir: the key is the CEK");
    if (key.cek.length !== contentSpec.cekBytes) {
      throw new JweError(`dir key is ${key.cek.length} bytes; ${enc} needs ${contentSpec.cekBytes}`);
    }
    cek = key.cek;
    iv = testing?.iv ?? crypto.getRandomValues(new Uint8Array(contentSpec.ivBytes));
  } else if (testing?.cek || testing?.iv) {
    cek = testing.cek ?? crypto.getRandomValues(new Uint8Array(contentSpec.cekBytes));
    iv = testing.iv ?? crypto.getRandomValues(new Uint8Array(contentSpec.ivBytes));
  } else {
    const random = crypto.getRandomValues(new Uint8Array(contentSpec.cekBytes + contentSpec.ivBytes));
    cek = generated = random.subarray(0, contentSpec.cekBytes);
    iv = random.subarray(contentSpec.cekBytes);
  }
  if (cek.length !== contentSpec.cekBytes) throw new JweError(`content key is ${cek.length} bytes; ${enc} needs ${contentSpec.cekBytes}`);
  if (iv.length !== contentSpec.ivBytes) throw new JweError(`IV is ${iv.length} bytes; ${enc} needs ${contentSpec.ivBytes}`);

  try {
    // Key checks run before any crypto starts; then key management and content encryption run together.
    const encryptedKey = encryptCek(alg, keySpec, key, cek, testing?.rsa15Padding);
    const [wrapped, content] = await Promise.all([encryptedKey, encryptContent(enc, cek, iv, plaintext, prepared.aad)]);
    return `${prepared.protectedB64}.${encodeBase64Url(wrapped)}.${encodeBase64Url(iv)}.${encodeBase64Url(content.ciphertext)}.${encodeBase64Url(content.tag)}`;
  } finally {
    generated?.fill(0);
  }
}

/** The members of CryptoKey.algorithm read here (RSA: hash, modulusLength; AES: length), typed the same in both libs. */
interface KeyAlgorithmView {
  name: string;
  hash?: { name?: string };
  modulusLength?: number;
  length?: number;
}

/**
 * CryptoKeys are immutable, so a key that passed the checks for an alg passes them for good: the checks
 * (which read the key's algorithm and usages) run on the first token per key and alg, not on every token.
 */
const checked = new WeakMap<EncryptionKey, Set<JweKeyAlgorithm>>();
function checkOnce(key: EncryptionKey, alg: JweKeyAlgorithm, check: () => void): void {
  const algs = checked.get(key);
  if (algs?.has(alg)) return;
  check();
  if (algs) algs.add(alg);
  else checked.set(key, new Set([alg]));
}

/**
 * Key management (RFC 7518 §4): the JWE Encrypted Key. Validates the key synchronously (throws), then
 * returns the pending encryption.
 */
function encryptCek(
  alg: JweKeyAlgorithm,
  spec: JweKeyAlgorithmSpec,
  key: EncryptionKey,
  cek: Uint8Array,
  rsa15Padding: Uint8Array | undefined,
): Promise<Uint8Array> {
  switch (key.family) {
    case "ECDH-ES":
      throw new JweError("ECDH-ES is handled by encryptEcdhEs");
    case "dir":
      // §4.5: the encrypted key is the empty octet sequence.
      return Promise.resolve(new Uint8Array(0));

    case "RSA1_5":
      // §4.2: RSAES-PKCS1-v1_5 of the CEK, by our own public-key operation (WebCrypto has none).
      return Promise.resolve(rsaesPkcs1v15Encrypt(key, cek, rsa15Padding));

    case "RSA-OAEP": {
      // §4.3: RSAES-OAEP; RSA-OAEP uses SHA-1 (and MGF1 with SHA-1), RSA-OAEP-256 SHA-256.
      checkOnce(key, alg, () => {
        const algorithm = key.key.algorithm as KeyAlgorithmView;
        const hash = algorithm.hash?.name;
        if (algorithm.name !== "RSA-OAEP") throw new JweError(`${alg} needs an RSA-OAEP key; this key is ${algorithm.name}`);
        if (hash !== spec.hash) throw new JweError(`${alg} needs an RSA-OAEP key with ${spec.hash}; this key uses ${hash ?? "no hash"}`);
        const bits = algorithm.modulusLength ?? 0;
        if (bits < MIN_RSA_MODULUS_BYTES * 8) throw new JweError(`${alg} key is ${bits} bits; at least 2048 are required`);
        if (!key.key.usages.includes("encrypt")) throw new JweError(`${alg} key does not allow "encrypt"`);
      });
      return crypto.subtle.encrypt({ name: "RSA-OAEP" }, key.key, webBytes(cek)).then((c) => new Uint8Array(c));
    }

    case "AES-KW": {
      // §4.4: AES Key Wrap (RFC 3394) of the CEK. WebCrypto wraps CryptoKeys only, so the CEK is imported
      // as an extractable HMAC key (any length, and every CEK length is a multiple of 8 bytes) just to wrap it.
      checkOnce(key, alg, () => {
        const algorithm = key.key.algorithm as KeyAlgorithmView;
        const bytes = (algorithm.length ?? 0) / 8;
        if (algorithm.name !== "AES-KW") throw new JweError(`${alg} needs an AES-KW key; this key is ${algorithm.name}`);
        if (bytes !== spec.keyBytes) throw new JweError(`${alg} key is ${bytes} bytes; ${alg} needs ${spec.keyBytes ?? "?"}`);
        if (!key.key.usages.includes("wrapKey")) throw new JweError(`${alg} key does not allow "wrapKey"`);
      });
      return crypto.subtle
        .importKey("raw", webBytes(cek), { name: "HMAC", hash: "SHA-256" }, true, ["sign"])
        .then((cekKey) => crypto.subtle.wrapKey("raw", cekKey, key.key, "AES-KW"))
        .then((w) => new Uint8Array(w));
    }
  }
}
