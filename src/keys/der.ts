/**
 * A minimal DER reader and writer: just enough ASN.1 to turn the key containers WebCrypto cannot
 * import (PKCS#1, SEC1, X.509) into the ones it can (PKCS#8, SPKI), and to read RSA n/e and EC
 * curves for key checks and thumbprints. Definite lengths only (DER forbids the others).
 */

/** ASN.1 universal and context tags used by key containers. */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  /** [0] and [1], constructed (EXPLICIT): SEC1 parameters and public key, X.509 version. */
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

/** One decoded element: its tag and where its contents lie in `bytes`. */
export interface Tlv {
  tag: number;
  bytes: Uint8Array;
  /** Offset of the tag byte: the element as a whole is bytes[offset, end). */
  offset: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

/** Thrown on malformed DER; callers turn it into a KeyError that names the key's source. */
export class DerError extends Error {
  override name = "DerError";
}

/** Reads the element at `offset`. Multi-byte tags are not used by key containers and are refused. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw new DerError("truncated element");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tag");
  let pos = offset + 1;
  const first = bytes[pos++]!;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length bytes cannot describe a key.
    if (count === 0 || count > 4) throw new DerError("unsupported length");
    if (pos + count > limit) throw new DerError("truncated length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
  }
  const end = pos + length;
  if (end > limit) throw new DerError("element overruns its container");
  return { tag, bytes, offset, start: pos, end };
}

/** Reads the single element that must fill `bytes` exactly. */
export function readRoot(bytes: Uint8Array): Tlv {
  const root = readTlv(bytes, 0);
  if (root.end !== bytes.length) throw new DerError("trailing bytes");
  return root;
}

/** The elements inside a constructed element (a SEQUENCE or an explicit tag). */
export function children(parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(parent.bytes, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** The content bytes of an element (a view, not a copy). */
export const contents = (tlv: Tlv): Uint8Array => tlv.bytes.subarray(tlv.start, tlv.end);

/** The whole element, header included (a view). */
export const whole = (tlv: Tlv): Uint8Array => tlv.bytes.subarray(tlv.offset, tlv.end);

/** Checks an element's tag; `what` names it for the error. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`expected ${what}`);
  return tlv;
}

/** An INTEGER's magnitude, without DER's sign-padding zero byte. Negative integers are refused. */
export function unsignedInteger(tlv: Tlv): Uint8Array {
  const value = contents(tlv);
  if (value.length === 0) throw new DerError("empty integer");
  if (value[0]! & 0x80) throw new DerError("negative integer");
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  return value.subarray(i);
}

/** A BIT STRING's bytes; key containers only use whole bytes (no unused bits). */
export function bitStringBytes(tlv: Tlv): Uint8Array {
  const value = contents(tlv);
  if (value.length === 0 || value[0] !== 0) throw new DerError("bit string with unused bits");
  return value.subarray(1);
}

/** An OBJECT IDENTIFIER in dotted form, e.g. "1.2.840.113549.1.1.1". */
export function oidToString(tlv: Tlv): string {
  const value = contents(tlv);
  if (value.length === 0) throw new DerError("empty object identifier");
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of value) {
    arc = arc * 128 + (byte & 0x7f);
    if (arc > Number.MAX_SAFE_INTEGER / 128) throw new DerError("object identifier arc too large");
    if (!(byte & 0x80)) {
      arcs.push(arc);
      arc = 0;
    }
  }
  if (value[value.length - 1]! & 0x80) throw new DerError("truncated object identifier");
  const first = arcs.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join(".");
}

// ---- writer ----

function byteCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 256)) count++;
  return count;
}

/** One element: tag, DER length, contents. */
export function encodeTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const header: number[] = [tag];
  if (length < 0x80) header.push(length);
  else {
    const count = byteCount(length);
    header.push(0x80 | count);
    for (let i = count - 1; i >= 0; i--) header.push(Math.floor(length / 256 ** i) % 256);
  }
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  let pos = header.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** A SEQUENCE of already-encoded elements. */
export const encodeSequence = (...parts: Uint8Array[]): Uint8Array => encodeTlv(TAG.SEQUENCE, ...parts);

/** A non-negative INTEGER from its big-endian magnitude (adds the sign-padding zero when needed). */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const trimmed = magnitude.subarray(i);
  if (trimmed.length === 0) return encodeTlv(TAG.INTEGER, new Uint8Array([0]));
  return trimmed[0]! & 0x80 ? encodeTlv(TAG.INTEGER, new Uint8Array([0]), trimmed) : encodeTlv(TAG.INTEGER, trimmed);
}

/** An OBJECT IDENTIFIER from dotted form. */
export function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const [a = 0, b = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const groups: number[] = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v % 128) | 0x80);
    out.push(...groups);
  }
  return encodeTlv(TAG.OID, new Uint8Array(out));
}

/** NULL (the parameters of rsaEncryption). */
export const encodeNull = (): Uint8Array => encodeTlv(TAG.NULL);
/** An OCTET STRING. */
export const encodeOctetString = (value: Uint8Array): Uint8Array => encodeTlv(TAG.OCTET_STRING, value);
/** A BIT STRING of whole bytes. */
export const encodeBitString = (value: Uint8Array): Uint8Array => encodeTlv(TAG.BIT_STRING, new Uint8Array([0]), value);
