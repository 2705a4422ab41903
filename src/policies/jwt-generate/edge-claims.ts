import type { VariableReader } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import { isSingleReference, renderTemplate } from "../../assembly/template";
import type { EdgeClaim } from "./edge-config";

/**
 * `x-edge.claims` as JSON text (`,"name":value…`). Each value is rendered and then written as ONE JSON
 * value through JSON.stringify, so request data inside it can never close the value and add or change
 * another claim — unlike a `private-claims` JSON string built with `$(…)`. A claim whose value renders
 * empty is left out, as the policy does for an empty sub or aud.
 */
export function edgeClaimsJson(claims: readonly EdgeClaim[], vars: VariableReader): string {
  let json = "";
  for (const claim of claims) {
    const value = claimValue(claim, vars);
    if (value !== undefined) json += `,${claim.prefix}${value}`;
  }
  return json;
}

function claimValue(claim: EdgeClaim, vars: VariableReader): string | undefined {
  const t = claim.template;
  // `$(var)` alone keeps the variable's own value (a list stays a list for type json).
  const raw: unknown = isSingleReference(t) ? vars.get(t.names[0] as string) : renderTemplate(t, vars);
  if (raw === undefined || raw === null || raw === "") return undefined;
  switch (claim.type) {
    case "string":
      return JSON.stringify(typeof raw === "string" ? raw : renderTemplate(t, vars));
    case "number": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw runtimeError(`x-edge.claims.${claim.name}: the value is not a number`);
      return JSON.stringify(n);
    }
    case "boolean": {
      if (raw === true || raw === "true") return "true";
      if (raw === false || raw === "false") return "false";
      throw runtimeError(`x-edge.claims.${claim.name}: the value is not true or false`);
    }
    case "json": {
      let value = raw;
      if (typeof raw === "string") {
        try {
          value = JSON.parse(raw);
        } catch {
          // The parser's message is not quoted: it shows part of the (request-controlled) text.
          throw runtimeError(`x-edge.claims.${claim.name}: the value is not valid JSON`);
        }
      }
      const text = JSON.stringify(value);
      if (text === undefined) throw runtimeError(`x-edge.claims.${claim.name}: the value has no JSON form`);
      return text;
    }
  }
}
