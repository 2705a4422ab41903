/**
 * ECDH-ES key agreement (RFC 7518 §4.6; X25519 per RFC 8037 §3.2) on WebCrypto. Per token: a fresh
 * ephemeral key pair, Z from deriveBits with the recipient's public key, then the Concat KDF (NIST SP
 * 800-56A, single-step, SHA-256) gives either the CEK itself (ECDH-ES) or a key-wrapping key for
 * AES-KW (ECDH-ES+A128KW/A192KW/A256KW). The ephemeral public key travels in the header as `epk`, so
 * the protected header (the AAD) is new for every token. jose is not used to build tokens here: the
 * gateway's JWE is its own code, checked against the RFC's vector and decrypted by independent libraries.
 */
import { JWE_CONTENT_ALGORITHMS, JWE_KEY_ALGORITHMS, type JweContentAlgorithm, type JweKeyAlgorithm } from "../jose/algorithms";
import { encodeBase64Url, encodeBase64UrlText } from "../jose/base64url";
import { webBytes } from "../jose/bytes";
import { encryptContent } from "./content";
import type { EncryptionKey, JweHeader, JweTestingOverrides } from "./types";

type EcdhKey = Extract<EncryptionKey, { family: "ECDH-ES" }>;

const encoder = new TextEncoder();
/** Bits of Z per curve: the field size, rounded up to whole bytes (P-521: 66 bytes). */
const Z_BITS: Readonly<Record<EcdhKey["crv"], number>> = { "P-256": 256, "P-384": 384, "P-521": 528, X25519: 256 };

/** The ephemeral key pair's algorithm for a recipient curve. */
const ephemeralParams = (crv: EcdhKey["crv"]) => (crv === "X25519" ? { name: "X25519" } : { name: "ECDH", namedCurve: crv });

/** Z, the shared secret, from our (ephemeral) private key and the recipient's public key. */
export async function sharedSecret(privateKey: CryptoKey, recipient: EcdhKey): Promise<Uint8Array> {
  const params = recipient.crv === "X25519" ? { name: "X25519", public: recipient.key } : { name: "ECDH", public: recipient.key };
  return new Uint8Array(await crypto.subtle.deriveBits(params as Parameters<SubtleCrypto["deriveBits"]>[0], privateKey, Z_BITS[recipient.crv]));
}

/**
 * Concat KDF of RFC 7518 §4.6.2: rounds of SHA-256(counter ‖ Z ‖ OtherInfo), where OtherInfo is
 * AlgorithmID ‖ PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo, each datum length-prefixed (32-bit big-endian).
 */
export async function concatKdf(z: Uint8Array, keyBits: number, algorithmId: string, apu: Uint8Array, apv: Uint8Array): Promise<Uint8Array> {
  const id = encoder.encode(algorithmId);
  const otherInfo = concat(lengthPrefixed(id), lengthPrefixed(apu), lengthPrefixed(apv), uint32(keyBits));
  const keyBytes = keyBits / 8;
  const out = new Uint8Array(Math.ceil(keyBytes / 32) * 32);
  for (let round = 1; (round - 1) * 32 < keyBytes; round++) {
    const digest = await crypto.subtle.digest("SHA-256", webBytes(concat(uint32(round), z, otherInfo)));
    out.set(new Uint8Array(digest), (round - 1) * 32);
  }
  return out.slice(0, keyBytes);
}

/** The key ECDH-ES derives for a token: the CEK (direct) or the key-wrapping key (+A*KW). */
export async function deriveKey(z: Uint8Array, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, apu: Uint8Array = new Uint8Array(0), apv: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  const wrapBytes = JWE_KEY_ALGORITHMS[alg].keyBytes;
  // §4.6.2: AlgorithmID is enc for direct agreement, alg when the result wraps a CEK.
  return wrapBytes === undefined ? concatKdf(z, JWE_CONTENT_ALGORITHMS[enc].cekBytes * 8, enc, apu, apv) : concatKdf(z, wrapBytes * 8, alg, apu, apv);
}

/** A compact JWE for `key` with ECDH-ES: the header is `header` plus epk (and apu/apv when testing sets them). */
export async function encryptEcdhEs(plaintext: Uint8Array, header: Readonly<JweHeader>, key: EcdhKey, testing?: JweTestingOverrides): Promise<string> {
  const { alg, enc } = header;
  const contentSpec = JWE_CONTENT_ALGORITHMS[enc];
  const ephemeral = testing?.ephemeral ?? ((await crypto.subtle.generateKey(ephemeralParams(key.crv), true, ["deriveBits"])) as CryptoKeyPair);
  const publicJwk = (await crypto.subtle.exportKey("jwk", ephemeral.publicKey)) as JsonWebKey;
  // Only the public members, in RFC 7518's order.
  const epk = key.crv === "X25519" ? { kty: "OKP", crv: "X25519", x: publicJwk.x } : { kty: "EC", crv: key.crv, x: publicJwk.x, y: publicJwk.y };
  const apu = testing?.apu ?? new Uint8Array(0);
  const apv = testing?.apv ?? new Uint8Array(0);
  const derived = await deriveKey(await sharedSecret(ephemeral.privateKey, key), alg, enc, apu, apv);

  const members: Record<string, unknown> = { ...header, epk };
  if (apu.length > 0) members.apu = encodeBase64Url(apu);
  if (apv.length > 0) members.apv = encodeBase64Url(apv);
  const protectedB64 = encodeBase64UrlText(JSON.stringify(members));
  const iv = testing?.iv ?? crypto.getRandomValues(new Uint8Array(contentSpec.ivBytes));

  let cek: Uint8Array;
  let encryptedKey: Uint8Array;
  if (JWE_KEY_ALGORITHMS[alg].keyBytes === undefined) {
    cek = derived;
    encryptedKey = new Uint8Array(0);
  } else {
    cek = testing?.cek ?? crypto.getRandomValues(new Uint8Array(contentSpec.cekBytes));
    const kek = await crypto.subtle.importKey("raw", webBytes(derived), { name: "AES-KW" }, false, ["wrapKey"]);
    // WebCrypto wraps CryptoKeys only: the CEK goes in as an extractable HMAC key (any length) to be wrapped.
    const cekKey = await crypto.subtle.importKey("raw", webBytes(cek), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
    encryptedKey = new Uint8Array(await crypto.subtle.wrapKey("raw", cekKey, kek, "AES-KW"));
  }
  try {
    const content = await encryptContent(enc, cek, iv, plaintext, encoder.encode(protectedB64));
    return `${protectedB64}.${encodeBase64Url(encryptedKey)}.${encodeBase64Url(iv)}.${encodeBase64Url(content.ciphertext)}.${encodeBase64Url(content.tag)}`;
  } finally {
    derived.fill(0);
    if (!testing?.cek) cek.fill(0);
  }
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concat(uint32(bytes.length), bytes);
}

function uint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
