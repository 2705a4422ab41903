import { parse, type Node } from "acorn";
import type { CodeOptions } from "../src/config/code";

/** A located problem in a piece of code: 1-based line and column within the whole source. */
export interface CodeProblem {
  line: number;
  column: number;
  message: string;
}

export type Analysis = { ok: true; source: string } | { ok: false; problem: CodeProblem };

interface AnyNode extends Node {
  [key: string]: unknown;
}

const isNode = (v: unknown): v is AnyNode => v !== null && typeof v === "object" && typeof (v as { type?: unknown }).type === "string";

const FUNCTIONS = new Set(["FunctionExpression", "FunctionDeclaration", "ArrowFunctionExpression"]);

/** Each child node of `node`, in source order. */
function* children(node: AnyNode): Generator<AnyNode> {
  for (const key of Object.keys(node)) {
    if (key === "type" || key === "loc" || key === "start" || key === "end") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield item;
    } else if (isNode(value)) yield value;
  }
}

/** Names bound by a declaration pattern or assigned by an assignment pattern (`a`, `{a, b: [c]}`, `...d`). */
function patternNames(pattern: AnyNode, out: Set<string>): void {
  switch (pattern.type) {
    case "Identifier":
      out.add(pattern.name as string);
      return;
    case "ObjectPattern":
      for (const p of pattern.properties as AnyNode[]) patternNames(p.type === "RestElement" ? p : (p.value as AnyNode), out);
      return;
    case "ArrayPattern":
      for (const e of pattern.elements as (AnyNode | null)[]) if (e) patternNames(e, out);
      return;
    case "RestElement":
      patternNames(pattern.argument as AnyNode, out);
      return;
    case "AssignmentPattern":
      patternNames(pattern.left as AnyNode, out);
      return;
  }
}

/**
 * Names the function declares in its own scope: parameters, `var`s anywhere outside nested functions
 * (they hoist), and its top-level function, class, `let` and `const` declarations.
 */
function declaredIn(fn: AnyNode): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params as AnyNode[]) patternNames(p, names);
  const body = fn.body as AnyNode;
  for (const statement of body.body as AnyNode[]) {
    if ((statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") && statement.id) {
      names.add((statement.id as AnyNode).name as string);
    }
    if (statement.type === "VariableDeclaration") for (const d of statement.declarations as AnyNode[]) patternNames(d.id as AnyNode, names);
  }
  const vars = (node: AnyNode): void => {
    if (node.type === "VariableDeclaration" && node.kind === "var") for (const d of node.declarations as AnyNode[]) patternNames(d.id as AnyNode, names);
    for (const c of children(node)) if (!FUNCTIONS.has(c.type)) vars(c);
  };
  vars(body);
  return names;
}

/** Every name the code assigns anywhere (`x = …`, `x += …`, `x++`, `for (x in …)`, `[x, y] = …`). */
function assignedNames(root: AnyNode): Set<string> {
  const names = new Set<string>();
  const visit = (node: AnyNode): void => {
    if (node.type === "AssignmentExpression") patternNames(node.left as AnyNode, names);
    else if (node.type === "UpdateExpression") patternNames(node.argument as AnyNode, names);
    else if ((node.type === "ForInStatement" || node.type === "ForOfStatement") && (node.left as AnyNode).type !== "VariableDeclaration") {
      patternNames(node.left as AnyNode, names);
    }
    for (const c of children(node)) visit(c);
  };
  visit(root);
  return names;
}

/** Every `require(…)` call: its module name when the argument is a literal string. */
function requireCalls(root: AnyNode): { name: string | undefined; node: AnyNode }[] {
  const calls: { name: string | undefined; node: AnyNode }[] = [];
  const visit = (node: AnyNode): void => {
    if (node.type === "CallExpression" && (node.callee as AnyNode).type === "Identifier" && (node.callee as AnyNode).name === "require") {
      const [arg] = node.arguments as AnyNode[];
      calls.push({ name: arg?.type === "Literal" && typeof arg.value === "string" ? arg.value : undefined, node });
    }
    for (const c of children(node)) visit(c);
  };
  visit(root);
  return calls;
}

/**
 * Parses `source` (one function expression) as strict code, checks it against `options`, and returns
 * the text to bundle: the same text, with `var NAME;` added at the top of the function body for each
 * name the code assigns without declaring, when `options.declareAssigned` asks for it.
 */
export function analyzeCode(source: string, options: CodeOptions = {}): Analysis {
  let program: AnyNode;
  try {
    // An ES module is strict, as the generated module that will hold this code is.
    program = parse(source, { ecmaVersion: "latest", sourceType: "module", locations: true }) as unknown as AnyNode;
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const loc = err.loc ?? { line: 1, column: 0 };
    return { ok: false, problem: { line: loc.line, column: loc.column + 1, message: err.message.replace(/\s*\(\d+:\d+\)$/, "") } };
  }
  const body = program.body as AnyNode[];
  const only = body.length === 1 && body[0]?.type === "ExpressionStatement" ? (body[0].expression as AnyNode) : undefined;
  if (!only || !FUNCTIONS.has(only.type)) {
    const second = body[1] ?? body[0];
    const loc = (second?.loc as { start: { line: number; column: number } } | undefined)?.start ?? { line: 1, column: 0 };
    return { ok: false, problem: { line: loc.line, column: loc.column + 1, message: "unexpected code after the end of the script (a '}' too many?)" } };
  }

  if (options.modules) {
    for (const call of requireCalls(only)) {
      if (call.name !== undefined && options.modules.includes(call.name)) continue;
      const start = (call.node.loc as { start: { line: number; column: number } }).start;
      const message =
        call.name === undefined
          ? "require() needs the module's name as a literal string, so the build can check it"
          : `module '${call.name}' is not available here; supported: ${options.modules.join(", ")}`;
      return { ok: false, problem: { line: start.line, column: start.column + 1, message } };
    }
  }

  if (!options.declareAssigned) return { ok: true, source };
  const declared = declaredIn(only);
  const missing = [...assignedNames(only)].filter((name) => !declared.has(name));
  if (missing.length === 0) return { ok: true, source };
  // Inserted right after the body's `{`, on the same line, so every line keeps its number.
  const at = (only.body as AnyNode).start + 1;
  return { ok: true, source: `${source.slice(0, at)} var ${missing.join(", ")};${source.slice(at)}` };
}
