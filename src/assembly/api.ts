import type { Policy } from "../policies/policy";

/** One `catch` entry: the error names it handles (or every error, for `default`) and what it runs. */
export interface CatchClause {
  errors: ReadonlySet<string> | "default";
  execute: readonly Policy[];
}

export interface CompiledAssembly {
  execute: readonly Policy[];
  catches: readonly CatchClause[];
}

/** An API definition after validation: everything a request needs, computed once. */
export interface CompiledApi {
  file: string;
  name: string;
  version: string;
  title: string;
  /** Normalized: starts with `/`, no trailing `/` (the root is `""`). */
  basePath: string;
  /** `x-ibm-configuration.properties.NAME.value`, on a prototype-less object. */
  properties: Readonly<Record<string, unknown>>;
  assembly: CompiledAssembly;
}
