import type jsonataTypes from "jsonata";
import jsonata from "./jsonata-engine";
import { PolicyError } from "../assembly/errors";
import type { Context } from "../assembly/context";
import type { ConfigReader } from "../config/reader";
import type { Condition } from "./condition";
import { conditionValue, define, messageBodyData } from "./context-data";
import { extensionBindings, IBM_EXTENSIONS, IBM_UNSUPPORTED, SUPPORTED_FUNCTIONS, type IbmExtension } from "./jsonata-functions";

type Node = jsonataTypes.ExprNode;

/** What an expression reads, found once in its syntax tree at load. */
interface Reads {
  /** Dotted context-variable paths the expression navigates from the top (`message.body.metadata.code`). */
  paths: string[][];
  extensions: Set<IbmExtension>;
  functions: Map<string, number>;
  /** Names the expression binds itself (`$x := …`, lambda parameters): callable without being built-ins. */
  bound: Set<string>;
  readsBody: boolean;
}

/**
 * A DataPower API Gateway condition: JSONata (the `jsonata` package, an interpreter — no `eval`),
 * compiled once here. Context variables are read by name (`message.body.metadata.code = "TEST"`,
 * `plan.name = "default-plan"`, `myApi = 'summary'`); API Connect's functions (`$httpVerb()`, …) are bound
 * per request. A syntax error or a function API Connect does not offer fails the build with the expression.
 */
export function compileJsonataCondition(source: string, path: string, reader: ConfigReader): Condition | undefined {
  let expression: jsonataTypes.Expression;
  try {
    expression = jsonata(source);
  } catch (e) {
    const err = e as Partial<jsonataTypes.JsonataError>;
    reader.report(path, `JSONata syntax error at character ${err.position ?? 0}: ${err.message ?? "unreadable expression"} (${err.code ?? "?"}) in ${quote(source)}`);
    return undefined;
  }
  const reads: Reads = { paths: [], extensions: new Set(), functions: new Map(), bound: new Set(), readsBody: false };
  walk(expression.ast(), reads);
  let ok = true;
  for (const [name, position] of reads.functions) {
    if (SUPPORTED_FUNCTIONS.has(name) || reads.bound.has(name)) continue;
    ok = false;
    const why = Object.hasOwn(IBM_UNSUPPORTED, name) ? IBM_UNSUPPORTED[name] : "not a JSONata function nor one of API Connect's";
    reader.report(path, `unsupported function $${name}() at character ${position}: ${why}; in ${quote(source)}`);
  }
  if (!ok) return undefined;

  const paths = dedupe(reads.paths);
  const extensions = [...reads.extensions];
  const readsBody = reads.readsBody;
  return async (ctx) => {
    const body = readsBody ? await messageBodyData(ctx) : undefined;
    const input = inputFor(ctx, paths, body);
    let result: unknown;
    try {
      result = await expression.evaluate(input, extensions.length > 0 ? extensionBindings(extensions, ctx, input) : undefined);
    } catch (e) {
      // JSONata's messages can quote request data: only the error code goes to the log.
      const code = (e as Partial<jsonataTypes.JsonataError>).code ?? (e instanceof Error ? e.name : "error");
      throw new PolicyError("RuntimeError", `condition failed to evaluate (JSONata ${code}) at ${path}`);
    }
    return truthy(result);
  };
}

/**
 * The data an expression navigates, holding only what it reads: for each path, the value of its longest
 * defined prefix (`plan.name` set by set-variable, an object in `decoded.claims`, a property `myApi`).
 */
function inputFor(ctx: Context, paths: readonly string[][], body: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const built = new WeakSet<object>([root]);
  for (const steps of paths) {
    for (let n = steps.length; n > 0; n--) {
      const value = conditionValue(ctx, steps.slice(0, n).join("."), body);
      if (value === undefined) continue;
      place(root, steps.slice(0, n), value, built);
      break;
    }
  }
  return root;
}

/** Puts `value` at `steps`, creating containers of our own; never writes into a value the context holds. */
function place(root: Record<string, unknown>, steps: readonly string[], value: unknown, built: WeakSet<object>): void {
  let node: Record<string, unknown> = root;
  for (let i = 0; i < steps.length - 1; i++) {
    const key = steps[i] as string;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      built.add(created);
      define(node, key, created);
      node = created;
    } else if (next !== null && typeof next === "object" && built.has(next)) node = next as Record<string, unknown>;
    else return; // a real value is already there: the expression navigates into it
  }
  const last = steps[steps.length - 1] as string;
  if (!Object.hasOwn(node, last)) define(node, last, value);
}

function walk(node: unknown, reads: Reads): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, reads);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as Node & { body?: Node; condition?: Node; then?: Node; else?: Node; pattern?: Node; update?: Node; delete?: Node; predicate?: unknown; group?: unknown };
  if ((n.type === "function" || n.type === "partial") && n.procedure?.type === "variable") {
    const name = String(n.procedure.value);
    if (!reads.functions.has(name)) reads.functions.set(name, n.procedure.position ?? 0);
    if ((IBM_EXTENSIONS as readonly string[]).includes(name)) reads.extensions.add(name as IbmExtension);
  }
  const type: string = n.type;
  if (type === "bind" && n.lhs && !Array.isArray(n.lhs) && n.lhs.type === "variable") reads.bound.add(String(n.lhs.value));
  if (n.type === "lambda") for (const arg of n.arguments ?? []) if (arg.type === "variable") reads.bound.add(String(arg.value));
  if (type === "path" && n.steps) {
    collectPath(n.steps, reads);
    // A name step is part of this path, not a path of its own: only what hangs off it (predicates) is walked.
    for (const step of n.steps) walk(step.type === "name" ? withoutName(step) : step, reads);
    for (const [key, value] of Object.entries(n)) if (key !== "steps" && value !== null && typeof value === "object") walk(value, reads);
    return;
  }
  if (n.type === "name") collectPath([n], reads);
  for (const value of Object.values(n)) if (value !== null && typeof value === "object") walk(value, reads);
}

function withoutName(step: Node): Record<string, unknown> {
  const { type: _type, value: _value, ...rest } = step as Node & Record<string, unknown>;
  return rest;
}

/** The leading names of a path (`message.body.x`), also after `$`, `$$` or `$apiCtx()`. */
function collectPath(steps: readonly Node[], reads: Reads): void {
  let start = 0;
  const first = steps[0];
  if (first && ((first.type === "variable" && (first.value === "" || first.value === "$")) || (first.type === "function" && first.procedure?.value === "apiCtx"))) start = 1;
  const names: string[] = [];
  for (let i = start; i < steps.length; i++) {
    const step = steps[i] as Node & { predicate?: unknown; stages?: unknown };
    if (step.type !== "name") break;
    names.push(String(step.value));
    if (step.predicate !== undefined || step.stages !== undefined) break;
  }
  if (names.length === 0) return;
  reads.paths.push(names);
  if (names[0] === "message" && names[1] === "body") reads.readsBody = true;
  if (start === 1 && first?.type === "function") reads.readsBody ||= names[0] === "message" && names.length === 1;
}

function dedupe(paths: string[][]): string[][] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = p.join("\u0000");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** JSONata's `$boolean()` rules: a condition holds when its value casts to true. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "function") return false;
  if (Array.isArray(value)) return value.some(truthy);
  return Object.keys(value).length > 0;
}

function quote(source: string): string {
  return JSON.stringify(source.length > 200 ? `${source.slice(0, 200)}…` : source);
}
