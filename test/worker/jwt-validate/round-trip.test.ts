/**
 * Our own jwt-generate tokens validate through jwt-validate: every JWS algorithm, every JWE key
 * algorithm but RSA1_5 (refused on validation) with every content encryption, and nested tokens.
 * One assembly mints into a variable and validates it; the response is the validated claims.
 */
import { describe, expect, it } from "vitest";
import { api, captureLogs, gatewayFor } from "../gateway-helpers";
import { keyPairFor, toPem } from "../jwt-generate/helpers";
import { CERT_KEY_PEM, CERT_PEM } from "../jwt-generate/fixtures/rsa-certificate";

const JWS_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const KEY_ALGS = ["RSA-OAEP", "RSA-OAEP-256", "dir", "A128KW", "A192KW", "A256KW", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"];
const ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"];
const CEK_BYTES: Record<string, number> = { "A128CBC-HS256": 32, "A192CBC-HS384": 48, "A256CBC-HS512": 64, A128GCM: 16, A192GCM: 24, A256GCM: 32 };
const KW_BYTES: Record<string, number> = { A128KW: 16, A192KW: 24, A256KW: 32 };
const hex = (bytes: Uint8Array) => "0x" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

function roundTrip(generate: string, validate: string, bindings: Record<string, unknown>) {
  const assembly = `execute:
  - set-variable:
      actions:
        - {set: iss.claim, value: https://issuer.test}
        - {set: sub.claim, value: $(request.headers.x-user)}
        - {set: aud.claim, value: orders}
  - jwt-generate:
      jwt: minted
      sub-claim: sub.claim
      aud-claim: aud.claim
      jti-claim: true
${generate.trim().split("\n").map((l) => "      " + l).join("\n")}
  - jwt-validate:
      jwt: minted
      iss-claim: ^https://issuer\\.test$
      aud-claim: ^orders$
${validate.trim().split("\n").map((l) => "      " + l).join("\n")}
  - set-variable:
      actions:
        - {set: message.body, value: $(decoded.claims)}`;
  return gatewayFor({ "rt.yaml": api("/rt", assembly) }, bindings);
}

async function signingKeys(alg: string): Promise<{ sign: string; verify: string }> {
  if (alg.startsWith("HS")) {
    const secret = hex(crypto.getRandomValues(new Uint8Array(64)));
    return { sign: secret, verify: secret };
  }
  if (alg === "EdDSA") {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    return {
      sign: toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer),
      verify: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
    };
  }
  const pair = await keyPairFor(alg);
  return { sign: pair.privatePem, verify: pair.publicPem };
}

let rsaOaep: Promise<{ publicPem: string; privatePem: string }> | undefined;
const agreementPairs = new Map<string, Promise<{ encrypt: string; decrypt: string }>>();
/** An ECDH recipient pair (P-384, or X25519) as PEM: the public half for jwt-generate, the private for jwt-validate. */
function agreementKeys(curve: "P-384" | "X25519"): Promise<{ encrypt: string; decrypt: string }> {
  let p = agreementPairs.get(curve);
  if (!p) {
    p = (async () => {
      const params = curve === "X25519" ? { name: "X25519" } : { name: "ECDH", namedCurve: curve };
      const pair = (await crypto.subtle.generateKey(params, true, ["deriveBits"])) as CryptoKeyPair;
      return {
        encrypt: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
        decrypt: toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer),
      };
    })();
    agreementPairs.set(curve, p);
  }
  return p;
}

function encryptionKeys(alg: string, enc: string): Promise<{ encrypt: string; decrypt: string }> {
  if (alg.startsWith("ECDH-ES")) return agreementKeys("P-384");
  if (alg.startsWith("RSA")) {
    rsaOaep ??= (async () => {
      const pair = (await crypto.subtle.generateKey({ name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["encrypt", "decrypt"])) as CryptoKeyPair;
      return {
        publicPem: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
        privatePem: toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer),
      };
    })();
    return rsaOaep.then((p) => ({ encrypt: p.publicPem, decrypt: p.privatePem }));
  }
  const key = hex(crypto.getRandomValues(new Uint8Array(alg === "dir" ? CEK_BYTES[enc]! : KW_BYTES[alg]!)));
  return Promise.resolve({ encrypt: key, decrypt: key });
}

async function expectClaims(res: Response, user: string) {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const claims = JSON.parse(text) as Record<string, unknown>;
  expect(claims).toMatchObject({ iss: "https://issuer.test", sub: user, aud: "orders" });
  expect(typeof claims.jti).toBe("string");
}

describe("jwt-generate → jwt-validate", () => {
  for (const alg of JWS_ALGS) {
    it(`JWS ${alg}`, async () => {
      const k = await signingKeys(alg);
      const gw = roundTrip(`jws-alg: ${alg}\njws-crypto: SIGN`, `jws-crypto: VERIFY`, { SIGN: k.sign, VERIFY: k.verify });
      await expectClaims(await gw.fetch("/rt/x", { headers: { "x-user": `user-${alg}` } }), `user-${alg}`);
    });
  }

  for (const alg of KEY_ALGS) {
    it(`JWE ${alg} with every enc, JWE only and nested (ES256 inside)`, async () => {
      const signer = await keyPairFor("ES256");
      for (const enc of ENCS) {
        const k = await encryptionKeys(alg, enc);
        const only = roundTrip(`jwe-alg: ${alg}\njwe-enc: ${enc}\njwe-crypto: ENC`, `jwe-crypto: DEC`, { ENC: k.encrypt, DEC: k.decrypt });
        // JWE only warns at build (unsigned tokens accepted); compileApis returns warnings, not problems.
        await expectClaims(await only.fetch("/rt/x", { headers: { "x-user": "only" } }), "only");
        const nested = roundTrip(
          `jws-alg: ES256\njws-crypto: SIGN\njwe-alg: ${alg}\njwe-enc: ${enc}\njwe-crypto: ENC`,
          `jws-crypto: VERIFY\njwe-crypto: DEC`,
          { ENC: k.encrypt, DEC: k.decrypt, SIGN: signer.privatePem, VERIFY: signer.publicPem },
        );
        await expectClaims(await nested.fetch("/rt/x", { headers: { "x-user": "nested" } }), "nested");
      }
    });
  }

  it("ECDH-ES+A256KW to an X25519 recipient, nested with EdDSA inside", async () => {
    const k = await agreementKeys("X25519");
    const signer = await signingKeys("EdDSA");
    const gw = roundTrip(
      `jws-alg: EdDSA\njws-crypto: SIGN\njwe-alg: ECDH-ES+A256KW\njwe-enc: A256GCM\njwe-crypto: ENC`,
      `jws-crypto: VERIFY\njwe-crypto: DEC`,
      { ENC: k.encrypt, DEC: k.decrypt, SIGN: signer.sign, VERIFY: signer.verify },
    );
    await expectClaims(await gw.fetch("/rt/x", { headers: { "x-user": "x25519" } }), "x25519");
  });

  it("RSA1_5 tokens from jwt-generate are refused by jwt-validate with the reason", async () => {
    const k = await encryptionKeys("RSA-OAEP", "A128GCM");
    const gw = roundTrip(`jwe-alg: RSA1_5\njwe-enc: A128CBC-HS256\njwe-crypto: ENC`, `jwe-crypto: DEC`, { ENC: k.encrypt, DEC: k.decrypt });
    const { result, lines } = await captureLogs(async () => {
      const res = await gw.fetch("/rt/x", { headers: { "x-user": "u" } });
      return { status: res.status, body: await res.json() };
    });
    expect(result.status).toBe(401);
    expect(lines.join("\n")).toMatch(/RSA1_5 is not accepted/);
  });

  it("verification with an X.509 certificate (IBM's \"Crypto Certificate\"), PS384 signed by the certificate's key", async () => {
    const gw = roundTrip(`jws-alg: PS384\njws-crypto: SIGN`, `jws-crypto: CERT`, { SIGN: CERT_KEY_PEM, CERT: CERT_PEM });
    await expectClaims(await gw.fetch("/rt/x", { headers: { "x-user": "cert" } }), "cert");
  });

  it("a JWK Set selects the key by the token's kid (jws-jwk variable holding the set)", async () => {
    await expectClaims(await jwkSetRoundTrip("u1"), "u1");
  });
});

/** Signs with a private JWK (kid ec-1) and validates against a set of an RSA key and its public JWK, both from variables. */
async function jwkSetRoundTrip(user: string): Promise<Response> {
  const assembly = `execute:
  - set-variable:
      actions:
        - {set: iss.claim, value: https://issuer.test}
        - {set: sub.claim, value: $(request.headers.x-user)}
        - {set: aud.claim, value: orders}
        - {set: signing.jwk, value: $(env.SIGNING)}
        - {set: jwks, value: $(env.SET)}
  - jwt-generate:
      jwt: minted
      sub-claim: sub.claim
      aud-claim: aud.claim
      jti-claim: true
      jws-alg: ES256
      jws-jwk: signing.jwk
  - jwt-validate:
      jwt: minted
      jws-jwk: jwks
  - set-variable:
      actions:
        - {set: message.body, value: $(decoded.claims)}`;
  const [a, b] = [await keyPairFor("RS256"), await keyPairFor("ES256")];
  const set = { keys: [{ ...a.publicJwk, kid: "rsa-1", alg: "RS256", use: "sig" }, { ...b.publicJwk, kid: "ec-1" }] };
  const gw = gatewayFor({ "set.yaml": api("/set", assembly) }, { SET: JSON.stringify(set), SIGNING: JSON.stringify({ ...b.privateJwk, kid: "ec-1" }) });
  return gw.fetch("/set/x", { headers: { "x-user": user } });
}
