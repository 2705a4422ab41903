import type { ApiScope } from "../policies/policy";
import { child, closest } from "./problems";
import type { ConfigReader } from "./reader";
import { OPENAPI_TOP_LEVEL } from "./ibm-keys";

/**
 * Error names API Connect defines for a catch ("Error cases supported by assembly catches",
 * ref_toolkit_catch_errors). A catch may also name what a `throw` of the same API raises.
 */
export const APIC_ERROR_NAMES = [
  "ConnectionError", "JavaScriptError", "PropertyError", "RedactionError", "TransformError", "RuntimeError", "BadRequestError",
  "SOAPError", "OperationError", "ValidateError", "AssemblyRateLimitError", "UnauthorizedError", "ForbiddenError",
] as const;

/** Policy kinds whose code can raise an error of any name (GatewayScript's `apim.error`, `reject`). */
const CODE_POLICIES = ["gatewayscript", "javascript"];

export interface CatchNames {
  path: string;
  names: { name: string; index: number }[];
}

/**
 * A catch that names an error nothing raises never runs (`ConectionError`): a build problem with a hint.
 * With a GatewayScript policy in the API any name may be raised by its code, so such a name is only a warning.
 */
export function checkCatchNames(entries: readonly CatchNames[], scope: ApiScope, reader: ConfigReader): void {
  const raised = scope.raisedNames ?? new Set<string>();
  const defined = new Set<string>([...APIC_ERROR_NAMES, ...raised]);
  const codeCanRaise = CODE_POLICIES.some((k) => scope.policyKinds?.has(k));
  for (const entry of entries) {
    for (const { name, index } of entry.names) {
      if (defined.has(name)) continue;
      const at = child(entry.path, index);
      const guess = closest(name, defined);
      const hint = guess ? `; did you mean '${guess}'?` : `; expected one of ${[...defined].join(", ")}`;
      if (codeCanRaise) reader.warn(at, `no throw policy raises '${name}' and API Connect does not define it (accepted: a gatewayscript may raise it)${hint}`);
      else reader.report(at, `no policy raises '${name}' and API Connect does not define it, so this catch never runs${hint}`);
    }
  }
}

/**
 * The document's top level: an unknown OpenAPI member is a typo (`pathz`), and so is a vendor extension
 * that is nearly `x-ibm-configuration` (`x-ibm-configuraton`), which would otherwise leave the API without an assembly.
 */
export function checkTopLevel(doc: Record<string, unknown>, reader: ConfigReader): void {
  for (const key of Object.keys(doc)) {
    if ((OPENAPI_TOP_LEVEL as readonly string[]).includes(key)) continue;
    if (key.startsWith("x-")) {
      if (closest(key, ["x-ibm-configuration"])) reader.report(key, `unknown extension '${key}'; did you mean 'x-ibm-configuration'?`);
      continue;
    }
    const guess = closest(key, OPENAPI_TOP_LEVEL);
    reader.report(key, `unknown top-level property '${key}'${guess ? `; did you mean '${guess}'?` : "; vendor extensions start with 'x-'"}`);
  }
}
