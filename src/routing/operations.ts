import { child } from "../config/problems";
import type { ConfigReader } from "../config/reader";

/** The verbs an OpenAPI path item may declare (OpenAPI 2 has no `trace`; 3 has). */
export const OPERATION_VERBS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** One operation of the definition's `paths`: a verb on a path template. */
export interface Operation {
  /** The path template as written, e.g. `/pokemon/{id}`: the variable `api.operation.path`. */
  readonly path: string;
  /** Upper-case verb: `api.operation.verb`. */
  readonly verb: string;
  /** `operationId`, when the definition gives one: `api.operation.id`. */
  readonly id: string | undefined;
  /** The operation object as written, for what policies and security read from it. */
  readonly definition: Readonly<Record<string, unknown>>;
  /** Where it is in the definition, e.g. `paths./pokemon/{id}.get`, for messages. */
  readonly at: string;
}

export type OperationMatch =
  | { kind: "found"; operation: Operation; params: Readonly<Record<string, string>> }
  | { kind: "no-path" }
  | { kind: "no-verb"; allowed: readonly string[] };

interface CompiledPath {
  template: string;
  pattern: RegExp;
  names: readonly string[];
  /** Per segment: 0 literal, 1 literal with a parameter, 2 a whole-segment parameter; lower is more specific. */
  rank: readonly number[];
  byVerb: ReadonlyMap<string, Operation>;
}

/** The definition's operations, compiled once: matching a request is a few regular-expression tests. */
export class OperationTable {
  private constructor(
    private readonly paths: readonly CompiledPath[],
    readonly operations: readonly Operation[],
  ) {}

  /** True when the definition declares no operation: every path under the base path runs the assembly. */
  get isEmpty(): boolean {
    return this.paths.length === 0;
  }

  /**
   * The operation for a request path (after the base path) and verb. A literal segment wins over a
   * template (`/pets/mine` over `/pets/{id}`); path parameters are decoded.
   */
  match(path: string, verb: string): OperationMatch {
    const target = path === "" ? "/" : path;
    for (const p of this.paths) {
      const m = p.pattern.exec(target);
      if (!m) continue;
      const upper = verb.toUpperCase();
      // HEAD is GET without the body (RFC 9110 §9.3.2): where only GET is declared, HEAD runs GET's operation.
      const operation = p.byVerb.get(upper) ?? (upper === "HEAD" ? p.byVerb.get("GET") : undefined);
      if (!operation) return { kind: "no-verb", allowed: [...p.byVerb.keys()] };
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      p.names.forEach((name, i) => (params[name] = safeDecode(m[i + 1] ?? "")));
      return { kind: "found", operation, params };
    }
    return { kind: "no-path" };
  }

  /** Reads `paths` (OpenAPI 2 and 3), reporting malformed path templates and duplicate operationIds. */
  static read(paths: unknown, reader: ConfigReader): OperationTable {
    const compiled: CompiledPath[] = [];
    const operations: Operation[] = [];
    if (paths === undefined || paths === null) return new OperationTable(compiled, operations);
    const obj = reader.object(paths, "paths", "an object of path templates");
    if (!obj) return new OperationTable(compiled, operations);
    const ids = new Map<string, string>();
    for (const [template, rawItem] of Object.entries(obj)) {
      if (template.startsWith("x-")) continue; // OpenAPI extensions
      const at = child("paths", template);
      const item = reader.object(rawItem, at, "a path item (an object of operations)");
      if (!item) continue;
      const parsed = parseTemplatePath(template);
      if (typeof parsed === "string") {
        reader.report(at, parsed);
        continue;
      }
      const byVerb = new Map<string, Operation>();
      for (const verb of OPERATION_VERBS) {
        if (item[verb] === undefined) continue;
        const opAt = child(at, verb);
        const op = reader.object(item[verb], opAt, "an operation object");
        if (!op) continue;
        const id = typeof op.operationId === "string" && op.operationId !== "" ? op.operationId : undefined;
        if (id !== undefined) {
          const other = ids.get(id);
          if (other !== undefined) reader.report(child(opAt, "operationId"), `operationId '${id}' is also used by ${other}`);
          ids.set(id, opAt);
        }
        const operation: Operation = { path: template, verb: verb.toUpperCase(), id, definition: op, at: opAt };
        byVerb.set(operation.verb, operation);
        operations.push(operation);
      }
      compiled.push({ template, ...parsed, byVerb });
    }
    compiled.sort(bySpecificity);
    return new OperationTable(compiled, operations);
  }
}

/** `/a/{b}/c{d}.json` → a pattern with one group per parameter, or a message saying what is wrong. */
function parseTemplatePath(template: string): Pick<CompiledPath, "pattern" | "names" | "rank"> | string {
  if (!template.startsWith("/")) return `a path must start with '/', found '${template}'`;
  const names: string[] = [];
  const rank: number[] = [];
  const segments = template === "/" ? [""] : template.slice(1).replace(/\/$/, "").split("/");
  const parts: string[] = [];
  for (const segment of segments) {
    let source = "";
    let last = 0;
    let params = 0;
    for (const m of segment.matchAll(/\{([^{}]*)\}/g)) {
      const name = (m[1] ?? "").trim();
      if (name === "") return `empty parameter '{}' in path '${template}'`;
      if (names.includes(name)) return `parameter '{${name}}' appears twice in path '${template}'`;
      source += escapeRegExp(segment.slice(last, m.index)) + "([^/]+)";
      last = m.index + m[0].length;
      names.push(name);
      params++;
    }
    const tail = segment.slice(last);
    if (/[{}]/.test(tail) || /[{}]/.test(segment.replace(/\{[^{}]*\}/g, ""))) return `unbalanced '{' or '}' in path '${template}'`;
    source += escapeRegExp(tail);
    parts.push(source);
    rank.push(params === 0 ? 0 : params === 1 && segment.startsWith("{") && segment.endsWith("}") ? 2 : 1);
  }
  // A trailing slash in the request is tolerated, as in the template.
  return { pattern: new RegExp(`^/${parts.join("/")}/?$`), names, rank };
}

function bySpecificity(a: CompiledPath, b: CompiledPath): number {
  const n = Math.min(a.rank.length, b.rank.length);
  for (let i = 0; i < n; i++) {
    const d = (a.rank[i] as number) - (b.rank[i] as number);
    if (d !== 0) return d;
  }
  return b.rank.length - a.rank.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
