/*
 * RFC 7516 Appendix A, https://www.rfc-editor.org/rfc/rfc7516#appendix-A
 * Keys, CEKs, IVs and expected values are the RFC's. They were copied from public test suites that embed
 * them (the A.1 private JWK from a C OIDC module's RFC 7516 §A.1 test; the A.2 key, CEK and encrypted key from
 * a Python and a .NET JOSE library's Appendix A.2 tests); each is checked below against the RFC's own outputs
 * (decrypting the RFC's encrypted keys must give the RFC's CEKs), so a copying error fails these tests.
 */
import { compactDecrypt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBase64Url, encodeBase64Url } from "../../../src/jose/base64url";
import { encryptCompact, type EncryptionKey } from "../../../src/jwe";
import { b64uToBigInt, decryptContent, decryptRsa15Compact, parsePkcs1v15, rsaPrivateFromJwk, rsaRawDecrypt, splitCompact, text, utf8 } from "./helpers";

// A.2 and A.3 share the CEK, IV and plaintext.
const CEK_A2 = Uint8Array.from([
  4, 211, 31, 197, 84, 157, 252, 254, 11, 100, 157, 250, 63, 170, 106, 206, 107, 124, 212, 45, 111, 107, 9, 219, 200, 177, 0, 240, 143, 156, 44,
  207,
]);
const IV_A2 = Uint8Array.from([3, 22, 60, 12, 43, 67, 104, 105, 108, 108, 105, 99, 111, 116, 104, 101]);
const LIVE_LONG = utf8("Live long and prosper.");

describe("RFC 7516 A.3: A128KW + A128CBC-HS256", () => {
  const expected =
    "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0." +
    "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ." +
    "AxY8DCtDaGlsbGljb3RoZQ." +
    "KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY." +
    "U0m_YmjN04DJvceFICbCVQ";
  let key: EncryptionKey;
  beforeAll(async () => {
    // A.3.3: {"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"}
    const kw = await crypto.subtle.importKey("raw", decodeBase64Url("GawgguFyGrWKav7AX4VKUg"), "AES-KW", false, ["wrapKey"]);
    key = { family: "AES-KW", key: kw };
  });

  it("produces the RFC's compact JWE exactly", async () => {
    const jwe = await encryptCompact(LIVE_LONG, { alg: "A128KW", enc: "A128CBC-HS256" }, key, { cek: CEK_A2, iv: IV_A2 });
    expect(jwe).toBe(expected);
  });

  it("jose decrypts it", async () => {
    const jwe = await encryptCompact(LIVE_LONG, { alg: "A128KW", enc: "A128CBC-HS256" }, key, { cek: CEK_A2, iv: IV_A2 });
    const { plaintext } = await compactDecrypt(jwe, decodeBase64Url("GawgguFyGrWKav7AX4VKUg"));
    expect(text(plaintext)).toBe("Live long and prosper.");
  });

  it("uses a fresh CEK and IV per token when none is given", async () => {
    const a = splitCompact(await encryptCompact(LIVE_LONG, { alg: "A128KW", enc: "A128CBC-HS256" }, key));
    const b = splitCompact(await encryptCompact(LIVE_LONG, { alg: "A128KW", enc: "A128CBC-HS256" }, key));
    expect(a.encryptedKey.length).toBe(40);
    expect(encodeBase64Url(a.encryptedKey)).not.toBe(encodeBase64Url(b.encryptedKey));
    expect(encodeBase64Url(a.iv)).not.toBe(encodeBase64Url(b.iv));
  });
});

describe("RFC 7516 A.2: RSA1_5 + A128CBC-HS256", () => {
  // A.2.3: the RSA key.
  const jwk = {
    kty: "RSA",
    n:
      "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1Wl" +
      "UzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDpre" +
      "cbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_" +
      "7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBI" +
      "Y2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU" +
      "7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
    e: "AQAB",
    d:
      "VFCWOqXr8nvZNyaaJLXdnNPXZKRaWCjkU5Q2egQQpTBMwhprMzWzpR8Sxq" +
      "1OPThh_J6MUD8Z35wky9b8eEO0pwNS8xlh1lOFRRBoNqDIKVOku0aZb-ry" +
      "nq8cxjDTLZQ6Fz7jSjR1Klop-YKaUHc9GsEofQqYruPhzSA-QgajZGPbE_" +
      "0ZaVDJHfyd7UUBUKunFMScbflYAAOYJqVIVwaYR5zWEEceUjNnTNo_CVSj" +
      "-VvXLO5VZfCUAVLgW4dpf1SrtZjSt34YLsRarSb127reG_DUwg9Ch-Kyvj" +
      "T1SkHgUWRVGcyly7uvVGRSDwsXypdrNinPA4jlhoNdizK2zF2CWQ",
  };
  // A.2.3: the RFC's own (randomized) JWE Encrypted Key.
  const rfcEncryptedKey =
    "UGhIOguC7IuEvf_NPVaXsGMoLOmwvc1GyqlIKOK1nN94nHPoltGRhWhw7Zx0-kFm1NJn8LE9XShH59_i8J0PH5ZZyNfGy2xGdULU7sHNF6Gp2vPLgNZ__deLKxGHZ7PcHALUzo" +
    "OegEI-8E66jX2E4zyJKx-YxzZIItRzC5hlRirb6Y5Cl_p-ko3YvkkysZIFNPccxRU7qve1WYPxqbb2Yw8kZqa2rMWI5ng8OtvzlV7elprCbuPhcCdZ6XDP0_F8rkXds2vE4X-" +
    "ncOIM8hAYHHi29NX0mcKiRaD0-D-ljQTP-cFPgwCp6X-nZZd9OHBv-B3oWh2TbqmScqXMR4gp_A";
  const priv = rsaPrivateFromJwk(jwk);
  const key: EncryptionKey = { family: "RSA1_5", modulus: b64uToBigInt(jwk.n), exponent: b64uToBigInt(jwk.e), modulusBytes: 256 };
  const header = { alg: "RSA1_5", enc: "A128CBC-HS256" } as const;

  it("the test-only decryptor recovers the RFC's CEK from the RFC's encrypted key (checks key and helper)", () => {
    const { ps, m } = parsePkcs1v15(rsaRawDecrypt(priv, decodeBase64Url(rfcEncryptedKey)));
    expect(m).toEqual(CEK_A2);
    expect(ps.length).toBe(256 - 32 - 3);
  });

  it("produces the RFC's protected header, IV, ciphertext and tag exactly", async () => {
    const jwe = await encryptCompact(LIVE_LONG, header, key, { cek: CEK_A2, iv: IV_A2 });
    const [p, ek, ...rest] = jwe.split(".");
    expect(p).toBe("eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0");
    expect(rest.join(".")).toBe("AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY.9hH0vgRfYgPnAHOd8stkvw");
    expect(decodeBase64Url(ek!).length).toBe(256);
  });

  it("its encrypted key is a well-formed PKCS #1 v1.5 block holding the RFC's CEK, with non-zero random padding", async () => {
    const paddings = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const jwe = await encryptCompact(LIVE_LONG, header, key, { cek: CEK_A2, iv: IV_A2 });
      const em = rsaRawDecrypt(priv, splitCompact(jwe).encryptedKey);
      const { ps, m } = parsePkcs1v15(em);
      expect(em[0]).toBe(0);
      expect(em[1]).toBe(2);
      expect(ps.length).toBe(221);
      expect(ps.includes(0)).toBe(false);
      expect(m).toEqual(CEK_A2);
      paddings.add(encodeBase64Url(ps));
    }
    expect(paddings.size).toBe(3);
  });

  it("decrypts end to end with the test-only RSA1_5 decryptor", async () => {
    const { plaintext, cek } = await decryptRsa15Compact(await encryptCompact(LIVE_LONG, header, key), priv);
    expect(text(plaintext)).toBe("Live long and prosper.");
    expect(cek.length).toBe(32);
  });

  it("is deterministic with a fixed padding string, and uses exactly that padding", async () => {
    const padding = Uint8Array.from({ length: 221 }, (_, i) => (i % 255) + 1);
    const testing = { cek: CEK_A2, iv: IV_A2, rsa15Padding: padding };
    const a = await encryptCompact(LIVE_LONG, header, key, testing);
    const b = await encryptCompact(LIVE_LONG, header, key, testing);
    expect(a).toBe(b);
    const em = rsaRawDecrypt(priv, splitCompact(a).encryptedKey);
    expect(em.subarray(2, 223)).toEqual(padding);
    expect(em[223]).toBe(0);
    expect(em.subarray(224)).toEqual(CEK_A2);
  });
});

describe("RFC 7516 A.1: RSA-OAEP + A256GCM", () => {
  // A.1.3: the RSA key, with its CRT parameters.
  const jwk: JsonWebKey = {
    kty: "RSA",
    n:
      "oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUWcJoZmds2h7M70imEVhRU5djINXtqllXI4D" +
      "FqcI1DgjT9LewND8MW2Krf3Spsk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2asbOenSZeyaxziK72Uw" +
      "xrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMStPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2djYg" +
      "yD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw",
    e: "AQAB",
    d:
      "kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5NWV5KntaEeXS1j82E375xxhWMHXyvjYecPT" +
      "9fpwR_M9gV8n9Hrh2anTpTD93Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghkqDp0Vqj3kbSCz1XyfC" +
      "s6_LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vlt3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSndVT" +
      "IznSxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ",
    p:
      "1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPT" +
      "PjXv_hI2_1eTSPVZfzL0lffNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0",
    q:
      "wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBmUDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cR" +
      "UoeBB_jKI1oma0Orv1T9aXIWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc",
    dp:
      "ZK-YwE7diUh0qR1tR7w8WHtolDx3MZ_OTowiFvgfeQ3SiresXjm9gZ5KLhMXvo-uz-KUJWDxS5pFQ_M0evdo1dKiRTjV" +
      "w_x4NyqyXPM5nULPkcpU827rnpZzAJKpdhWAgqrXGKAECQH0Xt4taznjnd_zVpAmZZq60WPMBMfKcuE",
    dq:
      "Dq0gfgJ1DdFGXiLvQEZnuKEN0UUmsJBxkjydc3j4ZYdBiMRAy86x0vHCjywcMlYYg4yoC4YZa9hNVcsjqA3FeiL19rk8" +
      "g6Qn29Tt0cj8qqyFpz9vNDBUfCAiJVeESOjJDZPYHdHY8v1b-o-Z2X5tvLx-TCekf7oxyeKDUqKWjis",
    qi:
      "VIMpMYbPf47dT1w_zDUXfPimsSegnMOA1zTaX7aGk_8urY6R8-ZW1FxU7AlWAyLWybqq6t16VFd7hQd0y6flUK4SlOyd" +
      "B61gwanOsXGOAOv82cHq0E3eL4HrtZkUuKvnPrMnsUUFlfUdybVzxyjz9JF_XyaY14ardLSjf4L_FNY",
  };
  // A.1.7: the RFC's complete JWE.
  const rfcJwe =
    "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ." +
    "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDb" +
    "Sv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je8" +
    "1860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg." +
    "48V1_ALb6US04U3b." +
    "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A." +
    "XFBoMYUZodetZdvTiFvSkQ";
  const CEK = Uint8Array.from([
    177, 161, 244, 128, 84, 143, 225, 115, 63, 180, 3, 255, 107, 154, 212, 246, 138, 7, 110, 91, 112, 46, 34, 105, 47, 130, 203, 46, 122, 234,
    64, 252,
  ]);
  const IV = Uint8Array.from([227, 197, 117, 252, 2, 219, 233, 68, 180, 225, 77, 219]);
  const PLAINTEXT = "The true sign of intelligence is not knowledge but imagination.";
  const header = { alg: "RSA-OAEP", enc: "A256GCM" } as const;
  const oaep = { name: "RSA-OAEP", hash: "SHA-1" };
  let privateKey: CryptoKey;
  let key: EncryptionKey;

  beforeAll(async () => {
    privateKey = await crypto.subtle.importKey("jwk", jwk, oaep, false, ["decrypt"]);
    const { kty, n, e } = jwk;
    key = { family: "RSA-OAEP", key: await crypto.subtle.importKey("jwk", { kty, n, e }, oaep, false, ["encrypt"]) };
  });

  it("the private key decrypts the RFC's own encrypted key to the RFC's CEK (checks the key)", async () => {
    const cek = await crypto.subtle.decrypt(oaep, privateKey, splitCompact(rfcJwe).encryptedKey);
    expect(new Uint8Array(cek)).toEqual(CEK);
  });

  it("with the RFC's CEK and IV: exact header, IV, ciphertext and tag; the encrypted key decrypts to the CEK", async () => {
    const jwe = await encryptCompact(utf8(PLAINTEXT), header, key, { cek: CEK, iv: IV });
    const [p, ek, ...rest] = jwe.split(".");
    const [rp, , ...rfcRest] = rfcJwe.split(".");
    expect(p).toBe(rp);
    expect(rest.join(".")).toBe(rfcRest.join("."));
    expect(new Uint8Array(await crypto.subtle.decrypt(oaep, privateKey, decodeBase64Url(ek!)))).toEqual(CEK);
  });

  it("a fresh token decrypts with WebCrypto and the RFC's private key", async () => {
    const jwe = await encryptCompact(utf8(PLAINTEXT), header, key);
    const parts = splitCompact(jwe);
    expect(parts.header).toEqual({ alg: "RSA-OAEP", enc: "A256GCM" });
    expect(parts.encryptedKey.length).toBe(256);
    expect(parts.iv.length).toBe(12);
    const cek = new Uint8Array(await crypto.subtle.decrypt(oaep, privateKey, parts.encryptedKey));
    expect(cek.length).toBe(32);
    expect(text(await decryptContent("A256GCM", cek, parts.iv, parts.ciphertext, parts.tag, parts.aad))).toBe(PLAINTEXT);
    // and with jose
    expect(text((await compactDecrypt(jwe, privateKey)).plaintext)).toBe(PLAINTEXT);
  });
});
