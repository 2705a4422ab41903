/**
 * Independent JWE decryption (compact serialization).
 *
 * - RSA-OAEP, RSA-OAEP-256, dir, A128KW/A192KW/A256KW: node-jose (Cisco), end to end.
 * - RSA1_5: Node 20 refuses RSAES-PKCS1-v1_5 private decryption (CVE-2023-46809), and node-jose
 *   calls exactly that, so the content-encryption key is unwrapped with node-forge's pure-JS RSA
 *   and the content is then decrypted and authenticated by node-jose's own JWA implementation
 *   (AES-CBC + HMAC-SHA2 / AES-GCM), with the protected header as AAD.
 *
 * Nothing here imports `jose` (panva) or the worker's code.
 */
import nodeJose from "node-jose";
import forge from "node-forge";
import { privateJwk, type IndependentKey } from "./keys";
import { decodeJsonSegment, splitCompact } from "./jws";

export const JWE_ALGS = ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "dir", "A128KW", "A192KW", "A256KW"] as const;
export const JWE_ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"] as const;
export type JweAlg = (typeof JWE_ALGS)[number];
export type JweEnc = (typeof JWE_ENCS)[number];

/** Content-encryption key length in bytes for each `enc`. */
export const CEK_BYTES: Record<JweEnc, number> = {
  "A128CBC-HS256": 32,
  "A192CBC-HS384": 48,
  "A256CBC-HS512": 64,
  A128GCM: 16,
  A192GCM: 24,
  A256GCM: 32,
};

export interface IndependentJweResult {
  /** The JWE protected header. */
  header: Record<string, unknown>;
  /** The decrypted plaintext as UTF-8 text. */
  plaintext: string;
  /** Which implementation(s) did the work. */
  decryptedBy: string;
}

function forgeRsaPrivateKey(jwk: JsonWebKey): forge.pki.rsa.PrivateKey {
  const big = (v: string | undefined, name: string) => {
    if (!v) throw new Error(`RSA private JWK lacks ${name}`);
    return new forge.jsbn.BigInteger(Buffer.from(v, "base64url").toString("hex"), 16);
  };
  return forge.pki.setRsaPrivateKey(
    big(jwk.n, "n"), big(jwk.e, "e"), big(jwk.d, "d"), big(jwk.p, "p"),
    big(jwk.q, "q"), big(jwk.dp, "dp"), big(jwk.dq, "dq"), big(jwk.qi, "qi"),
  );
}

async function decryptRsa15(segs: string[], jwk: JsonWebKey, enc: JweEnc): Promise<Buffer> {
  const [protectedB64, encryptedKey, iv, ciphertext, tag] = segs as [string, string, string, string, string];
  if (jwk.kty !== "RSA") throw new Error("RSA1_5 needs an RSA private key");
  const key = forgeRsaPrivateKey(jwk);
  const wrapped = Buffer.from(encryptedKey, "base64url");
  const modulusBytes = Math.ceil(key.n.bitLength() / 8);
  if (wrapped.length !== modulusBytes) throw new Error(`encrypted key is ${wrapped.length} bytes, modulus is ${modulusBytes}`);
  // Throws on bad PKCS#1 v1.5 padding (wrong key, tampered encrypted key).
  const cek = Buffer.from(key.decrypt(wrapped.toString("binary"), "RSAES-PKCS1-V1_5"), "binary");
  if (cek.length !== CEK_BYTES[enc]) throw new Error(`CEK is ${cek.length} bytes, ${enc} needs ${CEK_BYTES[enc]}`);
  return nodeJose.JWA.decrypt(enc, cek, Buffer.from(ciphertext, "base64url"), {
    iv: Buffer.from(iv, "base64url"),
    aad: Buffer.from(protectedB64, "ascii"),
    tag: Buffer.from(tag, "base64url"),
  });
}

/**
 * Decrypts a compact JWE with an independent implementation. Throws when the key is wrong, the
 * token was tampered with, the header's alg/enc differ from `expect`, or the token is malformed.
 */
export async function independentDecrypt(
  token: string,
  privateKey: IndependentKey,
  expect: { alg: string; enc: string },
): Promise<IndependentJweResult> {
  if (!(JWE_ALGS as readonly string[]).includes(expect.alg)) throw new Error(`independentDecrypt: unsupported alg ${expect.alg}`);
  if (!(JWE_ENCS as readonly string[]).includes(expect.enc)) throw new Error(`independentDecrypt: unsupported enc ${expect.enc}`);
  const segs = splitCompact(token, 5, "JWE");
  const header = decodeJsonSegment(segs[0] as string, "JWE header");
  if (header.alg !== expect.alg) throw new Error(`JWE header alg is ${String(header.alg)}, expected ${expect.alg}`);
  if (header.enc !== expect.enc) throw new Error(`JWE header enc is ${String(header.enc)}, expected ${expect.enc}`);
  if ("zip" in header) throw new Error("JWE header has zip; not expected from the worker");
  if ("crit" in header) throw new Error("JWE header has crit; not expected from the worker");
  if (expect.alg === "dir" && segs[1] !== "") throw new Error("dir JWE must have an empty encrypted key");
  if (expect.alg !== "dir" && segs[1] === "") throw new Error("JWE encrypted key is empty");

  const jwk = privateJwk(privateKey);
  let plaintext: Buffer;
  let decryptedBy: string;
  try {
    if (expect.alg === "RSA1_5") {
      plaintext = await decryptRsa15(segs, jwk, expect.enc as JweEnc);
      decryptedBy = "node-forge (RSAES-PKCS1-v1_5) + node-jose JWA";
    } else {
      // Without a kid on our key node-jose uses it for any kid in the header (assumed key).
      const { kid: _kid, use: _use, alg: _alg, key_ops: _ops, ...bare } = jwk as JsonWebKey & { kid?: string; use?: string };
      const key = await nodeJose.JWK.asKey(bare as object);
      const result = await nodeJose.JWE.createDecrypt(key, { algorithms: [expect.alg, expect.enc] }).decrypt(token);
      plaintext = result.plaintext;
      decryptedBy = "node-jose";
    }
  } catch (e) {
    throw new Error(
      `independent JWE decryption failed (${expect.alg}/${expect.enc}): ${(e as Error)?.message || String(e)}`,
    );
  }
  return { header, plaintext: plaintext.toString("utf8"), decryptedBy };
}
