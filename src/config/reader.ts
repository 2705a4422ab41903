import { child, closest, type Problem } from "./problems";
import { parseTemplate, templateProblem, type Template } from "../assembly/template";

/** What `keys()` accepts in an object besides the keys it implements. */
export interface KeySpec {
  /** Keys that are implemented. */
  known: readonly string[];
  /**
   * Keys API Connect documents that do nothing at the edge: accepted with a warning that says why
   * (key → reason). A reason of `""` accepts the key silently (labels such as `title`).
   */
  inert?: Readonly<Record<string, string>>;
}

/**
 * Reads one definition while collecting problems, so a build reports every
 * problem at once instead of stopping at the first.
 */
export class ConfigReader {
  readonly problems: Problem[] = [];
  /** Located warnings: accepted, but the user should know (e.g. a property that does nothing here). */
  readonly warnings: Problem[] = [];
  constructor(
    readonly file: string,
    private readonly lines?: ReadonlyMap<string, number>,
  ) {}

  report(path: string, message: string): void {
    this.problems.push({ file: this.file, path, message, line: this.lineOf(path) });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ file: this.file, path, message, line: this.lineOf(path) });
  }

  /** The line of `path`, or of its nearest parent that has one. */
  lineOf(path: string): number | undefined {
    if (!this.lines) return undefined;
    for (let p = path; ; ) {
      const line = this.lines.get(p);
      if (line !== undefined) return line;
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (cut <= 0) return undefined;
      p = p.slice(0, cut);
    }
  }

  /**
   * Strictness: every key of `obj` must be implemented or documented-inert. An unknown key (a typo such as
   * `exectue` or `exp-claims`) is a problem with a "did you mean" hint; an inert one is a warning.
   * Returns false when some key was unknown.
   */
  keys(obj: Record<string, unknown>, path: string, spec: KeySpec): boolean {
    let ok = true;
    const inert = spec.inert ?? {};
    for (const key of Object.keys(obj)) {
      if (spec.known.includes(key)) continue;
      if (Object.hasOwn(inert, key)) {
        const why = inert[key] as string;
        if (why !== "") this.warn(child(path, key), `accepted but not applied at the edge: ${why}`);
        continue;
      }
      ok = false;
      const guess = closest(key, [...spec.known, ...Object.keys(inert)]);
      const hint = guess ? `; did you mean '${guess}'?` : `; expected one of ${[...spec.known, ...Object.keys(inert)].join(", ")}`;
      this.report(child(path, key), `unknown property '${key}'${hint}`);
    }
    return ok;
  }

  /** A string property holding a `$(…)` template, parsed once; a malformed reference is a problem with the fix. */
  template(obj: Record<string, unknown>, key: string, path: string, opts: { required?: boolean; fallback?: string } = {}): Template | undefined {
    const text = this.string(obj, key, path, opts);
    if (text === undefined) return undefined;
    return this.parseTemplate(text, child(path, key));
  }

  /** Parses template text found at `at`, reporting a malformed `$(` reference there. */
  parseTemplate(text: string, at: string): Template | undefined {
    const problem = templateProblem(text);
    if (problem) {
      this.report(at, problem);
      return undefined;
    }
    return parseTemplate(text);
  }

  object(value: unknown, path: string, what = "an object"): Record<string, unknown> | undefined {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    this.report(path, `expected ${what}, found ${describe(value)}`);
    return undefined;
  }

  array(value: unknown, path: string, what = "a list"): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    this.report(path, `expected ${what}, found ${describe(value)}`);
    return undefined;
  }

  string(obj: Record<string, unknown>, key: string, path: string, opts: { required?: boolean; fallback?: string; maxLength?: number } = {}): string | undefined {
    const value = obj[key];
    const at = child(path, key);
    if (value === undefined || value === null) {
      if (opts.required) this.report(at, "is required");
      return opts.fallback;
    }
    if (typeof value !== "string") {
      this.report(at, `expected a string, found ${describe(value)}`);
      return undefined;
    }
    if (opts.required && value.trim() === "") this.report(at, "must not be empty");
    if (opts.maxLength !== undefined && value.length > opts.maxLength) {
      this.report(at, `must be at most ${opts.maxLength} characters, found ${value.length}`);
    }
    return value;
  }

  integer(obj: Record<string, unknown>, key: string, path: string, opts: { min: number; max: number; fallback?: number; required?: boolean }): number | undefined {
    const value = obj[key];
    const at = child(path, key);
    if (value === undefined || value === null) {
      if (opts.required && opts.fallback === undefined) this.report(at, "is required");
      return opts.fallback;
    }
    // API Connect's editor sometimes writes numbers as strings ("3600").
    const n = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      this.report(at, `expected a whole number from ${opts.min} to ${opts.max}, found ${describe(value)}`);
      return undefined;
    }
    if (n < opts.min || n > opts.max) {
      this.report(at, `expected a whole number from ${opts.min} to ${opts.max}, found ${n}`);
      return undefined;
    }
    return n;
  }

  number(obj: Record<string, unknown>, key: string, path: string, opts: { min: number; max: number; fallback: number }): number {
    const value = obj[key];
    const at = child(path, key);
    if (value === undefined || value === null) return opts.fallback;
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n) || n < opts.min || n > opts.max) {
      this.report(at, `expected a number from ${opts.min} to ${opts.max}, found ${describe(value)}`);
      return opts.fallback;
    }
    return n;
  }

  boolean(obj: Record<string, unknown>, key: string, path: string, fallback: boolean): boolean {
    const value = obj[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    this.report(child(path, key), `expected true or false, found ${describe(value)}`);
    return fallback;
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, path: string, allowed: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const value = this.string(obj, key, path, { required: opts.required });
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.report(child(path, key), `expected one of ${allowed.join(", ")}, found ${JSON.stringify(value)}`);
    return undefined;
  }
}

/** A short description of a value for error messages; never the value itself when it is long. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
