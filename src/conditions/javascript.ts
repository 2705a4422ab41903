import type { Context } from "../assembly/context";
import { PolicyError } from "../assembly/errors";
import { stringify } from "../assembly/template";
import { codeId } from "../config/code";
import type { ConfigReader } from "../config/reader";
import type { ApiScope } from "../policies/policy";
import type { Condition } from "./condition";
import { messageBodyData } from "./context-data";

/**
 * The names a v5 condition reads variables through: `request.verb`, `api.operation.path`,
 * `message.status.code`, `apim.getvariable('name')`, and `$` for the `$(name)` form.
 */
const ROOTS = ["request", "message", "api", "client", "plan", "system", "env"] as const;
const PARAMETERS = [...ROOTS, "apim", "$"];

/** Dotted names that are objects to navigate into; any other name under a root is read with `ctx.get`. */
const NODES: ReadonlySet<string> = new Set([
  ...ROOTS,
  "request.headers",
  "request.parameters",
  "message.headers",
  "message.status",
  "api.operation",
  "api.properties",
  "api.endpoint",
  "api.org",
  "api.catalog",
  "client.app",
  "client.app.metadata",
  "client.org",
]);

type ConditionFunction = (...scope: unknown[]) => unknown;

/**
 * A DataPower Gateway (v5) condition: a JavaScript expression, as exports write it —
 * `((request.verb==='GET')&&(api.operation.path==='/ping'))`, `apim.getvariable('oidc-credential') !== undefined`,
 * `"$(message.status.code) == '200'"`. Workers refuse `eval`, so the build step (`scope.code`) checks the
 * syntax and writes the expression into the generated module as a function of the names above; here it is
 * only looked up. `$(name)` is the variable's text, as DataPower substitutes it before running the script.
 */
export function compileJavaScriptCondition(source: string, path: string, reader: ConfigReader, scope: ApiScope): Condition | undefined {
  const expression = substituteReferences(source.trim().replace(/;+\s*$/, ""));
  // The user's text starts on line 3 and the wrapper closes on the line after it, so the build
  // locates a syntax error within the expression (or "at the end of the code").
  const wrapped = `(function (${PARAMETERS.join(", ")}) {\n  return (\n${expression}\n); })`;
  const before = reader.problems.length;
  const fn = scope.code.compile(codeId(scope.file, path), wrapped, path, reader, 3) as ConditionFunction | undefined;
  if (!fn) {
    for (const problem of reader.problems.slice(before)) if (problem.path === path) problem.message += ` in ${quote(source)}`;
    return undefined;
  }
  const readsBody = /message\s*\.\s*body|['"]message\.body/.test(source);
  const run = (ctx: Context, body: unknown): boolean => {
    try {
      return Boolean(fn(...scopeFor(ctx, body)));
    } catch (e) {
      // The error's message could quote request data: only its class goes to the log.
      throw new PolicyError("JavaScriptError", `condition threw ${e instanceof Error ? e.name : typeof e} at ${path}`);
    }
  };
  return readsBody ? async (ctx) => run(ctx, await messageBodyData(ctx)) : (ctx) => run(ctx, ctx.get("message.body"));
}

/** The arguments the compiled function receives: one navigable object per root, `apim`, and `$`. */
function scopeFor(ctx: Context, body: unknown): unknown[] {
  const read = (name: string) => (name === "message.body" ? body : ctx.get(name));
  const nodes = new Map<string, object>();
  const node = (prefix: string): object => {
    let proxy = nodes.get(prefix);
    if (!proxy) {
      proxy = new Proxy(Object.create(null) as object, {
        get(_target, key) {
          if (typeof key !== "string") return undefined;
          const name = `${prefix}.${key}`;
          return NODES.has(name) ? node(name) : read(name);
        },
        has: (_target, key) => typeof key === "string" && (NODES.has(`${prefix}.${key}`) || read(`${prefix}.${key}`) !== undefined),
        set: () => false,
      });
      nodes.set(prefix, proxy);
    }
    return proxy;
  };
  const apim = Object.freeze({ getvariable: (name: unknown) => (typeof name === "string" ? read(name) : undefined) });
  const text = (name: string) => stringify(read(name));
  return [...ROOTS.map(node), apim, text];
}

/**
 * `$(name)` → `$("name")`, the variable's text. Inside a quoted string the call is spliced into the
 * string (`'$(a)-x'` → `'' + $("a") + '-x'`), as DataPower substitutes before the script runs.
 */
export function substituteReferences(source: string): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (quote !== undefined && c === "\\") {
      out += c + (source[i + 1] ?? "");
      i++;
      continue;
    }
    const ref = c === "$" && source[i + 1] === "(" ? /^\$\(([^()]*)\)/.exec(source.slice(i)) : null;
    if (ref) {
      const call = `$(${JSON.stringify((ref[1] ?? "").trim())})`;
      out += quote === undefined ? call : quote === "`" ? `\${${call}}` : `${quote} + ${call} + ${quote}`;
      i += ref[0].length - 1;
      continue;
    }
    if (quote === undefined && (c === "'" || c === '"' || c === "`")) quote = c;
    else if (c === quote) quote = undefined;
    out += c;
  }
  return out;
}

function quote(source: string): string {
  return JSON.stringify(source.length > 200 ? `${source.slice(0, 200)}…` : source);
}
