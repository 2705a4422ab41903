import { describe, expect, it } from "vitest";
import {
  DerError, TAG, children, contents, encodeBitString, encodeOctetString, encodeOid, encodeSequence, encodeTlv,
  encodeUnsignedInteger, oidToString, readRoot, readTlv, unsignedInteger, whole,
} from "../../../src/keys/der";
import { parsePem, unescapeNewlines } from "../../../src/keys/pem";

describe("DER reader and writer", () => {
  it("short, one-byte and two-byte lengths round-trip", () => {
    for (const n of [0, 1, 127, 128, 255, 256, 1000, 65535]) {
      const der = encodeOctetString(new Uint8Array(n).fill(7));
      expect(der.length).toBe(n + (n < 128 ? 2 : n < 256 ? 3 : 4));
      const tlv = readRoot(der);
      expect(tlv.tag).toBe(TAG.OCTET_STRING);
      expect(contents(tlv)).toEqual(new Uint8Array(n).fill(7));
      expect(whole(tlv)).toEqual(der);
    }
  });

  it("OIDs round-trip, including multi-byte arcs", () => {
    for (const oid of ["1.2.840.113549.1.1.1", "1.2.840.10045.3.1.7", "1.3.132.0.35", "2.5.4.3", "1.3.6.1.4.1.311.60.2.1.1"]) {
      expect(oidToString(readRoot(encodeOid(oid)))).toBe(oid);
    }
    // Known encodings (X.690 examples and RFC 5480).
    expect(Array.from(encodeOid("1.2.840.10045.2.1"))).toEqual([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);
  });

  it("integers: sign padding added on write, removed on read; negatives refused", () => {
    expect(Array.from(encodeUnsignedInteger(new Uint8Array([0x80, 1])))).toEqual([0x02, 0x03, 0x00, 0x80, 0x01]);
    expect(Array.from(encodeUnsignedInteger(new Uint8Array([0, 0, 0x7f])))).toEqual([0x02, 0x01, 0x7f]);
    expect(Array.from(unsignedInteger(readRoot(new Uint8Array([0x02, 0x03, 0x00, 0x80, 0x01]))))).toEqual([0x80, 0x01]);
    expect(() => unsignedInteger(readRoot(new Uint8Array([0x02, 0x01, 0xff])))).toThrow(DerError);
  });

  it("sequences list their children", () => {
    const seq = readRoot(encodeSequence(encodeUnsignedInteger(new Uint8Array([5])), encodeBitString(new Uint8Array([1, 2])), encodeTlv(TAG.NULL)));
    expect(children(seq).map((c) => c.tag)).toEqual([TAG.INTEGER, TAG.BIT_STRING, TAG.NULL]);
  });

  it("malformed input is a DerError, never an out-of-range read", () => {
    const bad = [
      [], [0x30], [0x30, 0x05, 0x02], // truncated
      [0x30, 0x80, 0x00, 0x00], // indefinite length (BER)
      [0x30, 0x85, 1, 1, 1, 1, 1], // 5 length bytes
      [0x1f, 0x01, 0x00], // multi-byte tag
      [0x05, 0x00, 0x00], // trailing byte
    ];
    for (const bytes of bad) expect(() => readRoot(new Uint8Array(bytes)), JSON.stringify(bytes)).toThrow(DerError);
    // A child that overruns its parent.
    expect(() => children(readTlv(new Uint8Array([0x30, 0x02, 0x04, 0x05]), 0))).toThrow(DerError);
  });
});

describe("PEM text", () => {
  it("literal \\n, \\r\\n and CRLF become newlines", () => {
    expect(unescapeNewlines("a\\nb\\r\\nc\r\nd\re")).toBe("a\nb\nc\nd\ne");
  });

  it("several blocks, in order, with headers removed", () => {
    const text = "junk before\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n-----BEGIN X-----\nComment: hi\nAAEC\n-----END X-----\n";
    const blocks = parsePem(text);
    expect(blocks.map((b) => b.label)).toEqual(["EC PARAMETERS", "X"]);
    expect(Array.from(blocks[1]!.der)).toEqual([0, 1, 2]);
    expect(blocks[1]!.encryptedHeaders).toBe(false);
  });

  it("refuses unterminated blocks, mismatched labels and bad base64 without quoting them", () => {
    for (const text of ["-----BEGIN X-----\nAAEC\n", "-----BEGIN X-----\nAAEC\n-----END Y-----", "-----BEGIN X-----\nAA!C\n-----END X-----", "-----BEGIN X-----\nAAE\n-----END X-----"]) {
      let error: unknown;
      try {
        parsePem(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DerError);
      expect((error as Error).message).not.toMatch(/AA/);
    }
  });
});
