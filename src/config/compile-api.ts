import { warnStringBuiltPrivateClaims } from "../policies/jwt-generate/lint";
import type { CompiledApi } from "../assembly/api";
import { GATEWAY_TYPES, type ApiScope } from "../policies/policy";
import { compileAssembly, compileSteps } from "./assembly";
import { readApiProperties } from "./catalogs";
import { chooseVersion } from "./versions";
import { noCode, type CodeHost } from "./code";
import { child, DefinitionError, formatProblem, type Problem } from "./problems";
import { ConfigReader, describe } from "./reader";
import { IBM_CONFIGURATION_KEYS } from "./ibm-keys";
import { checkCatchNames, checkTopLevel, type CatchNames } from "./strict";
import { OperationTable } from "../routing/operations";
import { compileSecurity } from "../security/compile";

/** A definition as read from a file: its name (for messages) and its parsed content. */
export interface ApiSource {
  file: string;
  definition: unknown;
  /** Line of each path in the file, when the build read it (never bundled into the worker). */
  lines?: ReadonlyMap<string, number>;
}

export interface CompileResult {
  apis: CompiledApi[];
  problems: Problem[];
  /** Load-time warnings, one line each, already naming the file. */
  warnings: string[];
}

/**
 * Validates and compiles every definition; reports all problems, including base paths used twice.
 * `code` supplies functions for code in definitions (conditions, scripts): the build's host, or the bundle's.
 */
export function compileApis(sources: readonly ApiSource[], code: CodeHost = noCode): CompileResult {
  const apis: CompiledApi[] = [];
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const byBasePath = new Map<string, CompiledApi>();
  for (const source of sources) {
    const reader = new ConfigReader(source.file, source.lines);
    const scope: ApiScope = {
      file: source.file,
      name: "",
      warnings: [],
      code,
      operations: OperationTable.read(undefined, reader),
      gateway: "datapower-gateway",
      compileSteps: (value, path, r) => compileSteps(value, path, r, scope),
      raisedNames: new Set(),
      policyKinds: new Set(),
      signingKeys: new Map(),
    };
    const api = compileApi(source.definition, reader, scope);
    warnStringBuiltPrivateClaims(source.definition, reader);
    problems.push(...reader.problems);
    warnings.push(...scope.warnings.map((w) => `${source.file}: ${w}`), ...reader.warnings.map(formatProblem));
    if (!api) continue;
    const other = byBasePath.get(api.basePath);
    if (other !== undefined) {
      // Versions of one API (one file per version, as exports are): the highest is served; see versions.ts.
      const choice = chooseVersion(other, api);
      if (!choice) {
        problems.push({ file: source.file, path: "basePath", message: `base path '${api.basePath || "/"}' is already used by ${other.file}` });
        continue;
      }
      warnings.push(choice.warning);
      if (choice.keep === api) apis[apis.indexOf(other)] = api;
      byBasePath.set(api.basePath, choice.keep);
      continue;
    }
    byBasePath.set(api.basePath, api);
    apis.push(api);
  }
  return { apis, problems, warnings };
}

/** Like compileApis, but throws a DefinitionError listing every problem. */
export function compileApisOrThrow(sources: readonly ApiSource[], code?: CodeHost): CompileResult {
  const result = compileApis(sources, code);
  if (result.problems.length > 0) throw new DefinitionError(result.problems);
  return result;
}

function compileApi(definition: unknown, reader: ConfigReader, scope: ApiScope): CompiledApi | undefined {
  const doc = reader.object(definition, "", "an OpenAPI document (an object at the top level)");
  if (!doc) return undefined;
  const before = reader.problems.length;
  checkTopLevel(doc, reader);

  const basePath = readBasePath(doc, reader);
  const info = reader.object(doc.info ?? {}, "info") ?? {};
  const title = reader.string(info, "title", "info") ?? "";
  const version = reader.string(info, "version", "info", { fallback: "1.0.0" }) ?? "";
  const name = reader.string(info, "x-ibm-name", "info") ?? slug(title || reader.file);
  scope.name = name;

  const ibm = reader.object(doc["x-ibm-configuration"], "x-ibm-configuration", "the x-ibm-configuration object");
  if (!ibm) return undefined;
  reader.keys(ibm, "x-ibm-configuration", IBM_CONFIGURATION_KEYS);
  // API Connect does not serve an API it does not enforce; this worker serves every API in apis/, so say so.
  if (ibm.enforced === false || ibm.enforced === "false") {
    reader.warn(child("x-ibm-configuration", "enforced"), "false: API Connect does not enforce (serve) this API, but this worker serves it, with its assembly and security; remove the file from apis/ to leave it out");
  }
  const properties = readApiProperties(ibm, reader);
  const cors = readCors(ibm, reader);
  const operations = OperationTable.read(doc.paths, reader);
  const security = compileSecurity(doc, operations, name, reader, readApplicationCertificate(ibm, reader));
  scope.operations = operations;
  scope.gateway = reader.oneOf(ibm, "gateway", "x-ibm-configuration", GATEWAY_TYPES) ?? "datapower-gateway";
  const assemblyPath = "x-ibm-configuration.assembly";
  const assemblyObj = reader.object(ibm.assembly, assemblyPath, "an assembly ({execute: [...]})");
  const catchNames: CatchNames[] = [];
  const assembly = assemblyObj ? compileAssembly(assemblyObj, assemblyPath, reader, scope, catchNames) : undefined;
  checkCatchNames(catchNames, scope, reader);

  if (reader.problems.length > before || !assembly || basePath === undefined) return undefined;
  return { file: reader.file, name, version, title, basePath, properties, operations, assembly, security, cors, signingKeys: scope.signingKeys ?? new Map() };
}

/** OpenAPI 2: `basePath`; OpenAPI 3: the path of `servers[0].url`. Normalized without a trailing `/`. */
function readBasePath(doc: Record<string, unknown>, reader: ConfigReader): string | undefined {
  let raw: string | undefined;
  if (typeof doc.swagger === "string") {
    if (!doc.swagger.startsWith("2.")) reader.report("swagger", `expected "2.0", found ${describe(doc.swagger)}`);
    raw = reader.string(doc, "basePath", "", { fallback: "/" });
  } else if (typeof doc.openapi === "string") {
    if (!doc.openapi.startsWith("3.")) reader.report("openapi", `expected a 3.x version, found ${describe(doc.openapi)}`);
    const servers = doc.servers === undefined ? [] : reader.array(doc.servers, "servers");
    const first = servers?.[0];
    if (first === undefined) raw = "/";
    else {
      const server = reader.object(first, "servers[0]");
      const written = server ? reader.string(server, "url", "servers[0]", { required: true }) : undefined;
      if (written === undefined || !server) return undefined;
      const url = withServerVariables(written, server.variables);
      try {
        raw = new URL(url, "http://base.invalid").pathname;
      } catch {
        reader.report("servers[0].url", `expected a URL or a path, found ${describe(url)}`);
        return undefined;
      }
    }
  } else {
    reader.report("", 'expected an OpenAPI document: "swagger: 2.0" or "openapi: 3.x" at the top level');
    return undefined;
  }
  if (raw === undefined) return undefined;
  if (!raw.startsWith("/")) {
    reader.report(typeof doc.swagger === "string" ? "basePath" : "servers[0].url", `expected a path starting with '/', found ${describe(raw)}`);
    return undefined;
  }
  return raw.replace(/\/+$/, "");
}

/**
 * OpenAPI 3 server variables (`https://{region}.example.com/{version}`) take their `default`, as a
 * client that picks nothing would. A variable without a default stays as written.
 */
function withServerVariables(url: string, variables: unknown): string {
  if (variables === null || typeof variables !== "object") return url;
  return url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const variable = Object.hasOwn(variables, name) ? (variables as Record<string, unknown>)[name] : undefined;
    const value = variable !== null && typeof variable === "object" ? (variable as Record<string, unknown>).default : undefined;
    return typeof value === "string" || typeof value === "number" ? String(value) : whole;
  });
}

/**
 * `x-ibm-configuration.application-authentication: {certificate: true}` (IBM: "Configuring application
 * authentication for an API"): the application must present its X.509 certificate, which the edge cannot
 * check; src/security/compile.ts makes it a requirement that fails closed.
 */
function readApplicationCertificate(ibm: Record<string, unknown>, reader: ConfigReader): boolean {
  const raw = ibm["application-authentication"];
  if (raw === undefined || raw === null) return false;
  const at = "x-ibm-configuration.application-authentication";
  const obj = reader.object(raw, at, "an object ({certificate: true|false})");
  if (!obj) return false;
  reader.keys(obj, at, { known: ["certificate"] });
  return reader.boolean(obj, "certificate", at, false);
}

/** `x-ibm-configuration.cors`: `{enabled: true}` turns CORS on (src/http/cors.ts); absent or false adds nothing. */
function readCors(ibm: Record<string, unknown>, reader: ConfigReader): boolean {
  if (ibm.cors === undefined || ibm.cors === null) return false;
  const cors = reader.object(ibm.cors, "x-ibm-configuration.cors", "an object ({enabled: true|false})");
  if (!cors) return false;
  reader.keys(cors, "x-ibm-configuration.cors", { known: ["enabled"] });
  return reader.boolean(cors, "enabled", "x-ibm-configuration.cors", false);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/\.[a-z]+$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "api";
}
