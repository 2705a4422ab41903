import type { VariableReader } from "./context";

/**
 * A `$(name)` template, split once at load time into literal text and variable names.
 * API Connect's rule for a variable that is not defined: it resolves to the empty string.
 */
export interface Template {
  /** The source text, for messages. */
  readonly source: string;
  /** Literal pieces; `names[i]` stands between `literals[i]` and `literals[i + 1]`. */
  readonly literals: readonly string[];
  readonly names: readonly string[];
}

const REFERENCE = /\$\(([^()]*)\)/g;

export function parseTemplate(source: string): Template {
  const literals: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of source.matchAll(REFERENCE)) {
    literals.push(source.slice(last, m.index));
    names.push((m[1] ?? "").trim());
    last = m.index + m[0].length;
  }
  literals.push(source.slice(last));
  return { source, literals, names };
}

/**
 * What is wrong with the `$(` references of `source`, with the fix, or undefined when they are well formed.
 * The build calls this wherever it parses a template, so a typo such as `$(target-url` fails there instead of
 * resolving to something else at run time.
 */
export function templateProblem(source: string): string | undefined {
  for (let at = source.indexOf("$("); at >= 0; at = source.indexOf("$(", at + 2)) {
    const close = source.indexOf(")", at + 2);
    const open = source.indexOf("(", at + 2);
    const shown = JSON.stringify(source.slice(at, Math.min(source.length, at + 30)));
    if (close < 0) return `unterminated reference at ${shown}: write $(NAME), closing it with ')'`;
    if (open >= 0 && open < close) return `a reference cannot contain '(' at ${shown}: write $(NAME), one variable name between '$(' and ')'`;
    if (source.slice(at + 2, close).trim() === "") return `empty reference '$()': write $(NAME) with a variable name`;
  }
  return undefined;
}

/** True when the template is exactly one reference, e.g. `$(jws.jwk)`: its raw value can be kept. */
export function isSingleReference(t: Template): boolean {
  return t.names.length === 1 && t.literals[0] === "" && t.literals[1] === "";
}

/** Text form of a variable's value inside a template. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? "";
}

export function renderTemplate(t: Template, vars: VariableReader): string {
  if (t.names.length === 0) return t.source;
  let out = t.literals[0] ?? "";
  for (let i = 0; i < t.names.length; i++) {
    out += stringify(vars.get(t.names[i] as string)) + (t.literals[i + 1] ?? "");
  }
  return out;
}
