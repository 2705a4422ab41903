import { child } from "../../config/problems";
import { describe, type ConfigReader } from "../../config/reader";
import { translatePcre } from "./pcre";

/** Where a key comes from: a named crypto object (secret, var or KV) or a variable holding a JWK or JWK set. */
export type KeySource = { kind: "crypto"; name: string } | { kind: "jwk"; variable: string };

/** Our extension (beyond API Connect): verification keys from an identity provider's JWKS URL. */
export interface RemoteJwks {
  url: string;
  /** Milliseconds to wait for the JWKS endpoint. */
  timeoutMs: number;
  /** Milliseconds a fetched set is used before it is fetched again. */
  maxAgeMs: number;
  /** Milliseconds after a fetch during which an unknown kid does not fetch again (bounds load on the IdP). */
  cooldownMs: number;
}

export interface JwtValidateConfig {
  title: string;
  /** Variable that holds the token; the default is the Authorization header (`Bearer <token>`). */
  jwtVariable: string;
  outputVariable: string;
  iss?: { pattern: string; regex: RegExp };
  aud?: { pattern: string; regex: RegExp };
  jws?: KeySource;
  jwe?: KeySource;
  remoteJwks?: RemoteJwks;
}

export const DEFAULT_JWT_VARIABLE = "request.headers.authorization";
const VERSIONS = ["1.0.0", "2.0.0"];
const MAX_VARIABLE_NAME = 256;

/** Every property IBM documents for jwt-validate 1.0.0 and 2.0.0, plus our `x-edge` extension object. */
const KNOWN_PROPERTIES = [
  "title", "description", "version", "jwt", "output-claims", "iss-claim", "aud-claim",
  "jws-crypto", "jws-jwk", "jwe-crypto", "jwe-jwk", "x-edge",
] as const;
const EDGE_PROPERTIES = ["jwks-url", "jwks-timeout", "jwks-max-age", "jwks-cooldown"] as const;

/**
 * Validates a jwt-validate policy's properties (reporting on `reader`) and returns its
 * configuration, or undefined when a problem was reported.
 */
export function readJwtValidateConfig(config: Record<string, unknown>, path: string, reader: ConfigReader): JwtValidateConfig | undefined {
  const before = reader.problems.length;
  reader.keys(config, path, { known: KNOWN_PROPERTIES });
  const variable = (key: string) => {
    const value = reader.string(config, key, path, { maxLength: MAX_VARIABLE_NAME });
    if (value !== undefined && value.includes("$(")) {
      reader.report(child(path, key), `expects a variable name, not a template: write the variable's name (e.g. ${key === "jwt" ? "request.headers.x-token" : "my.key"}), without $( )`);
      return undefined;
    }
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };

  const version = config.version;
  if (version !== undefined && !((typeof version === "string" || typeof version === "number") && VERSIONS.includes(String(version)))) {
    reader.report(child(path, "version"), `expected one of ${VERSIONS.join(", ")}, found ${describe(version)}`);
  }
  const title = typeof config.title === "string" && config.title.trim() !== "" ? config.title : "jwt-validate";
  reader.string(config, "description", path);
  const jwtVariable = variable("jwt") ?? DEFAULT_JWT_VARIABLE;
  const outputVariable = variable("output-claims") ?? "decoded.claims";
  if (/^(request|api|env)\./.test(outputVariable) || outputVariable.startsWith("message.")) {
    reader.report(child(path, "output-claims"), `must name a variable of your own (e.g. decoded.claims), found ${JSON.stringify(outputVariable)}`);
  }
  const iss = pattern(config, "iss-claim", path, reader);
  const aud = pattern(config, "aud-claim", path, reader);
  // The crypto object wins when both are set, as on API Connect.
  const source = (crypto: string | undefined, jwk: string | undefined): KeySource | undefined =>
    crypto ? { kind: "crypto", name: crypto } : jwk ? { kind: "jwk", variable: jwk } : undefined;
  const jws = source(variable("jws-crypto"), variable("jws-jwk"));
  const jwe = source(variable("jwe-crypto"), variable("jwe-jwk"));
  const remoteJwks = readEdge(config["x-edge"], child(path, "x-edge"), reader);

  if (reader.problems.length > before) return undefined;
  if (jws && remoteJwks) {
    reader.report(child(path, "x-edge.jwks-url"), "set either jws-crypto/jws-jwk or x-edge.jwks-url, not both: one source of verification keys");
    return undefined;
  }
  if (!jws && !jwe && !remoteJwks) {
    reader.report(path, "needs a key: set jws-crypto or jws-jwk (verification), jwe-crypto or jwe-jwk (decryption), or x-edge.jwks-url");
    return undefined;
  }
  if (jwe && !jws && !remoteJwks) {
    reader.warn(path, "only a decryption key is set (jwe-crypto/jwe-jwk): tokens are accepted unsigned; with an RSA key anyone who has the public key can make one. Add jws-crypto or jws-jwk to require a signature");
  }
  return { title, jwtVariable, outputVariable, iss, aud, jws, jwe, remoteJwks };
}

function pattern(config: Record<string, unknown>, key: "iss-claim" | "aud-claim", path: string, reader: ConfigReader): { pattern: string; regex: RegExp } | undefined {
  const text = reader.string(config, key, path);
  if (text === undefined || text === "") return undefined;
  const result = translatePcre(text);
  if ("problem" in result) {
    reader.report(child(path, key), `PCRE pattern ${text.length > 60 ? "(too long to quote)" : JSON.stringify(text)} is not supported by JavaScript RegExp: ${result.problem}`);
    return undefined;
  }
  return { pattern: text, regex: result.regex };
}

function readEdge(value: unknown, path: string, reader: ConfigReader): RemoteJwks | undefined {
  if (value === undefined || value === null) return undefined;
  const edge = reader.object(value, path);
  if (!edge) return undefined;
  reader.keys(edge, path, { known: EDGE_PROPERTIES });
  const url = reader.string(edge, "jwks-url", path, { required: true });
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== "https:") {
    // Keys fetched over plain HTTP could be replaced in transit; loopback is allowed for local testing.
    const loopback = parsed?.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
    if (!loopback) {
      reader.report(child(path, "jwks-url"), `expected an https:// URL, found ${describe(url)}`);
      return undefined;
    }
  }
  const timeout = reader.number(edge, "jwks-timeout", path, { min: 0.1, max: 30, fallback: 5 });
  const maxAge = reader.number(edge, "jwks-max-age", path, { min: 30, max: 86_400, fallback: 600 });
  const cooldown = reader.number(edge, "jwks-cooldown", path, { min: 1, max: 600, fallback: 30 });
  return { url: parsed!.href, timeoutMs: Math.round(timeout * 1000), maxAgeMs: Math.round(maxAge * 1000), cooldownMs: Math.round(cooldown * 1000) };
}
