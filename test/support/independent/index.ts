/**
 * "An independent implementation verifying what our worker minted."
 *
 * JWS: node-jose (Cisco) and jsrsasign (pure JS) both verify every token.
 * JWE: node-jose; RSA1_5 key unwrap by node-forge (Node 20 refuses PKCS#1 v1.5 private decryption).
 * None of these depends on `jose` (panva); see test/node/independent-libraries.test.ts.
 */
import { independentVerify, type IndependentJwsResult } from "./jws";
import { independentDecrypt, type IndependentJweResult } from "./jwe";
import type { IndependentKey } from "./keys";

export { independentVerify, JWS_ALGS, JWS_VERIFIERS, type JwsAlg, type JwsVerifierName, type IndependentJwsResult } from "./jws";
export { independentDecrypt, JWE_ALGS, JWE_ENCS, CEK_BYTES, type JweAlg, type JweEnc, type IndependentJweResult } from "./jwe";
export { publicJwk, privateJwk, type IndependentKey } from "./keys";

/**
 * A nested JWT: decrypts the JWE (whose header must say `cty: "JWT"`), then verifies the inner JWS.
 */
export async function independentDecryptAndVerify(
  token: string,
  decryptionKey: IndependentKey,
  expect: { alg: string; enc: string },
  verificationKey: IndependentKey,
  jwsAlg: string,
): Promise<{ jwe: IndependentJweResult; jws: IndependentJwsResult }> {
  const jwe = await independentDecrypt(token, decryptionKey, expect);
  if (jwe.header.cty !== "JWT") throw new Error(`nested JWE header cty is ${String(jwe.header.cty)}, expected "JWT"`);
  const jws = await independentVerify(jwe.plaintext, verificationKey, jwsAlg);
  return { jwe, jws };
}
export { jwcryptoBatch, jwcryptoPython, type JwcryptoItem, type JwcryptoResult } from "./jwcrypto";
