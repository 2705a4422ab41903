import { describe, expect, it } from "vitest";
import { encodeBase64Url } from "../../../src/jose/base64url";
import { encryptContent } from "../../../src/jwe";
import { decryptContent, hex, toHex, utf8 } from "./helpers";

/*
 * RFC 7518 Appendix B (test cases for AES_CBC_HMAC_SHA2), https://www.rfc-editor.org/rfc/rfc7518#appendix-B
 * The hex below is the RFC's; it was taken from public test suites that reproduce it (a Go JOSE library's
 * TestCBCHMACRFC7518AppendixB and a Python JWA test's test_a128_cbc_hs256 / _a192_ / _a256_), which agree
 * byte for byte with each other and with the spaced hex of the RFC text (IV 1a f3 8c 2d ..., E c8 0e df a3 ...).
 * P, IV and A are the same in B.1-B.3; K is 00 01 02 ... of 32, 48 and 64 bytes.
 */
const P = hex(
  "41206369706865722073797374656d206d757374206e6f742062652072657175" +
    "6972656420746f206265207365637265742c20616e64206974206d7573742062" +
    "652061626c6520746f2066616c6c20696e746f207468652068616e6473206f66" +
    "2074686520656e656d7920776974686f757420696e636f6e76656e69656e6365",
);
const IV = hex("1af38c2dc2b96ffdd86694092341bc04");
const A = hex("546865207365636f6e64207072696e6369706c65206f662041756775737465204b6572636b686f666673");
const K = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

const appendixB = [
  {
    name: "B.1 AES_128_CBC_HMAC_SHA_256",
    enc: "A128CBC-HS256",
    key: K(32),
    E:
      "c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9" +
      "a94ac9b47ad2655c5f10f9aef71427e2fc6f9b3f399a221489f16362c7032336" +
      "09d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b" +
      "384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade5" +
      "4b8851ffb598f7f80074b9473c82e2db",
    T: "652c3fa36b0a7c5b3219fab3a30bc1c4",
  },
  {
    name: "B.2 AES_192_CBC_HMAC_SHA_384",
    enc: "A192CBC-HS384",
    key: K(48),
    E:
      "ea65da6b59e61edb419be62d19712ae5d303eeb50052d0dfd6697f77224c8edb" +
      "000d279bdc14c1072654bd30944230c657bed4ca0c9f4a8466f22b226d174621" +
      "4bf8cfc2400add9f5126e479663fc90b3bed787a2f0ffcbf3904be2a641d5c21" +
      "05bfe591bae23b1d7449e532eef60a9ac8bb6c6b01d35d49787bcd57ef484927" +
      "f280adc91ac0c4e79c7b11efc60054e3",
    T: "8490ac0e58949bfe51875d733f93ac2075168039ccc733d7",
  },
  {
    name: "B.3 AES_256_CBC_HMAC_SHA_512",
    enc: "A256CBC-HS512",
    key: K(64),
    E:
      "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd" +
      "822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b" +
      "36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3" +
      "a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b" +
      "be2638d09dd7a4930930806d0703b1f6",
    T: "4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5",
  },
] as const;

describe("content encryption: RFC 7518 Appendix B known answers", () => {
  it("has the RFC's plaintext and associated data", () => {
    expect(new TextDecoder().decode(P)).toBe(
      "A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience",
    );
    expect(new TextDecoder().decode(A)).toBe("The second principle of Auguste Kerckhoffs");
  });

  for (const v of appendixB) {
    it(`${v.name}: exact ciphertext and tag`, async () => {
      const { ciphertext, tag } = await encryptContent(v.enc, v.key, IV, P, A);
      expect(toHex(ciphertext)).toBe(v.E);
      expect(toHex(tag)).toBe(v.T);
      expect(tag.length).toBe(v.key.length / 2);
      // The test-only decryptor agrees (and so is itself checked against the RFC).
      expect(await decryptContent(v.enc, v.key, IV, ciphertext, tag, A)).toEqual(P);
    });
  }

  it("changes the tag when one bit of AAD changes (the AAD is authenticated)", async () => {
    const v = appendixB[0];
    const a2 = A.slice();
    a2[0] = a2[0]! ^ 1;
    const { ciphertext, tag } = await encryptContent(v.enc, v.key, IV, P, a2);
    expect(toHex(ciphertext)).toBe(v.E);
    expect(toHex(tag)).not.toBe(v.T);
  });
});

describe("content encryption: AES-GCM", () => {
  // RFC 7516 Appendix A.1.4-A.1.6: CEK, IV, AAD = ASCII(BASE64URL(protected header)), expected ciphertext and tag.
  it("A256GCM reproduces RFC 7516 A.1 exactly", async () => {
    const cek = Uint8Array.from([
      177, 161, 244, 128, 84, 143, 225, 115, 63, 180, 3, 255, 107, 154, 212, 246, 138, 7, 110, 91, 112, 46, 34, 105, 47, 130, 203, 46, 122,
      234, 64, 252,
    ]);
    const iv = Uint8Array.from([227, 197, 117, 252, 2, 219, 233, 68, 180, 225, 77, 219]);
    const aad = utf8("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ");
    const { ciphertext, tag } = await encryptContent("A256GCM", cek, iv, utf8("The true sign of intelligence is not knowledge but imagination."), aad);
    expect(encodeBase64Url(ciphertext)).toBe("5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A");
    expect(encodeBase64Url(tag)).toBe("XFBoMYUZodetZdvTiFvSkQ");
  });

  for (const [enc, n] of [["A128GCM", 16], ["A192GCM", 24], ["A256GCM", 32]] as const) {
    it(`${enc}: 16-byte tag, ciphertext as long as the plaintext, round trip`, async () => {
      const cek = crypto.getRandomValues(new Uint8Array(n));
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const { ciphertext, tag } = await encryptContent(enc, cek, iv, utf8("hello"), utf8("aad"));
      expect(tag.length).toBe(16);
      expect(ciphertext.length).toBe(5);
      expect(await decryptContent(enc, cek, iv, ciphertext, tag, utf8("aad"))).toEqual(utf8("hello"));
    });
  }
});
