import type { Context } from "../assembly/context";
import type { CodeHost } from "../config/code";
import type { ConfigReader } from "../config/reader";
import type { OperationTable } from "../routing/operations";

/** A policy made from validated configuration: it reads and writes the context, or throws a PolicyError. */
export interface Policy {
  /** The policy's kind, e.g. `jwt-generate`. */
  readonly kind: string;
  /** Its title, or the kind: names it in log lines. */
  readonly title: string;
  run(ctx: Context): void | Promise<void>;
}

/** What a policy compiler knows of the API it belongs to. */
export interface ApiScope {
  file: string;
  name: string;
  /** Warnings at load time (for example a deprecated algorithm), logged once per API. */
  warnings: string[];
  /** Compiled functions for code in the definition (see src/config/code.ts). */
  code: CodeHost;
  /** The definition's operations (`paths`), read before the assembly. */
  operations: OperationTable;
  /**
   * `x-ibm-configuration.gateway`: the condition language of `switch` and `if` follows it —
   * JSONata on `datapower-api-gateway`, JavaScript on `datapower-gateway` (v5 compatible) or when unset.
   */
  gateway: GatewayType;
  /** Compiles a container's branch (a list of policies) exactly like the top level: see src/config/assembly.ts. */
  compileSteps(value: unknown, path: string, reader: ConfigReader): Policy[] | undefined;
  /** Error names `throw` policies of this API raise (filled while compiling; a catch may name them). */
  raisedNames?: Set<string>;
  /** Policy kinds this API uses, at any depth (filled while compiling). */
  policyKinds?: Set<string>;
  /** Crypto objects this API signs with (jws-crypto), and the algorithm: what the JWKS publishes (src/http/jwks.ts). */
  signingKeys?: Map<string, string>;
}

export const GATEWAY_TYPES = ["datapower-api-gateway", "datapower-gateway", "micro-gateway"] as const;
export type GatewayType = (typeof GATEWAY_TYPES)[number];

/**
 * Validates one policy's configuration (reporting problems on `reader` at `path`)
 * and, when it is valid, returns the policy ready to run. Runs once per API, never per request.
 */
export type PolicyCompiler = (
  config: Record<string, unknown>,
  path: string,
  reader: ConfigReader,
  scope: ApiScope,
) => Policy | undefined;

export function titleOf(config: Record<string, unknown>, kind: string): string {
  return typeof config.title === "string" && config.title.trim() !== "" ? config.title : kind;
}
