import { beforeAll, describe, expect, it } from "vitest";
import type { JwsAlgorithm } from "../../../src/jose/algorithms";
import { importSigningKey } from "../../../src/keys";
import {
  bareJwk, bytesToHex, ecKey, expectKeyError, hmac, innerOfPkcs8, rsaKey, sec1, sign, signsAndVerifies, toPem, verifierFromSpki,
  type Curve, type EcTestKey, type RsaTestKey,
} from "./helpers";

const src = "crypto object 'k'";
let rsa: RsaTestKey;
const ec = {} as Record<Curve, EcTestKey>;
const ES: Record<Curve, JwsAlgorithm> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

beforeAll(async () => {
  rsa = await rsaKey();
  for (const crv of ["P-256", "P-384", "P-521"] as const) ec[crv] = await ecKey(crv);
});

describe("RSA private keys sign for RS* and PS*", () => {
  const forms: Record<string, () => string | Record<string, unknown>> = {
    "PKCS#8 PEM": () => toPem("PRIVATE KEY", rsa.pkcs8),
    "PKCS#1 PEM": () => toPem("RSA PRIVATE KEY", innerOfPkcs8(rsa.pkcs8)),
    "PKCS#8 PEM with CRLF and surrounding whitespace": () => `\n\n  ${toPem("PRIVATE KEY", rsa.pkcs8).replace(/\n/g, "\r\n")}  \n`,
    "PKCS#1 PEM with literal \\n": () => toPem("RSA PRIVATE KEY", innerOfPkcs8(rsa.pkcs8)).replace(/\n/g, "\\n"),
    "PKCS#8 PEM on one line": () => toPem("PRIVATE KEY", rsa.pkcs8).replace(/\n/g, " "),
    "PEM bundle: certificate-like public block, then the private key": () => toPem("PUBLIC KEY", rsa.spki) + toPem("PRIVATE KEY", rsa.pkcs8),
    "JWK object": () => bareJwk(rsa.privateJwk),
    "JWK object with WebCrypto's alg/ext/key_ops": () => ({ ...rsa.privateJwk }),
    "JWK text": () => JSON.stringify(bareJwk(rsa.privateJwk)),
  };
  for (const [form, material] of Object.entries(forms)) {
    for (const alg of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const) {
      it(`${form}, ${alg}`, async () => {
        const key = await importSigningKey(material(), alg, src);
        expect(key.alg).toBe(alg);
        expect(key.key.extractable).toBe(false);
        expect(key.key.usages).toEqual(["sign"]);
        expect(await signsAndVerifies(key.key, await verifierFromSpki(rsa.spki, alg), alg)).toBe(true);
      });
    }
  }

  it("a signature does not verify under a different key (the check can fail)", async () => {
    const other = await rsaKey();
    const key = await importSigningKey(toPem("PRIVATE KEY", rsa.pkcs8), "RS256", src);
    expect(await signsAndVerifies(key.key, await verifierFromSpki(other.spki, "RS256"), "RS256")).toBe(false);
  });
});

describe("EC private keys sign for ES* on their curve", () => {
  for (const crv of ["P-256", "P-384", "P-521"] as const) {
    const alg = ES[crv];
    const forms: Record<string, () => string | Record<string, unknown>> = {
      "PKCS#8 PEM (WebCrypto's)": () => toPem("PRIVATE KEY", ec[crv].pkcs8),
      "SEC1 PEM with [0] curve and [1] public key": () => toPem("EC PRIVATE KEY", sec1(crv, ec[crv].privateJwk)),
      "SEC1 PEM without the public key": () => toPem("EC PRIVATE KEY", sec1(crv, ec[crv].privateJwk, { publicKey: false })),
      "SEC1 PEM without curve parameters": () => toPem("EC PRIVATE KEY", sec1(crv, ec[crv].privateJwk, { params: false })),
      "SEC1 PEM after an EC PARAMETERS block (openssl ecparam -genkey)": () =>
        `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${toPem("EC PRIVATE KEY", sec1(crv, ec[crv].privateJwk))}`,
      "SEC1 PEM with literal \\n": () => toPem("EC PRIVATE KEY", sec1(crv, ec[crv].privateJwk)).replace(/\n/g, "\\n"),
      "JWK object": () => bareJwk(ec[crv].privateJwk, { kid: "ec-1" }),
      "JWK text": () => JSON.stringify(bareJwk(ec[crv].privateJwk)),
    };
    for (const [form, material] of Object.entries(forms)) {
      it(`${crv} ${form}, ${alg}`, async () => {
        const key = await importSigningKey(material(), alg, src);
        expect(key.key.extractable).toBe(false);
        expect(await signsAndVerifies(key.key, await verifierFromSpki(ec[crv].spki, alg), alg)).toBe(true);
        expect(key.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
      });
    }
  }
});

/** 65 UTF-8 bytes, with leading and trailing spaces: long enough for HS512. */
const LONG_TEXT = " my shared sécret, long enough for every HS algorithm: 64 bytes ";

describe("shared secrets sign for HS*", () => {
  const secret = crypto.getRandomValues(new Uint8Array(64));
  const cases: Record<string, { material: () => string | Record<string, unknown>; bytes: () => Uint8Array }> = {
    "0x-hex, lower case": { material: () => `0x${bytesToHex(secret)}`, bytes: () => secret },
    "0X-hex, upper case, trailing newline": { material: () => `0X${bytesToHex(secret).toUpperCase()}\n`, bytes: () => secret },
    "JWK oct object": { material: () => ({ kty: "oct", k: btoa(String.fromCharCode(...secret)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") }), bytes: () => secret },
    "plain text, used byte for byte (UTF-8, spaces kept)": { material: () => LONG_TEXT, bytes: () => new TextEncoder().encode(LONG_TEXT) },
    "text that only looks hex without the 0x": { material: () => "deadbeef".repeat(8), bytes: () => new TextEncoder().encode("deadbeef".repeat(8)) },
  };
  for (const [name, c] of Object.entries(cases)) {
    for (const alg of ["HS256", "HS384", "HS512"] as const) {
      it(`${name}, ${alg}`, async () => {
        const key = await importSigningKey(c.material(), alg, src);
        expect(key.key.extractable).toBe(false);
        expect(key.thumbprint).toBeUndefined();
        expect(await sign(key.key, alg)).toEqual(await hmac(c.bytes(), alg));
      });
    }
  }

  it("a JWK oct keeps its kid; hex and text get none", async () => {
    expect((await importSigningKey({ kty: "oct", k: "A".repeat(43), kid: "hmac-1" }, "HS256", src)).kid).toBe("hmac-1");
    expect((await importSigningKey(`0x${"0011".repeat(16)}`, "HS256", src)).kid).toBeUndefined();
    expect((await importSigningKey(LONG_TEXT, "HS256", src)).kid).toBeUndefined();
  });

  // RFC 7518 §3.2; API Connect accepts shorter secrets, we do not (docs/keys.md).
  for (const [alg, minimum] of [["HS256", 32], ["HS384", 48], ["HS512", 64]] as const) {
    it(`a secret one byte shorter than ${alg}'s ${minimum} is refused, naming both lengths; ${minimum} bytes sign`, async () => {
      const short = secret.slice(0, minimum - 1);
      await expectKeyError(importSigningKey(`0x${bytesToHex(short)}`, alg, src), new RegExp(`^crypto object 'k' is a ${minimum - 1}-byte shared secret; ${alg} needs at least ${minimum} bytes \\(RFC 7518 §3\\.2\\)$`));
      await expectKeyError(importSigningKey("s3", alg, src), new RegExp(`is a 2-byte shared secret; ${alg} needs at least ${minimum} bytes`));
      const exact = secret.slice(0, minimum);
      expect(await sign((await importSigningKey(`0x${bytesToHex(exact)}`, alg, src)).key, alg)).toEqual(await hmac(exact, alg));
    });
  }
});
