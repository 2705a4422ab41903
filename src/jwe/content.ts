/**
 * JWE content encryption on WebCrypto (RFC 7518 §5): AES_CBC_HMAC_SHA2 (§5.2) and AES-GCM (§5.3).
 */
import { webBytes } from "../jose/bytes";
import { isJweContentAlgorithm, JWE_CONTENT_ALGORITHMS, type JweContentAlgorithm } from "../jose/algorithms";
import { JweError } from "./errors";

export interface ContentCiphertext {
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/**
 * Encrypts `plaintext` under `cek` with `iv`, authenticating `aad` (for compact JWE: the ASCII bytes of the
 * base64url protected header). Lengths of `cek` and `iv` are checked against the algorithm.
 */
export async function encryptContent(
  enc: JweContentAlgorithm,
  cek: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<ContentCiphertext> {
  if (typeof enc !== "string" || !isJweContentAlgorithm(enc)) throw new JweError(`unsupported JWE enc ${JSON.stringify(enc)}`);
  const spec = JWE_CONTENT_ALGORITHMS[enc];
  if (cek.length !== spec.cekBytes) throw new JweError(`content key is ${cek.length} bytes; ${enc} needs ${spec.cekBytes}`);
  if (iv.length !== spec.ivBytes) throw new JweError(`IV is ${iv.length} bytes; ${enc} needs ${spec.ivBytes}`);
  if (spec.family === "AES-GCM") return aesGcm(cek, iv, plaintext, aad);
  if (!spec.hash) throw new JweError(`${enc} has no HMAC hash`);
  return aesCbcHmac(spec.hash, cek, iv, plaintext, aad);
}

/** RFC 7518 §5.3: AES-GCM with a 128-bit tag; WebCrypto returns ciphertext || tag. */
async function aesGcm(cek: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<ContentCiphertext> {
  const key = await crypto.subtle.importKey("raw", webBytes(cek), "AES-GCM", false, ["encrypt"]);
  const params = { name: "AES-GCM", iv: webBytes(iv), additionalData: webBytes(aad), tagLength: 128 };
  const out = new Uint8Array(await crypto.subtle.encrypt(params, key, webBytes(plaintext)));
  const split = out.length - 16;
  return { ciphertext: out.subarray(0, split), tag: out.subarray(split) };
}

/**
 * RFC 7518 §5.2.2.1: MAC_KEY = first half of the CEK, ENC_KEY = second half; E = AES-CBC(ENC_KEY, IV, P) with
 * PKCS #7 padding; AL = the bit length of A as a 64-bit big-endian integer; T = the first half of
 * HMAC(MAC_KEY, A || IV || E || AL).
 */
async function aesCbcHmac(
  hash: "SHA-256" | "SHA-384" | "SHA-512",
  cek: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<ContentCiphertext> {
  const half = cek.length / 2;
  const [encKey, macKey] = await Promise.all([
    crypto.subtle.importKey("raw", webBytes(cek.subarray(half)), "AES-CBC", false, ["encrypt"]),
    crypto.subtle.importKey("raw", webBytes(cek.subarray(0, half)), { name: "HMAC", hash }, false, ["sign"]),
  ]);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: webBytes(iv) }, encKey, webBytes(plaintext)));

  const macInput = new Uint8Array(aad.length + iv.length + ciphertext.length + 8);
  macInput.set(aad, 0);
  macInput.set(iv, aad.length);
  macInput.set(ciphertext, aad.length + iv.length);
  new DataView(macInput.buffer).setBigUint64(macInput.length - 8, BigInt(aad.length) * 8n, false);

  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", macKey, macInput));
  return { ciphertext, tag: mac.subarray(0, half) };
}
