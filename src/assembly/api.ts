import type { ApiProperties } from "../config/catalogs";
import type { Policy } from "../policies/policy";
import type { OperationTable } from "../routing/operations";
import type { ApiSecurity } from "../security/plan";

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
  /** `x-ibm-configuration.properties`, with each catalog's overrides merged (src/config/catalogs.ts). */
  properties: ApiProperties;
  /** The definition's `paths`; when empty, every path under the base path runs the assembly. */
  operations: OperationTable;
  assembly: CompiledAssembly;
  /** `x-ibm-configuration.cors.enabled`: answer preflights and add CORS headers (src/http/cors.ts). */
  cors: boolean;
  /** The definition's security requirements, per operation (set by the compiler; absent means open). */
  security?: ApiSecurity;
  /** Crypto objects its jwt-generate policies sign with (name → jws-alg), at any depth: published by the JWKS. */
  signingKeys?: ReadonlyMap<string, string>;
}
