import { importJWK, importSPKI, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { testEnv } from "../gateway-helpers";
import { keyPairFor, minter } from "./helpers";

const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] as const;
const HMAC = ["HS256", "HS384", "HS512"] as const;

async function mintAndVerify(policy: string, bindings: Record<string, unknown>, verifyKey: CryptoKey | Uint8Array, alg: string, setup?: string) {
  const res = await minter(`sub-claim: sub.claim\n${policy}`, { bindings, setup: `- {set: sub.claim, value: subject-1}\n${setup ?? ""}` }).fetch("/mint");
  const token = await res.text();
  expect(res.status, token).toBe(200);
  const { payload, protectedHeader } = await jwtVerify(token, verifyKey, { algorithms: [alg], issuer: "https://issuer.test", subject: "subject-1" });
  expect(protectedHeader.alg).toBe(alg);
  expect(payload.exp! - payload.iat!).toBe(3600);
  return token;
}

describe("jwt-generate signs with every algorithm (verified with jose)", () => {
  for (const alg of ASYMMETRIC) {
    describe(alg, () => {
      it("crypto object from a Workers secret (PKCS#8 PEM)", async () => {
        const k = await keyPairFor(alg);
        await mintAndVerify(`jws-alg: ${alg}\njws-crypto: SIGNING_KEY`, { SIGNING_KEY: k.privatePem }, await importSPKI(k.publicPem, alg), alg);
      });

      it("crypto object from KV (JWK)", async () => {
        const k = await keyPairFor(alg);
        const name = `kv-key-${alg}`;
        await testEnv.CRYPTO_OBJECTS.put(name, JSON.stringify(k.privateJwk));
        await mintAndVerify(`jws-alg: ${alg}\njws-crypto: ${name}`, {}, (await importJWK(k.publicJwk as never, alg)) as CryptoKey, alg);
      });

      it("jws-jwk variable", async () => {
        const k = await keyPairFor(alg);
        await mintAndVerify(`jws-alg: ${alg}\njws-jwk: sign.jwk`, { JWK_TEXT: JSON.stringify(k.privateJwk) }, await importSPKI(k.publicPem, alg), alg, "- {set: sign.jwk, value: $(env.JWK_TEXT)}");
      });
    });
  }

  for (const alg of HMAC) {
    describe(alg, () => {
      const bytes = crypto.getRandomValues(new Uint8Array(64));
      const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
      const b64url = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

      it("shared secret as 0x-hex in a Workers secret", async () => {
        await mintAndVerify(`jws-alg: ${alg}\njws-crypto: HEX_SECRET`, { HEX_SECRET: `0x${hex}` }, bytes, alg);
      });

      it("shared secret as plain text (its UTF-8 bytes)", async () => {
        const text = "correct horse battery staple, but longer: ünïcødé, long enough for HS512";
        await mintAndVerify(`jws-alg: ${alg}\njws-crypto: TEXT_SECRET`, { TEXT_SECRET: text }, new TextEncoder().encode(text), alg);
      });

      it("shared secret as a JWK oct in KV", async () => {
        await testEnv.CRYPTO_OBJECTS.put(`oct-${alg}`, JSON.stringify({ kty: "oct", k: b64url }));
        await mintAndVerify(`jws-alg: ${alg}\njws-crypto: oct-${alg}`, {}, bytes, alg);
      });

      it("jws-jwk variable holding a JWK object", async () => {
        await mintAndVerify(`jws-alg: ${alg}\njws-jwk: k`, {}, bytes, alg, `- {set: k, value: {kty: oct, k: '${b64url}'}}`);
      });
    });
  }

  it("uses the crypto object when both jws-crypto and jws-jwk are set", async () => {
    const used = await keyPairFor("ES256");
    const other = await keyPairFor("ES384");
    await mintAndVerify("jws-alg: ES256\njws-crypto: K\njws-jwk: j", { K: used.privatePem, J: JSON.stringify(other.privateJwk) }, used.publicKey, "ES256", "- {set: j, value: $(env.J)}");
  });

  it("a Workers secret wins over a KV entry of the same name", async () => {
    const inSecret = await keyPairFor("RS256");
    const inKv = await keyPairFor("PS256");
    await testEnv.CRYPTO_OBJECTS.put("SAME_NAME", inKv.privatePem);
    await mintAndVerify("jws-alg: RS256\njws-crypto: SAME_NAME", { SAME_NAME: inSecret.privatePem }, inSecret.publicKey, "RS256");
  });
});
