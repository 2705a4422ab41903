import type { Context } from "../../assembly/context";
import { PolicyError } from "../../assembly/errors";
import { encodeBase64UrlText } from "../../jose/base64url";
import { signCompact } from "../../jose/sign";
import { encryptPrepared, prepareJwe, type JweHeader, type PreparedJwe } from "../../jwe";
import type { PolicyCompiler } from "../policy";
import { buildClaims, ownedClaims } from "./claims";
import { readJwtGenerateConfig, type JwtGenerateConfig } from "./config";
import { kidFor, loadEncryptionKey, loadSigningKey } from "./keys";

const encoder = new TextEncoder();
export const ERROR_MESSAGE_VARIABLE = "jwt-generate.error-message";

/**
 * Encoded protected headers by content: an API uses one or a few (a kid per key), so each is
 * encoded once. Bounded, since a custom kid may come from request data.
 */
const jwsHeaders = new Map<string, string>();
const jweHeaders = new Map<string, PreparedJwe>();
function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 256) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

async function mint(config: JwtGenerateConfig, owned: ReadonlySet<string>, ctx: Context): Promise<string> {
  const claims = JSON.stringify(buildClaims(config, owned, ctx, Math.floor(Date.now() / 1000)));
  let token: string | undefined;
  if (config.jws) {
    const { alg, key: source, kidVariable } = config.jws;
    const key = await loadSigningKey(source, alg, ctx);
    const kid = kidFor(source, key, kidVariable, ctx);
    // API Connect's header: kid (when there is one), then alg; no typ.
    const header = kid === undefined ? `{"alg":"${alg}"}` : JSON.stringify({ kid, alg });
    token = await signCompact(alg, key.key, remember(jwsHeaders, header, () => encodeBase64UrlText(header)), encodeBase64UrlText(claims));
  }
  if (config.jwe) {
    const { alg, enc, key: source, kidVariable } = config.jwe;
    const key = await loadEncryptionKey(source, alg, enc, ctx);
    const kid = kidFor(source, key, kidVariable, ctx);
    // Nested: the signed token is the plaintext, marked with cty "JWT" (RFC 7519 §5.2).
    const header: JweHeader = { alg, enc, kid, cty: token === undefined ? undefined : "JWT" };
    const prepared = remember(jweHeaders, JSON.stringify(header), () => prepareJwe(header));
    token = await encryptPrepared(encoder.encode(token ?? claims), prepared, key);
  }
  return token as string;
}

/** The detail of a failure, for the log and `jwt-generate.error-message`: our own messages, or an error's class. */
function detailOf(e: unknown): string {
  if (e instanceof PolicyError) return e.message;
  if (e instanceof Error && ["KeyError", "JweError"].includes(e.name)) return e.message;
  if (e instanceof Error) return `jwt-generate failed: ${e.name}${e.name === "OperationError" || e.name === "DataError" ? ` (${e.message})` : ""}`;
  return "jwt-generate failed";
}

/**
 * `jwt-generate`: builds the claims, signs (JWS), encrypts (JWE) or both (nested), and puts
 * the token in `Authorization: Bearer …` or in the variable named by `jwt`.
 */
export const compileJwtGenerate: PolicyCompiler = (raw, path, reader, scope) => {
  const config = readJwtGenerateConfig(raw, path, reader);
  if (!config) return undefined;
  if (config.jwe?.alg === "RSA1_5") {
    scope.warnings.push(`${path}: jwe-alg RSA1_5 is deprecated (RFC 8725 §3.2 advises against RSAES-PKCS1-v1_5); prefer RSA-OAEP-256`);
  }
  const owned = ownedClaims(config);
  return {
    kind: "jwt-generate",
    title: config.title,
    async run(ctx) {
      let token: string;
      try {
        token = await mint(config, owned, ctx);
      } catch (e) {
        const detail = detailOf(e);
        ctx.set(ERROR_MESSAGE_VARIABLE, detail);
        throw new PolicyError("RuntimeError", detail, { status: 500, reason: "Invalid-JWT-Generate", publicMessage: "Invalid-JWT-Generate" });
      }
      if (config.jwtVariable) ctx.set(config.jwtVariable, token);
      else ctx.message.headers.set("Authorization", `Bearer ${token}`);
    },
  };
};
