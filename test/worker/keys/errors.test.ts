import { beforeAll, describe, expect, it } from "vitest";
import { importEncryptionKey, importSigningKey, KeyError, type KeyMaterial } from "../../../src/keys";
import { EC_CERT_PEM, RSA_CERT_PEM } from "./fixtures/certificates";
import { bareJwk, bytesToB64u, bytesToHex, ecKey, expectKeyError, innerOfPkcs8, pemBody, rsaKey, toPem, type EcTestKey, type RsaTestKey } from "./helpers";

const src = "crypto object 'x'";
let rsa: RsaTestKey;
let rsa1024: RsaTestKey;
let p256: EcTestKey;
let p384: EcTestKey;
let rsaPem: string;
let p256Pem: string;
let p384Pem: string;

beforeAll(async () => {
  [rsa, rsa1024, p256, p384] = await Promise.all([rsaKey(), rsaKey(1024), ecKey("P-256"), ecKey("P-384")]);
  rsaPem = toPem("PRIVATE KEY", rsa.pkcs8);
  p256Pem = toPem("PRIVATE KEY", p256.pkcs8);
  p384Pem = toPem("PRIVATE KEY", p384.pkcs8);
});

/** Everything secret about a private key: the PEM body and the JWK's private members. */
const secretsOf = (k: RsaTestKey, pem: string) => [pemBody(pem), k.privateJwk.d!, ...(k.privateJwk.p ? [k.privateJwk.p, k.privateJwk.q!] : [])];

describe("signing: the key does not fit the algorithm", () => {
  it("HMAC with an RSA private key", async () => {
    await expectKeyError(importSigningKey(rsaPem, "HS256", src), /^crypto object 'x' is an RSA private key \(PKCS#8 PEM\); HS256 needs a shared secret/, secretsOf(rsa, rsaPem));
  });

  it("HMAC with an EC JWK", async () => {
    await expectKeyError(importSigningKey(bareJwk(p256.privateJwk), "HS384", "jws-jwk variable 'jws.jwk'"), /^jws-jwk variable 'jws.jwk' is a JWK of kty 'EC' with crv 'P-256' \(private key\); HS384 needs a shared secret/, [p256.privateJwk.d!]);
  });

  it("HMAC with a certificate", async () => {
    await expectKeyError(importSigningKey(RSA_CERT_PEM, "HS256", src), /X\.509 certificate.*HS256 needs a shared secret/);
  });

  it("RSA algorithm with an EC key", async () => {
    await expectKeyError(importSigningKey(p256Pem, "RS256", src), /is an EC private key on P-256 \(PKCS#8 PEM\); RS256 needs an RSA private key/, secretsOf(p256, p256Pem));
  });

  it("RSA algorithm with a shared secret (JWK oct, hex, text)", async () => {
    const k = bytesToB64u(crypto.getRandomValues(new Uint8Array(32)));
    await expectKeyError(importSigningKey({ kty: "oct", k }, "PS256", src), /is a JWK of kty 'oct' \(a shared secret\); PS256 needs an RSA private key/, [k]);
    const hex = `0x${bytesToHex(crypto.getRandomValues(new Uint8Array(32)))}`;
    await expectKeyError(importSigningKey(hex, "RS512", src), /is a shared secret \(0x-hex\); RS512 needs an RSA private key/, [hex.slice(2)]);
    await expectKeyError(importSigningKey("correct horse battery staple", "RS256", src), /is a shared secret \(text\); RS256 needs an RSA private key/, ["correct horse battery staple"]);
  });

  it("ECDSA with an RSA key", async () => {
    await expectKeyError(importSigningKey(toPem("RSA PRIVATE KEY", innerOfPkcs8(rsa.pkcs8)), "ES256", src), /is an RSA private key \(PKCS#1 PEM\); ES256 needs an EC private key on P-256/, secretsOf(rsa, rsaPem));
  });

  it("ES256 with a P-384 key: PEM and JWK", async () => {
    await expectKeyError(importSigningKey(p384Pem, "ES256", src), /is an EC private key on P-384 \(PKCS#8 PEM\); ES256 needs P-256$/, secretsOf(p384, p384Pem));
    await expectKeyError(importSigningKey(bareJwk(p384.privateJwk), "ES256", "jws-jwk variable 'jws.jwk'"), /^jws-jwk variable 'jws.jwk' is a JWK of kty 'EC' with crv 'P-384' \(private key\); ES256 needs P-256$/, [p384.privateJwk.d!]);
  });

  it("ES512 with a P-256 key", async () => {
    await expectKeyError(importSigningKey(p256Pem, "ES512", src), /P-256.*ES512 needs P-521/);
  });

  it("an RSA key under 2048 bits", async () => {
    const pem = toPem("PRIVATE KEY", rsa1024.pkcs8);
    for (const alg of ["RS256", "PS384"] as const) {
      await expectKeyError(importSigningKey(pem, alg, "crypto object 'my-key'"), new RegExp(`^crypto object 'my-key' is an RSA key of 1024 bits; ${alg} needs at least 2048$`), secretsOf(rsa1024, pem));
    }
    await expectKeyError(importSigningKey(bareJwk(rsa1024.privateJwk), "RS256", src), /1024 bits; RS256 needs at least 2048/);
  });
});

describe("signing: a public key where a private one is needed", () => {
  it("SPKI, PKCS#1 public, certificate, public JWK", async () => {
    await expectKeyError(importSigningKey(toPem("PUBLIC KEY", rsa.spki), "RS256", src), /is an RSA public key \(SPKI PEM\); signing with RS256 needs a private key/);
    await expectKeyError(importSigningKey(toPem("PUBLIC KEY", p256.spki), "ES256", src), /is an EC public key on P-256 \(SPKI PEM\); signing with ES256 needs a private key/);
    await expectKeyError(importSigningKey(RSA_CERT_PEM, "PS256", src), /is an X\.509 certificate \(RSA public key, no private key\); signing with PS256 needs a private key/);
    await expectKeyError(importSigningKey(EC_CERT_PEM, "ES256", src), /is an X\.509 certificate \(EC public key on P-256, no private key\); signing with ES256 needs a private key/);
    await expectKeyError(importSigningKey(bareJwk(rsa.publicJwk), "RS256", src), /is a JWK of kty 'RSA' \(public key\); signing with RS256 needs a private key/);
  });
});

describe("material that is not a usable key", () => {
  it("empty, whitespace, empty JWK k, bare 0x", async () => {
    await expectKeyError(importSigningKey("", "HS256", src), /^crypto object 'x' is empty$/);
    await expectKeyError(importSigningKey(" \n\t", "HS256", src), /is empty/);
    await expectKeyError(importSigningKey({ kty: "oct", k: "" }, "HS256", src), /is an empty shared secret/);
    await expectKeyError(importSigningKey("0x", "HS256", src), /is empty \(0x with no hex digits\)/);
  });

  it("0x followed by invalid or odd-length hex", async () => {
    const odd = `0x${bytesToHex(crypto.getRandomValues(new Uint8Array(20)))}f`;
    await expectKeyError(importSigningKey(odd, "HS256", src), /starts with 0x but is not an even number of hex digits/, [odd.slice(2)]);
    await expectKeyError(importSigningKey("0xsecretzzsecretzz", "HS256", src), /not an even number of hex digits/, ["secretzzsecretzz"]);
  });

  it("JSON that does not parse: the parser's message (which quotes input) is not passed on", async () => {
    const text = '{"kty":"oct","k":"c3VwZXItc2VjcmV0LXZhbHVl"';
    await expectKeyError(importSigningKey(text, "HS256", src), /starts with '\{' but is not valid JSON/, ["c3VwZXItc2VjcmV0LXZhbHVl"]);
  });

  it("JSON without kty, a JSON array object, a JWK Set whose first (signing) key does not fit, an empty set", async () => {
    await expectKeyError(importSigningKey('{"k":"c2VjcmV0c2VjcmV0c2VjcmV0"}', "HS256", src), /not a valid JWK \(JSON object without a 'kty' member\)/, ["c2VjcmV0c2VjcmV0c2VjcmV0"]);
    await expectKeyError(importSigningKey({ keys: [bareJwk(p384.privateJwk), bareJwk(p256.privateJwk)] }, "ES256", src), /is a JWK of kty 'EC' with crv 'P-384' \(private key\); ES256 needs P-256/, [p256.privateJwk.d!, p384.privateJwk.d!]);
    await expectKeyError(importSigningKey({ keys: [] }, "ES256", src), /is a JWK Set whose first entry is not a JWK \(0 keys\)/);
  });

  it("a JWK Set of one key is that key", async () => {
    const key = await importSigningKey({ keys: [bareJwk(p256.privateJwk, { kid: "only" })] }, "ES256", src);
    expect(key.kid).toBe("only");
  });

  it("JWK members that are missing or not base64url", async () => {
    await expectKeyError(importSigningKey({ kty: "RSA", e: "AQAB", d: "secret-d-value-secret-d-value" }, "RS256", src), /member 'n' is missing/, ["secret-d-value-secret-d-value"]);
    await expectKeyError(importSigningKey({ kty: "oct", k: "not base64url!!" }, "HS256", src), /member 'k' is not base64url/, ["not base64url!!"]);
    await expectKeyError(importSigningKey({ ...bareJwk(p256.privateJwk), x: "AAAA" }, "ES256", src), /wrong length for P-256/, [p256.privateJwk.d!]);
  });

  it("an RSA JWK whose private members do not fit its modulus is refused at import (not an OpenSSL error at every signing)", async () => {
    const jwk = bareJwk(rsa.privateJwk);
    const junkP = bytesToB64u(crypto.getRandomValues(new Uint8Array(300)));
    await expectKeyError(importSigningKey({ ...jwk, p: junkP }, "RS256", src), /private members do not fit its modulus n/, [rsa.privateJwk.d!, junkP]);
    await expectKeyError(importSigningKey({ ...jwk, qi: jwk.p as string, dp: jwk.n as string }, "PS256", src), /private members do not fit its modulus n/, [rsa.privateJwk.d!]);
    // The intact key still imports and signs.
    const key = await importSigningKey(jwk, "RS256", src);
    expect((await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.key, new Uint8Array([1, 2, 3]))).byteLength).toBe(256);
  });

  it("unsupported JWK types and curves, with untrusted names not echoed", async () => {
    await expectKeyError(importSigningKey({ kty: "OKP", crv: "Ed448", x: "AA", d: "AA" }, "EdDSA", src), /is a JWK of kty 'OKP' with crv 'Ed448'; only Ed25519 and X25519 are supported/);
    await expectKeyError(importSigningKey({ kty: "EC", crv: "secp256k1", x: "AA", y: "AA", d: "AA" }, "ES256", src), /crv 'secp256k1'; only P-256, P-384 and P-521 are supported/);
    await expectKeyError(importSigningKey({ kty: "<script>alert(1)</script>" }, "ES256", src), /kty \(unrecognised\)/, ["<script>"]);
  });

  it("material that is neither a string nor an object", async () => {
    await expectKeyError(importSigningKey(42 as unknown as KeyMaterial, "HS256", src), /^crypto object 'x' is not PEM, JWK, 0x-hex or text$/);
    await expectKeyError(importSigningKey(["a"] as unknown as KeyMaterial, "HS256", src), /is not PEM, JWK, 0x-hex or text/);
  });

  it("a key WebCrypto refuses (EC point not on the curve): only the error's name is given", async () => {
    const bad = { ...bareJwk(p256.privateJwk), x: p384.publicJwk.x!.slice(0, 43) };
    await expectKeyError(importSigningKey(bad, "ES256", src), /could not be imported as a key for ES256 \(WebCrypto \w+\)/, [p256.privateJwk.d!]);
  });
});

describe("PEMs that are not usable keys", () => {
  it("ENCRYPTED PRIVATE KEY without a password or not PBES2 DER, and legacy encrypted PKCS#1 / SEC1", async () => {
    const body = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(300))));
    const encrypted = toPem("ENCRYPTED PRIVATE KEY", Uint8Array.from(atob(body), (c) => c.charCodeAt(0)));
    await expectKeyError(importSigningKey(encrypted, "RS256", src), /is an encrypted private key; only a crypto object can be, with its password in a secret named <name>_PASSWORD/, [body]);
    await expectKeyError(importSigningKey(encrypted, "RS256", src, async () => "pw"), /is an encrypted private key whose contents are not valid PBES2/, [body]);
    for (const label of ["RSA PRIVATE KEY", "EC PRIVATE KEY"]) {
      const legacy = `-----BEGIN ${label}-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n${body}\n-----END ${label}-----\n`;
      await expectKeyError(importSigningKey(legacy, "RS256", src), /encrypted keys are not supported/, [body]);
    }
  });

  it("a PEM whose body is not base64, is truncated, or is not DER", async () => {
    const body = pemBody(rsaPem);
    await expectKeyError(importSigningKey(`-----BEGIN PRIVATE KEY-----\n${body.slice(0, 200)}*\n-----END PRIVATE KEY-----`, "RS256", src), /not a valid PEM \(PEM block PRIVATE KEY is not valid base64\)/, [body.slice(0, 200)]);
    await expectKeyError(importSigningKey(`-----BEGIN PRIVATE KEY-----\n${body.slice(0, 400)}\n-----END PRIVATE KEY-----`, "RS256", src), /is a PEM 'PRIVATE KEY' whose contents are not a valid key/, [body.slice(0, 400)]);
    await expectKeyError(importSigningKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "RS256", src), /PEM 'PRIVATE KEY' whose contents are not a valid key/);
    await expectKeyError(importSigningKey(rsaPem.slice(0, 300), "RS256", src), /is not a valid PEM \(no complete PEM block/, [body.slice(0, 200)]);
    await expectKeyError(importSigningKey(rsaPem.replace("END PRIVATE KEY", "END PUBLIC KEY"), "RS256", src), /is not a valid PEM \(PEM block BEGIN PRIVATE KEY ends with END PUBLIC KEY\)/, secretsOf(rsa, rsaPem));
  });

  it("a PEM of an unknown type", async () => {
    await expectKeyError(importSigningKey("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "RS256", src), /is a PEM of type 'OPENSSH PRIVATE KEY', which is not a key or certificate/, ["b3BlbnNzaC1rZXktdjEAAAAA"]);
  });

  it("an Ed25519 PKCS#8 key for an ECDSA algorithm", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const pem = toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    await expectKeyError(importSigningKey(pem, "ES256", src), /is an Ed25519 private key \(PKCS#8 PEM\); ES256 needs an EC private key on P-256/, [pemBody(pem)]);
  });

  it("an EC key with explicit curve parameters, and an RSASSA-PSS-restricted key", async () => {
    // SEC1 whose [0] parameters hold a SEQUENCE (explicit parameters) instead of a curve OID.
    const explicit = Uint8Array.from([0x30, 0x0c, 0x02, 0x01, 0x01, 0x04, 0x02, 0x01, 0x02, 0xa0, 0x03, 0x30, 0x01, 0x00]);
    await expectKeyError(importSigningKey(toPem("EC PRIVATE KEY", explicit), "ES256", src), /is an EC key with explicit curve parameters; only named curves/);
    // WebCrypto's PKCS#8 with the algorithm OID changed from rsaEncryption (…1.1.1) to id-RSASSA-PSS (…1.1.10).
    const pss = new Uint8Array(rsa.pkcs8.slice(0));
    const at = pss.findIndex((_, i) => [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01].every((b, j) => pss[i + j] === b));
    pss[at + 8] = 0x0a;
    const pem = toPem("PRIVATE KEY", pss);
    await expectKeyError(importSigningKey(pem, "PS256", src), /is a key of type RSASSA-PSS-restricted RSA, which jwt-generate does not support/, [pemBody(pem)]);
  });

  it("a malformed certificate", async () => {
    // Valid DER, but an SPKI where a certificate belongs.
    await expectKeyError(importEncryptionKey(toPem("CERTIFICATE", rsa.spki), "RSA-OAEP", "A256GCM", src), /^crypto object 'x' is not a valid X\.509 certificate$/);
    // The real certificate with a byte of its body changed to break the structure.
    const der = Uint8Array.from(atob(pemBody(RSA_CERT_PEM)), (c) => c.charCodeAt(0));
    der[4] = 0x31; // TBSCertificate SEQUENCE → SET
    await expectKeyError(importEncryptionKey(toPem("CERTIFICATE", der), "RSA1_5", "A128CBC-HS256", src), /is not a valid X\.509 certificate/);
    await expectKeyError(importEncryptionKey("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "RSA1_5", "A128CBC-HS256", src), /is not a valid X\.509 certificate/);
  });
});

describe("encryption: the key does not fit the algorithm", () => {
  it("RSA algorithms with a symmetric key or an EC key", async () => {
    const hex = `0x${bytesToHex(crypto.getRandomValues(new Uint8Array(32)))}`;
    await expectKeyError(importEncryptionKey(hex, "RSA-OAEP", "A256GCM", src), /is a shared secret \(0x-hex\); RSA-OAEP needs an RSA public key/, [hex.slice(2)]);
    await expectKeyError(importEncryptionKey(EC_CERT_PEM, "RSA-OAEP-256", "A256GCM", src), /is an X\.509 certificate \(EC public key on P-256, no private key\); RSA-OAEP-256 needs an RSA public key/);
    await expectKeyError(importEncryptionKey(p256Pem, "RSA1_5", "A128CBC-HS256", src), /is an EC private key on P-256 \(PKCS#8 PEM\); RSA1_5 needs an RSA public key/, secretsOf(p256, p256Pem));
  });

  it("RSA under 2048 bits", async () => {
    await expectKeyError(importEncryptionKey(toPem("PUBLIC KEY", rsa1024.spki), "RSA-OAEP", "A256GCM", src), /is an RSA key of 1024 bits; RSA-OAEP needs at least 2048/);
    await expectKeyError(importEncryptionKey(bareJwk(rsa1024.publicJwk), "RSA1_5", "A128CBC-HS256", src), /1024 bits; RSA1_5 needs at least 2048/);
  });

  it("an RSA public key with a bad exponent", async () => {
    await expectKeyError(importEncryptionKey({ ...bareJwk(rsa.publicJwk), e: "Ag" }, "RSA1_5", "A128CBC-HS256", src), /is not a valid RSA public key/);
  });

  it("A*KW and dir with a text secret or an RSA key", async () => {
    await expectKeyError(importEncryptionKey("sixteen-byte-key", "A128KW", "A128GCM", src), /is a shared secret \(text\); A128KW needs a 16-byte symmetric key as a JWK of kty 'oct' or 0x-hex/, ["sixteen-byte-key"]);
    await expectKeyError(importEncryptionKey(rsaPem, "dir", "A256GCM", src), /is an RSA private key \(PKCS#8 PEM\); dir with A256GCM needs a 32-byte symmetric key/, secretsOf(rsa, rsaPem));
  });

  it("symmetric keys of the wrong length", async () => {
    const hex32 = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    await expectKeyError(importEncryptionKey(`0x${hex32}`, "A128KW", "A128GCM", src), /^crypto object 'x' is a 32-byte key; A128KW needs exactly 16 bytes$/, [hex32]);
    await expectKeyError(importEncryptionKey(`0x${hex32}`, "A192KW", "A128GCM", src), /32-byte key; A192KW needs exactly 24 bytes/);
    await expectKeyError(importEncryptionKey({ kty: "oct", k: bytesToB64u(new Uint8Array(16)) }, "dir", "A256GCM", src), /is a 16-byte key; dir with A256GCM needs exactly 32 bytes/);
    await expectKeyError(importEncryptionKey(`0x${hex32}`, "dir", "A256CBC-HS512", src), /32-byte key; dir with A256CBC-HS512 needs exactly 64 bytes/, [hex32]);
  });
});

it("KeyError is an Error named KeyError", () => {
  const e = new KeyError("m");
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe("KeyError");
});
