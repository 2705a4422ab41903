import { child } from "../config/problems";
import type { ConfigReader } from "../config/reader";
import type { Operation, OperationTable } from "../routing/operations";
import type { Alternative, ApiSecurity, CredentialSource, SecurityPlan } from "./plan";

/** A security scheme of the definition, as the edge sees it. */
type Scheme =
  | { kind: "client-id" | "client-secret"; source: CredentialSource }
  /** A scheme the edge cannot check (OAuth provider tokens, basic auth against a registry, …). */
  | { kind: "unenforced"; type: string };

/** How the application certificate requirement is named in warnings and logs. */
const APPLICATION_CERTIFICATE = "'application-authentication' (client certificate)";

const SCHEME_KEYS = ["type", "name", "in", "description", "x-key-type", "flow", "flows", "authorizationUrl", "tokenUrl", "scopes", "scheme", "bearerFormat", "openIdConnectUrl"];

/**
 * Compiles the definition's security: `securityDefinitions` (OpenAPI 2) or `components.securitySchemes`
 * (OpenAPI 3), the top-level `security`, and each operation's own `security` (which replaces the API's;
 * `security: []` makes an operation open). Reports unknown scheme names and malformed lists, and warns,
 * naming the API, operation and scheme, about every scheme that cannot be enforced here.
 */
export function compileSecurity(doc: Record<string, unknown>, operations: OperationTable, apiName: string, reader: ConfigReader, certificate = false): ApiSecurity {
  const schemesAt = doc.securityDefinitions !== undefined ? "securityDefinitions" : "components.securitySchemes";
  const rawSchemes = doc.securityDefinitions ?? (isObject(doc.components) ? doc.components.securitySchemes : undefined);
  const schemes = readSchemes(rawSchemes, schemesAt, reader);
  const unenforced = new Set<string>();

  const compileAt = (value: unknown, at: string, where: string): SecurityPlan | undefined => {
    const plan = compileRequirements(value, at, schemes, reader, certificate);
    // One warning per scheme and operation, however many alternatives name it.
    for (const scheme of new Set(plan?.alternatives.flatMap((alt) => alt.unenforced))) {
      unenforced.add(scheme);
      reader.warn(at, `API '${apiName}', ${where}: security scheme ${scheme} cannot be enforced at the edge; its requests are refused (401) unless the Workers var UNENFORCED_SECURITY lists '${apiName}' (or '*')`);
    }
    return plan;
  };

  const apiLevel = doc.security;
  const plans = new Map<object, SecurityPlan | undefined>();
  let whole: SecurityPlan | undefined;
  if (operations.isEmpty) whole = compileAt(apiLevel, "security", "every request (no paths)");
  else {
    // API-level security applies to operations without their own; compiled once per operation so each
    // warning names its operation.
    for (const op of operations.operations) {
      const own = Object.hasOwn(op.definition, "security");
      const plan = compileAt(own ? op.definition.security : apiLevel, own ? child(op.at, "security") : "security", describeOperation(op));
      plans.set(op, plan);
    }
  }
  return {
    planFor: (operation) => (operation === undefined ? whole : plans.get(operation)),
    unenforced: [...unenforced],
  };
}

function describeOperation(op: Operation): string {
  return `operation ${op.verb} ${op.path}${op.id ? ` (${op.id})` : ""}`;
}

function readSchemes(raw: unknown, at: string, reader: ConfigReader): Map<string, Scheme> {
  const schemes = new Map<string, Scheme>();
  if (raw === undefined || raw === null) return schemes;
  const obj = reader.object(raw, at, "an object of security schemes");
  if (!obj) return schemes;
  for (const [name, value] of Object.entries(obj)) {
    const path = child(at, name);
    const def = reader.object(value, path, "a security scheme ({type: …})");
    if (!def) continue;
    // Vendor extensions (`x-ibm-…`) are labels for API Connect's tooling; `x-key-type` is read below.
    const standard = Object.fromEntries(Object.entries(def).filter(([k]) => !k.startsWith("x-") || k === "x-key-type"));
    reader.keys(standard, path, { known: SCHEME_KEYS });
    const scheme = readScheme(def, path, reader);
    if (scheme) schemes.set(name, scheme);
  }
  return schemes;
}

function readScheme(def: Record<string, unknown>, path: string, reader: ConfigReader): Scheme | undefined {
  const type = reader.string(def, "type", path, { required: true });
  if (type === undefined) return undefined;
  if (type !== "apiKey") {
    const detail = type === "http" && typeof def.scheme === "string" ? `http ${def.scheme}` : type;
    return { kind: "unenforced", type: detail };
  }
  const name = reader.string(def, "name", path, { required: true });
  const where = reader.oneOf(def, "in", path, ["header", "query"] as const, { required: true });
  if (!name || !where) return undefined;
  // API Connect marks which key is which with `x-key-type`; without it, a name that says "secret" is the secret.
  const keyType = reader.oneOf(def, "x-key-type", path, ["client_id", "client_secret"] as const);
  const isSecret = keyType !== undefined ? keyType === "client_secret" : /secret/i.test(name);
  return { kind: isSecret ? "client-secret" : "client-id", source: { in: where, name } };
}

/**
 * `certificate`: x-ibm-configuration.application-authentication.certificate — each alternative that identifies
 * an application also needs the application's client certificate, which the edge cannot check.
 */
function compileRequirements(value: unknown, at: string, schemes: ReadonlyMap<string, Scheme>, reader: ConfigReader, certificate: boolean): SecurityPlan | undefined {
  if (value === undefined || value === null) return undefined;
  const list = reader.array(value, at, "a list of security requirements ({SCHEME: []})");
  // `security: []` is an explicit "no requirement".
  if (!list || list.length === 0) return undefined;
  const alternatives: Alternative[] = [];
  const credentialHeaders = new Set<string>();
  const credentialParams = new Set<string>();
  let open = false;
  list.forEach((raw, i) => {
    const path = child(at, i);
    const requirement = reader.object(raw, path, "a security requirement ({SCHEME: []})");
    if (!requirement) return;
    const alt: { clientId?: CredentialSource; secret?: CredentialSource; unenforced: string[] } = { unenforced: [] };
    for (const name of Object.keys(requirement)) {
      const scheme = schemes.get(name);
      if (!scheme) {
        reader.report(child(path, name), `security scheme '${name}' is not defined${schemes.size > 0 ? `; defined: ${[...schemes.keys()].join(", ")}` : ""}`);
        continue;
      }
      if (scheme.kind === "unenforced") {
        alt.unenforced.push(`'${name}' (${scheme.type})`);
        continue;
      }
      const slot = scheme.kind === "client-id" ? "clientId" : "secret";
      if (alt[slot]) {
        reader.report(child(path, name), `a requirement may name one client ${slot === "clientId" ? "ID" : "secret"} scheme, found a second ('${name}')`);
        continue;
      }
      alt[slot] = scheme.source;
      (scheme.source.in === "header" ? credentialHeaders : credentialParams).add(scheme.source.name);
    }
    if (alt.secret && !alt.clientId) reader.report(path, "a client secret is checked against a client ID's application: this requirement names a secret scheme but no client ID scheme");
    if (certificate && alt.clientId) alt.unenforced.push(APPLICATION_CERTIFICATE);
    if (Object.keys(requirement).length === 0) open = true;
    alternatives.push(alt);
  });
  // An empty requirement `{}` among the alternatives makes the operation open (OpenAPI's "optional security").
  if (open) return undefined;
  const ordered = [...alternatives.filter((a) => a.unenforced.length === 0), ...alternatives.filter((a) => a.unenforced.length > 0)];
  return { alternatives: ordered, credentialHeaders: [...credentialHeaders], credentialParams: [...credentialParams], hasApiKeys: ordered.some((a) => a.unenforced.length === 0 && a.clientId !== undefined) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
