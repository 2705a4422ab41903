/**
 * RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1), public-key operation only.
 *
 * WebCrypto (and so workerd) has no RSAES-PKCS1-v1_5, and jose 6 dropped RSA1_5, yet API Connect offers
 * `jwe-alg: RSA1_5`. Encrypting needs only the public key: pad, then c = m^e mod n. There is no private-key
 * code here, so none of the padding-oracle concerns of RSA1_5 decryption apply to this module.
 */
import { JweError } from "./errors";

export interface RsaPublicKey {
  modulus: bigint;
  exponent: bigint;
  /** k: the modulus length in bytes. */
  modulusBytes: number;
}

/** RFC 7518 §4.2: "A key of size 2048 bits or larger MUST be used with these algorithms." */
export const MIN_RSA_MODULUS_BYTES = 256;

/** base^exponent mod modulus, by right-to-left binary square-and-multiply. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    e >>= 1n;
    b = (b * b) % modulus;
  }
  return result;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** OS2IP (RFC 8017 §4.2): big-endian bytes to a non-negative integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "0x0";
  for (const byte of bytes) hex += HEX[byte];
  return BigInt(hex);
}

/** I2OSP (RFC 8017 §4.1): a non-negative integer to exactly `length` big-endian bytes. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16);
  if (value < 0n || hex.length > length * 2) throw new JweError(`integer does not fit in ${length} bytes`);
  const padded = hex.padStart(length * 2, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(padded.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Checks the shape of a public key; cheap enough to run on every call. */
export function checkRsaPublicKey(key: RsaPublicKey): void {
  const k = key.modulusBytes;
  if (!Number.isSafeInteger(k) || k < MIN_RSA_MODULUS_BYTES) {
    throw new JweError(`RSA1_5 key is ${Number.isSafeInteger(k) && k > 0 ? k * 8 : "?"} bits; at least 2048 are required`);
  }
  // n must be exactly k bytes long (top byte non-zero) and odd.
  if (key.modulus >> BigInt(8 * k) !== 0n || key.modulus >> BigInt(8 * (k - 1)) === 0n) {
    throw new JweError(`RSA1_5 key modulus is not ${k} bytes long`);
  }
  if ((key.modulus & 1n) === 0n) throw new JweError("RSA1_5 key modulus is even");
  if (key.exponent < 3n || (key.exponent & 1n) === 0n || key.exponent >= key.modulus) {
    throw new JweError("RSA1_5 key has an invalid public exponent");
  }
}

/**
 * RSAES-PKCS1-v1_5-ENCRYPT (RFC 8017 §7.2.1): returns the k-byte ciphertext of `message`.
 * `padding` (tests only) fixes PS; otherwise PS is fresh random non-zero bytes.
 */
export function rsaesPkcs1v15Encrypt(key: RsaPublicKey, message: Uint8Array, padding?: Uint8Array): Uint8Array {
  checkRsaPublicKey(key);
  const k = key.modulusBytes;
  const psLength = k - message.length - 3;
  // Step 1: mLen <= k - 11, so PS has at least 8 bytes.
  if (psLength < 8) throw new JweError(`message of ${message.length} bytes is too long for a ${k * 8}-bit RSA1_5 key`);

  // Step 2: EM = 0x00 || 0x02 || PS || 0x00 || M.
  const em = new Uint8Array(k);
  em[1] = 0x02;
  const ps = em.subarray(2, 2 + psLength);
  if (padding) {
    if (padding.length !== psLength) throw new JweError(`RSA1_5 padding is ${padding.length} bytes; ${psLength} needed`);
    if (padding.includes(0)) throw new JweError("RSA1_5 padding contains a zero byte");
    ps.set(padding);
  } else {
    fillNonZeroRandom(ps);
  }
  // em[2 + psLength] is already 0x00, the separator.
  em.set(message, 3 + psLength);

  // Steps 3-4: m = OS2IP(EM); c = m^e mod n (RSAEP, §5.1.1); C = I2OSP(c, k).
  // m < n holds: EM starts with 0x00, so m < 256^(k-1) <= n.
  return bigIntToBytes(modPow(bytesToBigInt(em), key.exponent, key.modulus), k);
}

/** Fills `out` with random bytes, none of them zero (RFC 8017 §7.2.1 step 2a). */
function fillNonZeroRandom(out: Uint8Array): void {
  crypto.getRandomValues(out);
  for (let i = 0; i < out.length; i++) {
    // Re-draw each zero byte: about one in 256, so this loop rarely runs more than a few times.
    while (out[i] === 0) out[i] = crypto.getRandomValues(new Uint8Array(1))[0]!;
  }
}
