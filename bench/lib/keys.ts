/** Fresh key material for one bench run (never written to disk), and the public halves to verify with. */
import { webcrypto } from "node:crypto";
import { ENCRYPTION_BINDING, SIGNING_BINDING, type BenchCase } from "./definitions";

const { subtle } = webcrypto;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export interface BenchKeys {
  /** Worker bindings: binding name → PEM text or HMAC secret. */
  bindings: Record<string, string>;
  /** To verify tokens in Node: per case, the verification key (PEM SPKI, or the secret). */
  verify: Record<BenchCase, string>;
  /** The nested case's decryption key (PEM PKCS#8). */
  decrypt: string;
}

async function rsaPair(name: "RSASSA-PKCS1-v1_5" | "RSA-OAEP", usages: KeyUsage[]) {
  const pair = (await subtle.generateKey(
    { name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    usages,
  )) as CryptoKeyPair;
  return { privatePem: pem("PRIVATE KEY", await subtle.exportKey("pkcs8", pair.privateKey)), publicPem: pem("PUBLIC KEY", await subtle.exportKey("spki", pair.publicKey)) };
}

export async function generateKeys(): Promise<BenchKeys> {
  // The HMAC secret as plain text: 43 characters (256 bits of randomness), the same bytes for every method.
  const secret = Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const [rs, ps, nestedSig, nestedEnc] = await Promise.all([
    rsaPair("RSASSA-PKCS1-v1_5", ["sign", "verify"]),
    rsaPair("RSASSA-PKCS1-v1_5", ["sign", "verify"]),
    rsaPair("RSASSA-PKCS1-v1_5", ["sign", "verify"]),
    rsaPair("RSA-OAEP", ["encrypt", "decrypt"]),
  ]);
  const ec = (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const es = { privatePem: pem("PRIVATE KEY", await subtle.exportKey("pkcs8", ec.privateKey)), publicPem: pem("PUBLIC KEY", await subtle.exportKey("spki", ec.publicKey)) };
  const edPair = (await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const ed = { privatePem: pem("PRIVATE KEY", await subtle.exportKey("pkcs8", edPair.privateKey)), publicPem: pem("PUBLIC KEY", await subtle.exportKey("spki", edPair.publicKey)) };
  return {
    bindings: {
      [SIGNING_BINDING.HS256]: secret,
      [SIGNING_BINDING.RS256]: rs.privatePem,
      [SIGNING_BINDING.PS256]: ps.privatePem,
      [SIGNING_BINDING.ES256]: es.privatePem,
      [SIGNING_BINDING.EdDSA]: ed.privatePem,
      [SIGNING_BINDING.nested]: nestedSig.privatePem,
      [ENCRYPTION_BINDING]: nestedEnc.publicPem,
    },
    verify: { HS256: secret, RS256: rs.publicPem, PS256: ps.publicPem, ES256: es.publicPem, EdDSA: ed.publicPem, nested: nestedSig.publicPem },
    decrypt: nestedEnc.privatePem,
  };
}
