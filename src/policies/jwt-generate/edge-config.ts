/**
 * `x-edge:` — this gateway's extension object for jwt-generate (not portable back to API Connect; see
 * docs/jwt-generate-extensions.md). Read once at build time; a policy without it never reaches this code.
 */
import type { Template } from "../../assembly/template";
import { child } from "../../config/problems";
import { describe, type ConfigReader } from "../../config/reader";

export type EdgeClaimType = "string" | "number" | "boolean" | "json";
const CLAIM_TYPES: readonly EdgeClaimType[] = ["string", "number", "boolean", "json"];

export interface EdgeClaim {
  name: string;
  /** The claim name already written as JSON text, with its colon: `"tenant":`. */
  prefix: string;
  template: Template;
  type: EdgeClaimType;
}

export interface EdgeConfig {
  /** Claims placed as JSON values, after the registered claims. */
  claims: EdgeClaim[];
  typ?: string;
  /** Extra protected header parameters, in the order written. */
  headers: { name: string; template: Template }[];
  /** A crypto object holding the signing key's X.509 certificate: adds x5t#S256 (and x5c). */
  certificate?: { name: string; x5c: boolean };
  /** nbf = iat + this offset (seconds; negative allows for clock skew). */
  nbfOffset?: number;
  cache?: { minRemaining: number };
}

const KNOWN = ["claims", "typ", "headers", "certificate", "x5c", "nbf", "cache"] as const;
/** Header parameters the policy sets itself, or that change how a recipient must process the token. */
const RESERVED_HEADERS: Readonly<Record<string, string>> = {
  alg: "set by jws-alg / jwe-alg",
  enc: "set by jwe-enc",
  kid: "set by the key or custom-kid-value-jws",
  crit: "critical extensions would oblige every recipient to understand them",
  zip: "compression before encryption leaks the plaintext's length (RFC 8725 §3.6)",
  b64: "changes how the payload is encoded (RFC 7797) and needs crit",
  typ: "use x-edge.typ",
  "x5t#S256": "use x-edge.certificate",
  x5c: "use x-edge.certificate with x-edge.x5c: true",
};
const HEADER_NAME = /^[\x21-\x7e]{1,64}$/;
const CLAIM_NAME_MAX = 256;
const MAX_NBF_OFFSET = 31_622_400;

/** What the rest of the policy's configuration tells the x-edge reader. */
export interface EdgeContext {
  /** Claims the policy sets itself (iss, exp, iat; sub, aud, jti when configured). */
  owned: ReadonlySet<string>;
  signed: boolean;
  /** The signing algorithm is asymmetric (a certificate can match it). */
  asymmetric: boolean;
  jti: boolean;
  expSeconds: number;
}

/** Reads and validates `x-edge`, reporting on `reader`; undefined when absent or invalid. */
export function readEdgeConfig(raw: unknown, path: string, reader: ConfigReader, context: EdgeContext): EdgeConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const obj = reader.object(raw, path, "an object (the x-edge extension)");
  if (!obj) return undefined;
  const before = reader.problems.length;
  reader.keys(obj, path, { known: KNOWN });

  const nbfOffset = obj.nbf === undefined ? undefined : reader.integer(obj, "nbf", path, { min: -MAX_NBF_OFFSET, max: MAX_NBF_OFFSET });
  const owned = new Set(context.owned);
  if (nbfOffset !== undefined) owned.add("nbf");
  const claims = readClaims(obj.claims, child(path, "claims"), reader, owned);

  const typ = reader.string(obj, "typ", path, { maxLength: 64 });
  if (typ !== undefined && !HEADER_VALUE.test(typ)) reader.report(child(path, "typ"), "expected a media type such as JWT or at+jwt");
  const headers = readHeaders(obj.headers, child(path, "headers"), reader);
  const certificateName = reader.string(obj, "certificate", path, { maxLength: 256 });
  const x5c = reader.boolean(obj, "x5c", path, false);
  if (x5c && !certificateName) reader.report(child(path, "x5c"), "needs x-edge.certificate (the crypto object holding the certificate)");
  if (certificateName !== undefined && !context.asymmetric) {
    reader.report(child(path, "certificate"), "needs an asymmetric signing algorithm (RS*, PS*, ES* or EdDSA): a certificate identifies a public key");
  }
  if ((typ !== undefined || headers.length > 0) && !context.signed) {
    reader.report(path, "typ and headers apply to the JWS header: configure signing (jws-alg with a key)");
  }

  let cache: EdgeConfig["cache"];
  if (obj.cache !== undefined) {
    const at = child(path, "cache");
    const c = reader.object(obj.cache, at, "an object such as {min-remaining: 60}");
    if (c) {
      reader.keys(c, at, { known: ["min-remaining", "reuse-jti"] });
      const minRemaining = reader.integer(c, "min-remaining", at, { min: 0, max: Math.max(0, context.expSeconds - 1), required: true });
      const reuseJti = reader.boolean(c, "reuse-jti", at, false);
      if (context.jti && !reuseJti) {
        reader.report(at, "a cached token would be sent again with the same jti, and jti-claim: true asks for a fresh one per token; set reuse-jti: true to accept repeated jti values, or remove the cache");
      }
      if (minRemaining !== undefined) cache = { minRemaining };
    }
  }

  if (reader.problems.length > before) return undefined;
  return {
    claims,
    headers,
    ...(typ === undefined ? {} : { typ }),
    ...(certificateName === undefined ? {} : { certificate: { name: certificateName, x5c } }),
    ...(nbfOffset === undefined ? {} : { nbfOffset }),
    ...(cache === undefined ? {} : { cache }),
  };
}

const HEADER_VALUE = /^[\x21-\x7e]+$/;

function readClaims(raw: unknown, path: string, reader: ConfigReader, owned: ReadonlySet<string>): EdgeClaim[] {
  if (raw === undefined || raw === null) return [];
  const obj = reader.object(raw, path, "an object: {NAME: TEMPLATE | {value: TEMPLATE, type: string|number|boolean|json}}");
  if (!obj) return [];
  const out: EdgeClaim[] = [];
  for (const [name, spec] of Object.entries(obj)) {
    const at = child(path, name);
    if (name === "" || name.length > CLAIM_NAME_MAX) {
      reader.report(at, `a claim name must be 1 to ${CLAIM_NAME_MAX} characters`);
      continue;
    }
    if (owned.has(name)) {
      reader.report(at, `'${name}' is a registered claim this policy sets itself (${[...owned].join(", ")}); configure it with the policy's own property`);
      continue;
    }
    let source: unknown = spec;
    let type: EdgeClaimType = "string";
    if (spec !== null && typeof spec === "object" && !Array.isArray(spec)) {
      const s = spec as Record<string, unknown>;
      reader.keys(s, at, { known: ["value", "type"] });
      type = reader.oneOf(s, "type", at, CLAIM_TYPES) ?? "string";
      source = s.value;
      if (source === undefined) reader.report(child(at, "value"), "is required");
    }
    if (typeof source === "number" || typeof source === "boolean") source = String(source);
    if (typeof source !== "string") {
      if (source !== undefined) reader.report(at, `expected a template (text) or {value, type}, found ${describe(source)}`);
      continue;
    }
    const template = reader.parseTemplate(source, spec === source ? at : child(at, "value"));
    if (template) out.push({ name, prefix: `${JSON.stringify(name)}:`, template, type });
  }
  return out;
}

function readHeaders(raw: unknown, path: string, reader: ConfigReader): EdgeConfig["headers"] {
  if (raw === undefined || raw === null) return [];
  const obj = reader.object(raw, path, "an object: {NAME: TEMPLATE}");
  if (!obj) return [];
  const out: EdgeConfig["headers"] = [];
  for (const [name, value] of Object.entries(obj)) {
    const at = child(path, name);
    if (Object.hasOwn(RESERVED_HEADERS, name)) {
      reader.report(at, `header parameter '${name}' cannot be set here: ${RESERVED_HEADERS[name]}`);
      continue;
    }
    if (!HEADER_NAME.test(name)) {
      reader.report(at, "a header parameter name must be 1 to 64 printable ASCII characters");
      continue;
    }
    const text = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
    if (typeof text !== "string") {
      reader.report(at, `expected a template (text), found ${describe(value)}`);
      continue;
    }
    const template = reader.parseTemplate(text, at);
    if (template) out.push({ name, template });
  }
  return out;
}
