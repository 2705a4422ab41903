import type { Context } from "../../assembly/context";
import { PolicyError } from "../../assembly/errors";
import { KeyError, resolveCryptoObject, type KeyMaterial } from "../../keys";
import { isObject } from "../../keys/jwk";
import type { PolicyCompiler } from "../policy";
import { readJwtValidateConfig, type JwtValidateConfig, type KeySource } from "./config";
import { TokenRejected } from "./errors";
import { KeySet } from "./keys";
import { KnownHeaders, RemoteKeys, verifyToken, type Verifiers } from "./verify";

export const ERROR_MESSAGE_VARIABLE = "jwt-validate.error-message";
/** The generic text a client sees; the detail goes to the log and to jwt-validate.error-message. */
export const PUBLIC_MESSAGE = "Invalid-JWT-Validate";
/** Longer tokens are refused before any parsing (a header is seldom above 8 KB anyway). */
const MAX_TOKEN_LENGTH = 32 * 1024;
/** Bound on a claim compared with a pattern, so a huge claim cannot make a pattern run for long. */
const MAX_MATCHED_CLAIM = 4096;

/**
 * `jwt-validate`: takes the token from `jwt` (default: `Authorization: Bearer …`), decrypts and
 * verifies it with jose, checks `iss`/`aud` against the policy's patterns, and puts the claims set
 * (an object) in `output-claims` (default `decoded.claims`).
 */
export const compileJwtValidate: PolicyCompiler = (raw, path, reader) => {
  const config = readJwtValidateConfig(raw, path, reader);
  if (!config) return undefined;
  const keys = {
    jws: config.jws ? keyLoader(config.jws, "jws-jwk", "sig") : undefined,
    jwe: config.jwe ? keyLoader(config.jwe, "jwe-jwk", "enc") : undefined,
    remote: config.remoteJwks ? new RemoteKeys(config.remoteJwks) : undefined,
  };
  const headers = new KnownHeaders();
  const fromAuthorization = isAuthorizationVariable(config.jwtVariable);
  return {
    kind: "jwt-validate",
    title: config.title,
    // A promise chain rather than an async function: an HS256 check takes a few µs, and every hop shows.
    run(ctx) {
      let verified: ReturnType<typeof verifyToken>;
      try {
        const token = tokenOf(config, fromAuthorization, ctx);
        const { jws, jwe } = keys;
        const bound: Verifiers = { jws: jws && (() => jws(ctx)), jwe: jwe && (() => jwe(ctx)), remote: keys.remote, headers };
        verified = verifyToken(token, bound);
      } catch (e) {
        return Promise.reject(failure(e, ctx));
      }
      return verified.then(
        ({ payload: claims }) => {
          try {
            checkClaim(claims, "iss", config.iss);
            checkClaim(claims, "aud", config.aud);
          } catch (e) {
            throw failure(e, ctx);
          }
          ctx.set(config.outputVariable, claims);
        },
        (e: unknown) => {
          throw failure(e, ctx);
        },
      );
    },
  };

  function failure(e: unknown, ctx: Context): PolicyError {
    const detail = detailOf(e, keys.remote !== undefined);
    ctx.set(ERROR_MESSAGE_VARIABLE, detail);
    // A refused token is the client's problem (401); a missing or unusable key is ours (500).
    const refused = e instanceof TokenRejected || isJoseTokenError(e);
    return new PolicyError("RuntimeError", detail, refused
      ? { status: 401, reason: "Unauthorized", publicMessage: PUBLIC_MESSAGE }
      : { status: 500, reason: "Internal Server Error", publicMessage: PUBLIC_MESSAGE });
  }
};

function isAuthorizationVariable(name: string): boolean {
  return /^(request|message)\.headers\.authorization$/i.test(name);
}

function tokenOf(config: JwtValidateConfig, isAuthorization: boolean, ctx: Context): string {
  const value = ctx.get(config.jwtVariable);
  if (value === undefined || value === null || value === "") {
    throw new TokenRejected(isAuthorization ? "no token: the Authorization header is missing" : `no token: variable '${config.jwtVariable}' is empty or not set`);
  }
  if (typeof value !== "string") throw new TokenRejected(`no token: variable '${config.jwtVariable}' does not hold a string`);
  const text = value.trim();
  if (text.length > MAX_TOKEN_LENGTH) throw new TokenRejected(`the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const bearer = /^Bearer\s+(\S+)$/i.exec(text);
  // In the Authorization header the Bearer scheme is required (IBM: "Authorization: Bearer jwt-token");
  // a variable may hold the bare token, or DataPower's "Bearer eyJ…".
  if (bearer) return bearer[1]!;
  if (isAuthorization) throw new TokenRejected("the Authorization header is not 'Bearer <token>'");
  return text;
}

/** A pattern applies to a string claim, or to each member of a list (`aud`): one match suffices. */
function checkClaim(claims: Record<string, unknown>, name: "iss" | "aud", check: JwtValidateConfig["iss"]): void {
  if (!check) return;
  const value = claims[name];
  if (value === undefined) throw new TokenRejected(`the token has no '${name}' claim, and ${name}-claim requires one matching ${JSON.stringify(check.pattern)}`);
  if (!(Array.isArray(value) ? value.some((v) => matches(v, check.regex)) : matches(value, check.regex))) {
    throw new TokenRejected(`the token's '${name}' claim does not match ${name}-claim ${JSON.stringify(check.pattern)}`);
  }
}

function matches(value: unknown, regex: RegExp): boolean {
  return typeof value === "string" && value.length <= MAX_MATCHED_CLAIM && regex.test(value);
}

/**
 * Loads a KeySet for each request from its source, remembering the last set per material text, so a
 * steady binding parses and imports its keys once, and a rotated secret or KV value is seen at once.
 * Only settled sets are remembered.
 */
function keyLoader(source: KeySource, property: "jws-jwk" | "jwe-jwk", purpose: "sig" | "enc"): (ctx: Context) => KeySet | Promise<KeySet> {
  const memo = new Map<string, KeySet>();
  /** The set for a crypto object held in a Workers secret or var: while the binding holds the same text, no await. */
  let fromBinding: { material: string; set: KeySet } | undefined;
  const load = async (ctx: Context): Promise<KeySet> => {
    const { material, label } = await materialOf(source, ctx, property);
    const text = typeof material === "string" ? material : JSON.stringify(material);
    let set = memo.get(text);
    if (set === undefined) {
      set = KeySet.parse(material, label, purpose);
      if (memo.size >= 8) memo.delete(memo.keys().next().value!);
      memo.set(text, set);
    }
    const bound = source.kind === "crypto" && Object.hasOwn(ctx.env, source.name) && ctx.env[source.name] === material;
    fromBinding = bound && typeof material === "string" ? { material, set } : undefined;
    return set;
  };
  return (ctx) => {
    const last = fromBinding;
    if (last !== undefined && source.kind === "crypto" && Object.hasOwn(ctx.env, source.name) && ctx.env[source.name] === last.material) return last.set;
    return load(ctx);
  };
}

async function materialOf(source: KeySource, ctx: Context, property: string): Promise<{ material: KeyMaterial; label: string }> {
  if (source.kind === "crypto") return { material: await resolveCryptoObject(source.name, ctx.env), label: `crypto object '${source.name}'` };
  const label = `${property} variable '${source.variable}'`;
  const value = ctx.get(source.variable);
  if (value === undefined || value === null || value === "") throw new KeyError(`${label} is empty or not set`);
  if (typeof value === "string") return { material: value, label };
  if (isObject(value)) return { material: value, label };
  throw new KeyError(`${label} does not hold a JWK or JWK Set`);
}

/** jose errors that mean the token is bad (not our keys). */
function isJoseTokenError(e: unknown): boolean {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" && TOKEN_ERROR_CODES.has(code);
}

const TOKEN_ERROR_CODES = new Set([
  "ERR_JWT_EXPIRED", "ERR_JWT_CLAIM_VALIDATION_FAILED", "ERR_JWT_INVALID", "ERR_JWS_INVALID", "ERR_JWE_INVALID",
  "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JWE_DECRYPTION_FAILED", "ERR_JOSE_ALG_NOT_ALLOWED", "ERR_JOSE_NOT_SUPPORTED",
  "ERR_JWKS_NO_MATCHING_KEY", "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
]);

/** The detail for the log and jwt-validate.error-message: our messages, or a jose error by its code. */
function detailOf(e: unknown, remote: boolean): string {
  if (e instanceof TokenRejected || e instanceof KeyError) return e.message;
  if (!(e instanceof Error)) return "jwt-validate failed";
  const code = (e as { code?: unknown }).code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "the token has expired (exp)";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      // jose's messages here are fixed texts naming the claim (e.g. '"nbf" claim timestamp check failed').
      return `the token's claims are not valid: ${e.message}`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "the token's signature does not verify";
    case "ERR_JWE_DECRYPTION_FAILED":
      return "the token could not be decrypted (wrong key or altered token)";
    case "ERR_JWT_INVALID":
    case "ERR_JWS_INVALID":
    case "ERR_JWE_INVALID":
      return `the token is malformed: ${e.message}`;
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return `the token uses an algorithm or feature that is not accepted: ${e.message}`;
    case "ERR_JWKS_NO_MATCHING_KEY":
      return "unknown kid: no key in the remote JWKS matches the token";
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "several keys in the remote JWKS match the token; it needs a kid";
    case "ERR_JWKS_TIMEOUT":
      return "the remote JWKS did not answer in time";
    case "ERR_JWKS_INVALID":
      return "the remote JWKS answered with something that is not a JWK Set";
  }
  // With a remote JWKS, an uncoded error comes from its fetch (workerd: TypeError or Error; jose: JOSEError for a non-200).
  if (remote && (typeof code !== "string" || code === "ERR_JOSE_GENERIC")) return `the remote JWKS could not be fetched (${e.name})`;
  return `jwt-validate failed: ${e.name}`;
}
