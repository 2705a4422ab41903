import type { VariableReader } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import { stringify } from "../../assembly/template";
import type { JwtGenerateConfig } from "./config";

/**
 * The registered claims a policy owns: always iss, exp and iat; sub, aud and jti when configured.
 * Private claims never supply these, even when the configured variable is empty: private claims may
 * come from request data, and must not forge a subject or audience the policy left out on purpose.
 */
export function ownedClaims(config: Pick<JwtGenerateConfig, "subVariable" | "audVariables" | "jti">): ReadonlySet<string> {
  const owned = new Set(["iss", "exp", "iat"]);
  if (config.subVariable) owned.add("sub");
  if (config.audVariables.length > 0) owned.add("aud");
  if (config.jti) owned.add("jti");
  return owned;
}

/**
 * The claims set as JSON text, in API Connect's order: iss, sub, aud, exp, iat, jti, then private
 * claims. Written directly as text (each value through JSON.stringify): no intermediate object.
 */
export function claimsJson(
  config: JwtGenerateConfig, owned: ReadonlySet<string>, vars: VariableReader, nowSeconds: number,
  head: (vars: VariableReader) => string = (v) => claimsHead(config, v),
): string {
  let json = `${head(vars)},"exp":${nowSeconds + config.expSeconds},"iat":${nowSeconds}`;
  if (config.jti) json += `,"jti":"${crypto.randomUUID()}"`;
  return json + privateClaimsJson(config, owned, vars) + "}";
}

/** `{"iss":…` then sub and aud when configured: the claims before the time claims. */
export function claimsHead(config: JwtGenerateConfig, vars: VariableReader): string {
  const iss = text(vars.get(config.issVariable));
  if (!iss) throw runtimeError(`iss-claim: variable '${config.issVariable}' is empty or not set`);
  let json = `{"iss":${JSON.stringify(iss)}`;
  if (config.subVariable) {
    const sub = text(vars.get(config.subVariable));
    if (sub) json += `,"sub":${JSON.stringify(sub)}`;
  }
  if (config.audVariables.length > 0) {
    const audiences = collectAudiences(config.audVariables, vars);
    if (audiences.length > 0) json += `,"aud":${JSON.stringify(audiences.length === 1 ? audiences[0] : audiences)}`;
  }
  return json;
}

/**
 * claimsHead for one policy, remembering its last result: while the iss, sub and aud variables hold
 * the very same primitive values as last time (strings, usually the same every request), the text is
 * the same, so it is not built again. Objects and lists are always read afresh (they can change inside).
 */
export function memoizedClaimsHead(config: JwtGenerateConfig): (vars: VariableReader) => string {
  const names = [config.issVariable, ...(config.subVariable ? [config.subVariable] : []), ...config.audVariables];
  const last: unknown[] = new Array<unknown>(names.length);
  let lastHead: string | undefined;
  return (vars) => {
    let same = lastHead !== undefined;
    for (let i = 0; i < names.length; i++) {
      const value = vars.get(names[i]!);
      if (value !== last[i]) same = false;
      last[i] = isPrimitive(value) ? value : NOT_REMEMBERED;
    }
    if (same) return lastHead!;
    lastHead = undefined;
    const head = claimsHead(config, vars);
    // Only when every value read was primitive (and claimsHead did not throw) may the next call reuse it.
    if (!last.includes(NOT_REMEMBERED)) lastHead = head;
    return head;
  };
}

/** Marks a non-primitive value: never equal to a value read. */
const NOT_REMEMBERED: unique symbol = Symbol("not remembered");

function isPrimitive(value: unknown): boolean {
  return value === undefined || value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** The private claims (`,"name":value…`), without the ones the policy owns. */
export function privateClaimsJson(config: JwtGenerateConfig, owned: ReadonlySet<string>, vars: VariableReader): string {
  if (!config.privateClaimsVariable) return "";
  let json = "";
  const extra = privateClaims(config.privateClaimsVariable, vars.get(config.privateClaimsVariable));
  for (const key of Object.keys(extra)) {
    if (owned.has(key)) continue;
    const value = JSON.stringify(extra[key]);
    // As JSON.stringify does for an object: a member without a JSON value is left out.
    if (value !== undefined) json += `,${JSON.stringify(key)}:${value}`;
  }
  return json;
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : stringify(value);
}

/** Each variable may hold one audience, a comma-separated string of them, or a list. */
function collectAudiences(names: readonly string[], vars: VariableReader): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = vars.get(name);
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item === undefined || item === null) continue;
      for (const part of stringify(item).split(",")) {
        const aud = part.trim();
        if (aud) out.push(aud);
      }
    }
  }
  return out;
}

function privateClaims(name: string, value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === "string") {
    if (value.trim() === "") throw runtimeError(`private-claims: variable '${name}' is empty`);
    try {
      parsed = JSON.parse(value);
    } catch {
      throw runtimeError(`private-claims: variable '${name}' does not hold valid JSON`);
    }
  }
  if (parsed === undefined) throw runtimeError(`private-claims: variable '${name}' is not set`);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw runtimeError(`private-claims: variable '${name}' must hold a JSON object, found ${Array.isArray(parsed) ? "a list" : parsed === null ? "null" : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}
