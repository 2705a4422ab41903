/** Checks, in Node with jose, that a token the bench produced is valid and carries the bench's claims. */
import { compactDecrypt, importPKCS8, importSPKI, jwtVerify } from "jose";
import { CLAIMS, JWS_ALG, NESTED_JWE, type BenchCase } from "./definitions";
import type { BenchKeys } from "./keys";

/** Returns undefined when the token is good, else what is wrong. */
export async function checkToken(c: BenchCase, token: string, keys: BenchKeys): Promise<string | undefined> {
  try {
    let jws = token;
    if (c === "nested") {
      const { plaintext, protectedHeader } = await compactDecrypt(token, await importPKCS8(keys.decrypt, NESTED_JWE.alg));
      if (protectedHeader.enc !== NESTED_JWE.enc || protectedHeader.cty !== "JWT") return `JWE header ${JSON.stringify(protectedHeader)}`;
      jws = new TextDecoder().decode(plaintext);
    }
    const alg = JWS_ALG[c];
    const key = alg === "HS256" ? new TextEncoder().encode(keys.verify[c]) : await importSPKI(keys.verify[c], alg);
    const { payload } = await jwtVerify(jws, key, { algorithms: [alg], issuer: CLAIMS.iss, subject: CLAIMS.sub, audience: CLAIMS.aud });
    if (typeof payload.exp !== "number" || typeof payload.iat !== "number" || payload.exp - payload.iat !== CLAIMS.lifetime) return "exp - iat is not the lifetime";
    if (typeof payload.jti !== "string") return "no jti";
    return undefined;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}
