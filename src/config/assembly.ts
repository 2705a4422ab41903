import type { CatchClause, CompiledAssembly } from "../assembly/api";
import type { ApiScope, Policy } from "../policies/policy";
import { POLICY_COMPILERS } from "../policies/registry";
import { child } from "./problems";
import { describe, type ConfigReader } from "./reader";
import { ASSEMBLY_KEYS, ASSEMBLY_UNSUPPORTED, CATCH_ENTRY_KEYS } from "./ibm-keys";
import type { CatchNames } from "./strict";

/**
 * Compiles a list of policies — the top level's `execute`, a catch's, or a branch of a container
 * (`switch`, `if`, `operation-switch`) — with the same rules everywhere, so a branch is validated
 * and located exactly like the top level. Containers reach it through `scope.compileSteps`.
 */
export function compileSteps(value: unknown, path: string, reader: ConfigReader, scope: ApiScope): Policy[] | undefined {
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
    scope.policyKinds?.add(kind);
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

/** An assembly: `execute` and its `catch` entries. */
export function compileAssembly(
  assembly: Record<string, unknown>,
  path: string,
  reader: ConfigReader,
  scope: ApiScope,
  catchNames: CatchNames[] = [],
): CompiledAssembly | undefined {
  for (const [key, why] of Object.entries(ASSEMBLY_UNSUPPORTED)) if (Object.hasOwn(assembly, key)) reader.report(child(path, key), why);
  const rest = Object.fromEntries(Object.entries(assembly).filter(([k]) => !Object.hasOwn(ASSEMBLY_UNSUPPORTED, k)));
  reader.keys(rest, path, ASSEMBLY_KEYS);
  const execute = compileSteps(assembly.execute ?? [], child(path, "execute"), reader, scope);
  const catches: CatchClause[] = [];
  if (assembly.catch !== undefined) {
    const list = reader.array(assembly.catch, child(path, "catch"), "a list of catch entries") ?? [];
    list.forEach((raw, i) => {
      const at = child(child(path, "catch"), i);
      const entry = reader.object(raw, at, "a catch entry ({errors: [...], execute: [...]} or {default: [...]})");
      if (!entry) return;
      reader.keys(entry, at, CATCH_ENTRY_KEYS);
      if (entry.default !== undefined) {
        if (entry.errors !== undefined || entry.execute !== undefined) reader.report(at, "a catch entry is either {errors: [...], execute: [...]} or {default: [...]}, not both");
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
      catchNames.push({ path: child(at, "errors"), names: names.map((n) => ({ name: n, index: (errors ?? []).indexOf(n) })) });
      if (errors && steps) catches.push({ errors: new Set(names), execute: steps });
    });
  }
  return execute ? { execute, catches } : undefined;
}
