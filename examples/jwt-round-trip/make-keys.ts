/**
 * Throw-away keys for the round-trip example, as Workers secrets: prints `.dev.vars` lines.
 *
 *   npx tsx examples/jwt-round-trip/make-keys.ts > .dev.vars
 *
 * The mint gets the private keys and the recipient's public key; the validator gets a JWK Set of the
 * public keys (and the shared secret), and the RSA-OAEP private key for nested tokens.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { fileURLToPath } from "node:url";

const pem = (key: KeyObject, type: "pkcs8" | "spki") => key.export({ type, format: "pem" }) as string;
const jwk = (key: KeyObject, kid: string, alg: string) => ({ ...(key.export({ format: "jwk" }) as object), kid, alg, use: "sig" });

/** Secret name → value, for both APIs of the example. */
export function makeExampleKeys(): Record<string, string> {
  const secret = randomBytes(32);
  const rs = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ps = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const es = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const enc = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const set = {
    keys: [
      { kty: "oct", k: secret.toString("base64url"), kid: "hs-1", alg: "HS256", use: "sig" },
      jwk(rs.publicKey, "rs-1", "RS256"),
      jwk(ps.publicKey, "ps-1", "PS256"),
      jwk(es.publicKey, "es-1", "ES256"),
    ],
  };
  return {
    EXAMPLE_HS_SECRET: `0x${secret.toString("hex")}`,
    EXAMPLE_RS_KEY: pem(rs.privateKey, "pkcs8"),
    EXAMPLE_PS_KEY: pem(ps.privateKey, "pkcs8"),
    EXAMPLE_ES_KEY: pem(es.privateKey, "pkcs8"),
    EXAMPLE_ENC_PUBLIC: pem(enc.publicKey, "spki"),
    EXAMPLE_DEC_PRIVATE: pem(enc.privateKey, "pkcs8"),
    EXAMPLE_VERIFY_JWKS: JSON.stringify(set),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // .dev.vars is dotenv: PEM newlines as \n inside double quotes (the gateway accepts them), JSON in single quotes.
  for (const [name, value] of Object.entries(makeExampleKeys())) {
    console.log(value.startsWith("{") ? `${name}='${value}'` : `${name}="${value.trim().replace(/\n/g, "\\n")}"`);
  }
}
