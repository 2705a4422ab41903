import { warnStringBuiltPrivateClaims } from "../policies/jwt-generate/lint";
import type { CatchClause, CompiledApi, CompiledAssembly } from "../assembly/api";
import type { ApiScope, Policy } from "../policies/policy";
import { noCode, type CodeHost } from "./code";
import { POLICY_COMPILERS } from "../policies/registry";
import { child, DefinitionError, formatProblem, type Problem } from "./problems";
import { ConfigReader, describe } from "./reader";
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
  const byBasePath = new Map<string, string>();
  for (const source of sources) {
    const reader = new ConfigReader(source.file, source.lines);
    const scope: ApiScope = { file: source.file, name: "", warnings: [], code };
    const api = compileApi(source.definition, reader, scope);
    warnStringBuiltPrivateClaims(source.definition, reader);
    problems.push(...reader.problems);
    warnings.push(...scope.warnings.map((w) => `${source.file}: ${w}`), ...reader.warnings.map(formatProblem));
    if (!api) continue;
    const other = byBasePath.get(api.basePath);
    if (other !== undefined) {
      problems.push({ file: source.file, path: "basePath", message: `base path '${api.basePath || "/"}' is already used by ${other}` });
      continue;
    }
    byBasePath.set(api.basePath, source.file);
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

  const basePath = readBasePath(doc, reader);
  const info = reader.object(doc.info ?? {}, "info") ?? {};
  const title = reader.string(info, "title", "info") ?? "";
  const version = reader.string(info, "version", "info", { fallback: "1.0.0" }) ?? "";
  const name = reader.string(info, "x-ibm-name", "info") ?? slug(title || reader.file);
  scope.name = name;

  const ibm = reader.object(doc["x-ibm-configuration"], "x-ibm-configuration", "the x-ibm-configuration object");
  if (!ibm) return undefined;
  const properties = readProperties(ibm, reader);
  const operations = OperationTable.read(doc.paths, reader);
  const security = compileSecurity(doc, operations, name, reader);
  const assemblyPath = "x-ibm-configuration.assembly";
  const assemblyObj = reader.object(ibm.assembly, assemblyPath, "an assembly ({execute: [...]})");
  const assembly = assemblyObj ? compileAssembly(assemblyObj, assemblyPath, reader, scope) : undefined;

  if (reader.problems.length > before || !assembly || basePath === undefined) return undefined;
  return { file: reader.file, name, version, title, basePath, properties, operations, assembly, security };
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
      const url = server ? reader.string(server, "url", "servers[0]", { required: true }) : undefined;
      if (url === undefined) return undefined;
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

function readProperties(ibm: Record<string, unknown>, reader: ConfigReader): Record<string, unknown> {
  const properties = Object.create(null) as Record<string, unknown>;
  if (ibm.properties === undefined) return properties;
  const obj = reader.object(ibm.properties, "x-ibm-configuration.properties");
  if (!obj) return properties;
  for (const [key, entry] of Object.entries(obj)) {
    const at = child("x-ibm-configuration.properties", key);
    const prop = reader.object(entry, at, "an object ({value: …})");
    if (prop) properties[key] = prop.value ?? "";
  }
  return properties;
}

function compileAssembly(assembly: Record<string, unknown>, path: string, reader: ConfigReader, scope: ApiScope): CompiledAssembly | undefined {
  const execute = compileSteps(assembly.execute ?? [], child(path, "execute"), reader, scope);
  const catches: CatchClause[] = [];
  if (assembly.catch !== undefined) {
    const list = reader.array(assembly.catch, child(path, "catch"), "a list of catch entries") ?? [];
    list.forEach((raw, i) => {
      const at = child(child(path, "catch"), i);
      const entry = reader.object(raw, at, "a catch entry ({errors: [...], execute: [...]} or {default: [...]})");
      if (!entry) return;
      if (entry.default !== undefined) {
        const steps = compileSteps(entry.default, child(at, "default"), reader, scope);
        if (steps) catches.push({ errors: "default", execute: steps });
        return;
      }
      const errors = reader.array(entry.errors, child(at, "errors"), "a list of error names");
      const names = (errors ?? []).filter((name, j) => {
        if (typeof name === "string" && name.trim() !== "") return true;
        reader.report(child(child(at, "errors"), j), `expected an error name, found ${describe(name)}`);
        return false;
      }) as string[];
      const steps = compileSteps(entry.execute ?? [], child(at, "execute"), reader, scope);
      if (errors && steps) catches.push({ errors: new Set(names), execute: steps });
    });
  }
  return execute ? { execute, catches } : undefined;
}

function compileSteps(value: unknown, path: string, reader: ConfigReader, scope: ApiScope): Policy[] | undefined {
  const list = reader.array(value, path, "a list of policies");
  if (!list) return undefined;
  const policies: Policy[] = [];
  list.forEach((raw, i) => {
    const at = child(path, i);
    const step = reader.object(raw, at, "a policy ({POLICY-NAME: {…}})");
    if (!step) return;
    const keys = Object.keys(step);
    if (keys.length !== 1) {
      reader.report(at, `expected exactly one policy name as key, found ${keys.length === 0 ? "none" : keys.join(", ")}`);
      return;
    }
    const kind = keys[0] as string;
    const compiler = Object.hasOwn(POLICY_COMPILERS, kind) ? POLICY_COMPILERS[kind] : undefined;
    if (!compiler) {
      reader.report(child(at, kind), `unknown policy '${kind}'; supported: ${Object.keys(POLICY_COMPILERS).join(", ")}`);
      return;
    }
    const config = reader.object(step[kind] ?? {}, child(at, kind), `the ${kind} policy's properties (an object)`);
    if (!config) return;
    const policy = compiler(config, child(at, kind), reader, scope);
    if (policy) policies.push(policy);
  });
  return policies;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/\.[a-z]+$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "api";
}
