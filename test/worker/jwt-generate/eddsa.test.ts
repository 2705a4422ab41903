/** jws-alg: EdDSA (RFC 8037, Ed25519) from a PKCS#8 PEM and from an OKP JWK, verified with jose. */
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { captureLogs } from "../gateway-helpers";
import { keyPairFor, minter, toPem } from "./helpers";

let privatePem: string;
let privateJwk: JsonWebKey;
let publicJwk: JsonWebKey;

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  privatePem = toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  publicJwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
});

async function verify(res: Response) {
  const token = await res.text();
  expect(res.status, token).toBe(200);
  const { payload } = await jwtVerify(token, await importJWK(publicJwk as never, "EdDSA"), { algorithms: ["EdDSA"] });
  expect(payload.iss).toBe("https://issuer.test");
  return decodeProtectedHeader(token);
}

describe("jws-alg: EdDSA", () => {
  it("signs with a PKCS#8 PEM key; kid is the RFC 7638 thumbprint of the OKP public key", async () => {
    const header = await verify(await minter("jws-alg: EdDSA\njws-crypto: ED_KEY", { bindings: { ED_KEY: privatePem } }).fetch("/mint"));
    expect(header).toEqual({ kid: await calculateJwkThumbprint(publicJwk as never), alg: "EdDSA" });
  });

  it("signs with an OKP JWK (its own kid kept)", async () => {
    const header = await verify(await minter("jws-alg: EdDSA\njws-crypto: ED_JWK", { bindings: { ED_JWK: JSON.stringify({ ...privateJwk, kid: "ed-1" }) } }).fetch("/mint"));
    expect(header).toEqual({ kid: "ed-1", alg: "EdDSA" });
  });

  it("refuses a key of another type, saying what was found and needed", async () => {
    const es = await keyPairFor("ES256");
    const { result, lines } = await captureLogs(() => minter("jws-alg: EdDSA\njws-crypto: K", { bindings: { K: es.privatePem } }).fetch("/mint"));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("crypto object 'K' is an EC private key on P-256 (PKCS#8 PEM); EdDSA needs an Ed25519 private key (PKCS#8 PEM or a JWK of kty 'OKP')");
  });

  it("refuses an Ed25519 public key", async () => {
    const { result, lines } = await captureLogs(() => minter("jws-alg: EdDSA\njws-crypto: K", { bindings: { K: JSON.stringify(publicJwk) } }).fetch("/mint"));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("crypto object 'K' is a JWK of kty 'OKP' with crv 'Ed25519' (public key); signing with EdDSA needs a private key");
  });
});
