import {
  JWE_CONTENT_ALGORITHMS,
  JWE_KEY_ALGORITHMS,
  JWS_ALGORITHMS,
  type JweContentAlgorithm,
  type JweKeyAlgorithm,
  type JwsAlgorithm,
} from "../../jose/algorithms";
import { child } from "../../config/problems";
import { describe, type ConfigReader } from "../../config/reader";
import { ownedClaims } from "./claims";
import { readEdgeConfig, type EdgeConfig } from "./edge-config";
import { readOnlyProblem } from "../../assembly/writable";

/** Where a key comes from: a named crypto object (secret, var or KV) or a variable holding a JWK. */
export type KeySource = { kind: "crypto"; name: string } | { kind: "jwk"; variable: string };

export interface JwtGenerateConfig {
  title: string;
  /** Variable that receives the bare token; absent: `Authorization: Bearer …` on the message. */
  jwtVariable?: string;
  jti: boolean;
  issVariable: string;
  subVariable?: string;
  /** Variable names from the comma-separated `aud-claim`. */
  audVariables: string[];
  expSeconds: number;
  privateClaimsVariable?: string;
  jws?: { alg: JwsAlgorithm; key: KeySource; kidVariable?: string };
  jwe?: { alg: JweKeyAlgorithm; enc: JweContentAlgorithm; key: KeySource; kidVariable?: string };
  /** This gateway's extensions (docs/jwt-generate-extensions.md); absent, the policy is API Connect's. */
  edge?: EdgeConfig;
}

const VERSIONS = ["1.0.0", "2.0.0", "2.1.0"];

/** Every property of API Connect's jwt-generate, plus our `x-edge` extension object. */
const KNOWN_PROPERTIES = [
  "title", "description", "version", "jwt", "jti-claim", "iss-claim", "sub-claim", "aud-claim", "exp-claim", "private-claims",
  "jws-alg", "jws-crypto", "jws-jwk", "custom-kid-value-jws", "jwe-alg", "jwe-enc", "jwe-crypto", "jwe-jwk", "custom-kid-value-jwe",
  "x-edge",
] as const;

/** Properties whose value is the NAME of a variable (API Connect reads the variable), never a template. */
const VARIABLE_PROPERTIES = new Set(["jwt", "iss-claim", "sub-claim", "aud-claim", "private-claims", "jws-jwk", "jwe-jwk", "custom-kid-value-jws", "custom-kid-value-jwe"]);
const MAX_VARIABLE_NAME = 256;
/** API Connect's range for `exp-claim`: one second to 366 days. */
const MAX_LIFETIME = 31_622_400;

/**
 * Validates a jwt-generate policy's properties (reporting on `reader`) and returns its
 * configuration, or undefined when a problem was reported.
 */
export function readJwtGenerateConfig(config: Record<string, unknown>, path: string, reader: ConfigReader): JwtGenerateConfig | undefined {
  const before = reader.problems.length;
  reader.keys(config, path, { known: KNOWN_PROPERTIES });
  const variable = (key: string, opts: { required?: boolean; fallback?: string } = {}) => {
    const value = reader.string(config, key, path, { ...opts, maxLength: MAX_VARIABLE_NAME });
    if (value !== undefined && VARIABLE_PROPERTIES.has(key) && value.includes("$(")) {
      reader.report(child(path, key), templateInsteadOfVariable(key, value));
      return undefined;
    }
    return value === undefined || value.trim() === "" ? opts.fallback : value.trim();
  };

  const version = config.version;
  if (version !== undefined && !((typeof version === "string" || typeof version === "number") && VERSIONS.includes(String(version)))) {
    reader.report(child(path, "version"), `expected one of ${VERSIONS.join(", ")}, found ${describe(version)}`);
  }
  const title = typeof config.title === "string" && config.title.trim() !== "" ? config.title : "jwt-generate";
  reader.string(config, "description", path);
  const jwtVariable = variable("jwt");
  const jwtReadOnly = jwtVariable === undefined ? undefined : readOnlyProblem(jwtVariable);
  if (jwtReadOnly) reader.report(child(path, "jwt"), jwtReadOnly);
  const jti = reader.boolean(config, "jti-claim", path, false);
  const issVariable = variable("iss-claim", { fallback: "iss.claim" }) ?? "iss.claim";
  const subVariable = variable("sub-claim");
  const audText = variable("aud-claim");
  const audVariables = audText ? audText.split(",").map((s) => s.trim()).filter(Boolean) : [];
  const expSeconds = reader.integer(config, "exp-claim", path, { min: 1, max: MAX_LIFETIME, fallback: 3600 }) ?? 3600;
  const privateClaimsVariable = variable("private-claims");

  // Signing.
  const jwsAlgText = reader.string(config, "jws-alg", path);
  const jwsKey = keySource(variable("jws-crypto"), variable("jws-jwk"));
  let jws: JwtGenerateConfig["jws"];
  let unsigned = false;
  if (jwsAlgText === "none") unsigned = true;
  else if (jwsAlgText !== undefined && !Object.hasOwn(JWS_ALGORITHMS, jwsAlgText)) {
    reader.report(child(path, "jws-alg"), `expected one of ${Object.keys(JWS_ALGORITHMS).join(", ")} (or none with a JWE), found ${JSON.stringify(jwsAlgText)}`);
  } else if (jwsAlgText !== undefined) {
    if (!jwsKey) reader.report(child(path, "jws-alg"), "needs a signing key: set jws-crypto (a crypto object name) or jws-jwk (a variable holding a JWK)");
    else jws = { alg: jwsAlgText as JwsAlgorithm, key: jwsKey, kidVariable: variable("custom-kid-value-jws") };
  } else if (jwsKey) {
    reader.report(child(path, "jws-alg"), "is required when jws-crypto or jws-jwk is set");
  }

  // Encryption.
  const jweAlgText = reader.string(config, "jwe-alg", path);
  const jweEncText = reader.string(config, "jwe-enc", path);
  const jweKey = keySource(variable("jwe-crypto"), variable("jwe-jwk"));
  let jwe: JwtGenerateConfig["jwe"];
  // API Connect's editor writes jwe-alg and jwe-enc as defaults; without JWE key material API Connect
  // makes no JWE ("specifying the cryptographic material for both the JWS and the JWE produces a nested
  // JWT"), so with a signing key configured the token is signed only, with a warning.
  const encryptionDefaultsOnly = !jweKey && (jweAlgText !== undefined || jweEncText !== undefined) && (jwsAlgText !== undefined || jwsKey !== undefined) && jwsAlgText !== "none";
  if (encryptionDefaultsOnly) {
    reader.warn(child(path, jweAlgText !== undefined ? "jwe-alg" : "jwe-enc"), "jwe-alg/jwe-enc are set but no JWE key (jwe-crypto or jwe-jwk): the token is signed only, not encrypted, as on API Connect");
  } else if (jweAlgText !== undefined || jweEncText !== undefined || jweKey) {
    const alg = jweAlgText;
    const enc = jweEncText;
    if (alg === undefined) reader.report(child(path, "jwe-alg"), "is required when a JWE is configured");
    else if (!Object.hasOwn(JWE_KEY_ALGORITHMS, alg)) reader.report(child(path, "jwe-alg"), `expected one of ${Object.keys(JWE_KEY_ALGORITHMS).join(", ")}, found ${JSON.stringify(alg)}`);
    if (enc === undefined) reader.report(child(path, "jwe-enc"), "is required when a JWE is configured");
    else if (!Object.hasOwn(JWE_CONTENT_ALGORITHMS, enc)) reader.report(child(path, "jwe-enc"), `expected one of ${Object.keys(JWE_CONTENT_ALGORITHMS).join(", ")}, found ${JSON.stringify(enc)}`);
    if (!jweKey) reader.report(path, "a JWE needs an encryption key: set jwe-crypto (a crypto object name) or jwe-jwk (a variable holding a JWK)");
    if (jweKey && alg && enc) jwe = { alg: alg as JweKeyAlgorithm, enc: enc as JweContentAlgorithm, key: jweKey, kidVariable: variable("custom-kid-value-jwe") };
  }

  if (reader.problems.length > before) return undefined;
  if (unsigned && !jwe) {
    reader.report(child(path, "jws-alg"), "none is allowed only with a JWE (jwe-alg, jwe-enc and a key): an unsigned, unencrypted token is never emitted");
    return undefined;
  }
  if (!jws && !jwe) {
    reader.report(path, "nothing to generate: configure signing (jws-alg with jws-crypto or jws-jwk), encryption (jwe-alg, jwe-enc with jwe-crypto or jwe-jwk), or both");
    return undefined;
  }
  const base: JwtGenerateConfig = { title, jwtVariable, jti, issVariable, subVariable, audVariables, expSeconds, privateClaimsVariable, jws, jwe };
  // `x-edge:` written with nothing after it is null: the same as no extension.
  if (config["x-edge"] === undefined || config["x-edge"] === null) return base;
  const edge = readEdgeConfig(config["x-edge"], child(path, "x-edge"), reader, {
    owned: ownedClaims(base),
    signed: jws !== undefined,
    asymmetric: jws !== undefined && JWS_ALGORITHMS[jws.alg].family !== "HMAC",
    jti,
    expSeconds,
  });
  return edge ? { ...base, edge } : undefined;
}

/** The build message for `sub-claim: $(request.headers.x-user)`: the property names a variable. */
function templateInsteadOfVariable(key: string, value: string): string {
  const example = key === "aud-claim" || key.endsWith("-claim") ? `${key.replace(/-claim$/, "")}.claim` : key === "private-claims" ? "private.claims" : key.replace(/-/g, ".");
  return `expects a variable name, not a template (${value.length > 40 ? "a $(…) template" : JSON.stringify(value)}): set a variable first, e.g. set-variable {set: ${example}, value: ${value.length > 40 ? "$(…)" : value}}, then write ${key}: ${example}`;
}

/** The crypto object wins when both are set, as on API Connect. */
function keySource(crypto: string | undefined, jwk: string | undefined): KeySource | undefined {
  if (crypto) return { kind: "crypto", name: crypto };
  if (jwk) return { kind: "jwk", variable: jwk };
  return undefined;
}
