import { calculateJwkThumbprint, compactDecrypt, importJWK, importPKCS8, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { compileInline, captureLogs, testEnv } from "../gateway-helpers";
import { decodePart, keyPairFor, minter, toPem } from "./helpers";

const KEY_ALGS = ["RSA-OAEP", "RSA-OAEP-256", "dir", "A128KW", "A192KW", "A256KW"] as const;
const ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"] as const;
const CEK_BYTES: Record<string, number> = { "A128CBC-HS256": 32, "A192CBC-HS384": 48, "A256CBC-HS512": 64, A128GCM: 16, A192GCM: 24, A256GCM: 32 };
const KW_BYTES: Record<string, number> = { A128KW: 16, A192KW: 24, A256KW: 32 };

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

const rsaPairs = new Map<string, Promise<{ publicPem: string; privateKey: CryptoKey; publicJwk: JsonWebKey }>>();
function rsaOaepPair(hash: "SHA-1" | "SHA-256", bits = 2048) {
  const id = `${hash}/${bits}`;
  if (!rsaPairs.has(id)) {
    rsaPairs.set(
      id,
      (async () => {
        const pair = (await crypto.subtle.generateKey({ name: "RSA-OAEP", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash }, true, ["encrypt", "decrypt"])) as CryptoKeyPair;
        return {
          publicPem: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
          privateKey: pair.privateKey,
          publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
        };
      })(),
    );
  }
  return rsaPairs.get(id)!;
}

/** A recipient key for `alg`/`enc`: what the gateway is given, and what the test decrypts with. */
async function recipient(alg: string, enc: string): Promise<{ material: string; decryptKey: CryptoKey | Uint8Array }> {
  if (alg.startsWith("RSA-OAEP")) {
    const pair = await rsaOaepPair(alg === "RSA-OAEP" ? "SHA-1" : "SHA-256");
    return { material: pair.publicPem, decryptKey: pair.privateKey };
  }
  const bytes = crypto.getRandomValues(new Uint8Array(alg === "dir" ? CEK_BYTES[enc]! : KW_BYTES[alg]!));
  return { material: alg === "A192KW" ? `0x${hex(bytes)}` : JSON.stringify({ kty: "oct", k: b64url(bytes) }), decryptKey: bytes };
}

describe("jwt-generate encrypts (decrypted with jose)", () => {
  for (const alg of KEY_ALGS) {
    for (const enc of ENCS) {
      it(`${alg} + ${enc}: JWE only, then nested with RS256`, async () => {
        const { material, decryptKey } = await recipient(alg, enc);
        // JWE only: the claims JSON is the plaintext.
        const only = await (await minter(`jwe-alg: ${alg}\njwe-enc: ${enc}\njwe-crypto: ENC_KEY`, { bindings: { ENC_KEY: material } }).fetch("/mint")).text();
        expect(only.split(".")).toHaveLength(5);
        const { plaintext, protectedHeader } = await compactDecrypt(only, decryptKey, { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc] });
        expect(protectedHeader.alg).toBe(alg);
        expect(protectedHeader.enc).toBe(enc);
        expect(protectedHeader.cty).toBeUndefined();
        expect(JSON.parse(new TextDecoder().decode(plaintext)).iss).toBe("https://issuer.test");

        // Nested: signed first, then the compact JWS is the plaintext, with cty JWT.
        const signer = await keyPairFor("RS256");
        const nested = await (
          await minter(`jws-alg: RS256\njws-crypto: SIGN_KEY\njwe-alg: ${alg}\njwe-enc: ${enc}\njwe-crypto: ENC_KEY`, { bindings: { ENC_KEY: material, SIGN_KEY: signer.privatePem } }).fetch("/mint")
        ).text();
        const inner = await compactDecrypt(nested, decryptKey, { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc] });
        expect(inner.protectedHeader.cty).toBe("JWT");
        const { payload } = await jwtVerify(new TextDecoder().decode(inner.plaintext), signer.publicKey, { algorithms: ["RS256"] });
        expect(payload.iss).toBe("https://issuer.test");
      });
    }
  }

  it("accepts jws-alg none together with a JWE: the claims are the plaintext", async () => {
    const { material, decryptKey } = await recipient("A256KW", "A256GCM");
    const token = await (await minter("jws-alg: none\njwe-alg: A256KW\njwe-enc: A256GCM\njwe-crypto: K", { bindings: { K: material } }).fetch("/mint")).text();
    const { plaintext } = await compactDecrypt(token, decryptKey);
    expect(JSON.parse(new TextDecoder().decode(plaintext)).iss).toBe("https://issuer.test");
  });

  it("takes the JWE key from jwe-jwk, and the crypto object when both are set", async () => {
    const used = await recipient("dir", "A128GCM");
    const other = await recipient("dir", "A128GCM");
    const policy = "jwe-alg: dir\njwe-enc: A128GCM\njwe-jwk: enc.jwk";
    const viaJwk = await (await minter(policy, { bindings: { J: used.material }, setup: "- {set: enc.jwk, value: $(env.J)}" }).fetch("/mint")).text();
    await compactDecrypt(viaJwk, used.decryptKey);
    const both = await (await minter(`${policy}\njwe-crypto: C`, { bindings: { J: other.material, C: used.material }, setup: "- {set: enc.jwk, value: $(env.J)}" }).fetch("/mint")).text();
    await compactDecrypt(both, used.decryptKey);
    await expect(compactDecrypt(both, other.decryptKey)).rejects.toThrow();
  });

  it("JWE header kid: custom-kid-value-jwe, else the JWK's kid, else an RSA crypto object's thumbprint", async () => {
    const pair = await rsaOaepPair("SHA-256");
    const base = "jwe-alg: RSA-OAEP-256\njwe-enc: A256GCM\njwe-crypto: K";
    const thumb = decodePart(await (await minter(base, { bindings: { K: pair.publicPem } }).fetch("/mint")).text(), 0);
    expect(thumb).toEqual({ alg: "RSA-OAEP-256", enc: "A256GCM", kid: await calculateJwkThumbprint(pair.publicJwk as never) });
    const custom = decodePart(await (await minter(`${base}\ncustom-kid-value-jwe: k.id`, { bindings: { K: pair.publicPem }, setup: "- {set: k.id, value: enc-2026}" }).fetch("/mint")).text(), 0);
    expect(custom.kid).toBe("enc-2026");
    const jwk = JSON.stringify({ ...pair.publicJwk, kid: "from-jwk", alg: undefined, key_ops: undefined });
    const fromJwk = decodePart(await (await minter(base, { bindings: { K: jwk } }).fetch("/mint")).text(), 0);
    expect(fromJwk.kid).toBe("from-jwk");
  });

  it("RSA-OAEP-256 to an X.509 certificate's key, from KV", async () => {
    const { CERT_PEM, CERT_KEY_PEM } = await import("./fixtures/rsa-certificate");
    await testEnv.CRYPTO_OBJECTS.put("partner-cert", CERT_PEM);
    const token = await (await minter("jwe-alg: RSA-OAEP-256\njwe-enc: A128CBC-HS256\njwe-crypto: partner-cert").fetch("/mint")).text();
    const { plaintext } = await compactDecrypt(token, await importPKCS8(CERT_KEY_PEM, "RSA-OAEP-256"));
    expect(JSON.parse(new TextDecoder().decode(plaintext)).iss).toBe("https://issuer.test");
  });
});

describe("jwt-generate encryption failures", () => {
  async function expectRuntimeError(policy: string, bindings: Record<string, unknown>, detail: RegExp) {
    const { result, lines } = await captureLogs(() => minter(policy, { bindings }).fetch("/mint"));
    expect(result.status).toBe(500);
    expect(await result.json()).toEqual({ httpCode: "500", httpMessage: "Invalid-JWT-Generate", moreInformation: "Invalid-JWT-Generate" });
    expect(lines.join("\n")).toMatch(detail);
  }

  it("wrong key type: an EC key for RSA-OAEP", async () => {
    const ec = await keyPairFor("ES256");
    await expectRuntimeError("jwe-alg: RSA-OAEP\njwe-enc: A128GCM\njwe-crypto: K", { K: ec.publicPem }, /crypto object 'K'.*(EC|RSA)/);
  });

  it("wrong key type: an RSA key for A128KW", async () => {
    const pair = await rsaOaepPair("SHA-1");
    await expectRuntimeError("jwe-alg: A128KW\njwe-enc: A128GCM\njwe-crypto: K", { K: pair.publicPem }, /crypto object 'K'/);
  });

  it("a dir key of the wrong length", async () => {
    await expectRuntimeError("jwe-alg: dir\njwe-enc: A128CBC-HS256\njwe-crypto: K", { K: `0x${"ab".repeat(16)}` }, /16-byte key; .* needs exactly 32 bytes/);
  });

  it("an A*KW key of the wrong length", async () => {
    await expectRuntimeError("jwe-alg: A256KW\njwe-enc: A128GCM\njwe-crypto: K", { K: `0x${"ab".repeat(16)}` }, /16-byte key; .* needs exactly 32 bytes/);
  });

  it("an RSA key under 2048 bits", async () => {
    const small = await rsaOaepPair("SHA-256", 1024);
    await expectRuntimeError("jwe-alg: RSA-OAEP-256\njwe-enc: A128GCM\njwe-crypto: K", { K: small.publicPem }, /1024/);
  });

  it("a malformed certificate", async () => {
    const broken = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUKv8VXxJ1wJq4\n-----END CERTIFICATE-----\n";
    await expectRuntimeError("jwe-alg: RSA-OAEP\njwe-enc: A128GCM\njwe-crypto: K", { K: broken }, /not a valid X\.509 certificate/);
  });

  it("jws-alg none without a JWE fails the build", () => {
    const { problems } = compileInline({
      "n.yaml": `swagger: "2.0"\ninfo: {title: n, version: 1.0.0}\nbasePath: /n\nx-ibm-configuration:\n  assembly:\n    execute:\n      - jwt-generate: {jws-alg: none}\n`,
    });
    expect(problems).toEqual([
      {
        file: "n.yaml",
        line: 7,
        path: "x-ibm-configuration.assembly.execute[0].jwt-generate.jws-alg",
        message: "none is allowed only with a JWE (jwe-alg, jwe-enc and a key): an unsigned, unencrypted token is never emitted",
      },
    ]);
  });

  it("RSA1_5 warns once per API at load", () => {
    const def = (base: string) =>
      `swagger: "2.0"\ninfo: {title: r, version: 1.0.0}\nbasePath: ${base}\nx-ibm-configuration:\n  assembly:\n    execute:\n      - jwt-generate: {jwe-alg: RSA1_5, jwe-enc: A128GCM, jwe-crypto: K}\n`;
    const { warnings, problems } = compileInline({ "r1.yaml": def("/r1"), "r2.yaml": def("/r2") });
    expect(problems).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^r1\.yaml: .*RSA1_5 is deprecated/);
  });
});
