import { compactDecrypt, decodeProtectedHeader, importPKCS8, importSPKI, jwtVerify } from "jose";

/** What the demo origin knows: the gateway's signing public key and its own decryption key. */
export interface OriginKeys {
  signingPublicKey?: string;
  encryptionPrivateKey?: string;
}

const ORIGIN_KEYS = ".dev.origin-keys.json";
const UNKNOWN_KEY = "the token was made with a key this origin does not know";
const HINT =
  "the worker's keys (.dev.vars, or a secret or KV entry of the same name) and the origin's (.dev.origin-keys.json) come in pairs: " +
  "delete both files and restart npm start to make a new pair";

const part = (s: string) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

/**
 * Reads a bearer token the way an origin would: decrypts a JWE with the origin's key, verifies
 * a JWS with the gateway's public key, and reports what it found. Without keys it only decodes.
 */
export async function readBearer(authorization: string | undefined, keys: OriginKeys = {}): Promise<unknown> {
  const m = /^Bearer ([\w.-]+)$/.exec(authorization ?? "");
  if (!m) return undefined;
  let token = m[1] as string;
  const out: Record<string, unknown> = {};
  try {
    if (token.split(".").length === 5) {
      out.jweHeader = decodeProtectedHeader(token);
      if (!keys.encryptionPrivateKey) return { ...out, note: "encrypted; no decryption key given" };
      const key = await importPKCS8(keys.encryptionPrivateKey, String(out.jweHeader && (out.jweHeader as { alg: string }).alg));
      const plaintext = new TextDecoder().decode((await compactDecrypt(token, key)).plaintext);
      if ((out.jweHeader as { cty?: string }).cty !== "JWT") return { ...out, decrypted: true, claims: JSON.parse(plaintext) };
      out.decrypted = true;
      token = plaintext;
    }
    const [header, claims] = token.split(".");
    out.header = part(header as string);
    out.claims = part(claims as string);
    if (keys.signingPublicKey) {
      const alg = String((out.header as { alg: string }).alg);
      await jwtVerify(token, await importSPKI(keys.signingPublicKey, alg));
      out.verified = true;
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
      out.verified = false;
      out.error = `${UNKNOWN_KEY}: its signature does not verify with the signing public key in ${ORIGIN_KEYS}`;
    } else if (code === "ERR_JWE_DECRYPTION_FAILED") {
      out.decrypted = false;
      out.error = `${UNKNOWN_KEY}: it was not encrypted for the private key in ${ORIGIN_KEYS}`;
    } else out.error = e instanceof Error ? `${e.name}: ${e.message}` : "unreadable token";
    if (String(out.error).startsWith(UNKNOWN_KEY)) out.hint = HINT;
  }
  return out;
}
