import { runSteps } from "../../assembly/run";
import { child } from "../../config/problems";
import { describe, type ConfigReader } from "../../config/reader";
import type { Operation, OperationTable } from "../../routing/operations";
import type { Policy, PolicyCompiler } from "../policy";
import { titleOf } from "../policy";
import { LABELS, readCases } from "./branches";

/**
 * `operation-switch`: runs the branch of the case that lists the request's operation, else
 * `otherwise`. A case lists operations by operationId (`- getPet`) or as `{verb, path}` with the
 * path template as written in `paths` — both occur in API Connect exports. Each operation is
 * resolved against the definition's `paths` at load, so a request costs one map lookup.
 */
export const compileOperationSwitch: PolicyCompiler = (config, path, reader, scope) => {
  reader.keys(config, path, { known: ["case", "otherwise"], inert: LABELS });
  const { cases, otherwise, ok } = readCases(config, path, reader, scope);
  const branchOf = new Map<Operation, readonly Policy[]>();
  const caseOf = new Map<Operation, string>();
  let valid = ok;
  for (const { raw, at } of cases) {
    const entry = reader.object(raw, at, "a case ({operations: [...], execute: [...]})");
    if (!entry) {
      valid = false;
      continue;
    }
    reader.keys(entry, at, { known: ["operations", "execute"] });
    const operations = reader.array(entry.operations, child(at, "operations"), "a list of operations (operationIds or {verb, path})") ?? [];
    const execute = scope.compileSteps(entry.execute ?? [], child(at, "execute"), reader);
    if (!execute) valid = false;
    operations.forEach((ref, i) => {
      const refAt = child(child(at, "operations"), i);
      const operation = resolveOperation(ref, refAt, reader, scope.operations);
      if (!operation) {
        valid = false;
        return;
      }
      const earlier = caseOf.get(operation);
      if (earlier !== undefined) {
        reader.warn(refAt, `${operation.verb} ${operation.path} is already listed at ${earlier}; the first case wins`);
        return;
      }
      caseOf.set(operation, refAt);
      if (execute) branchOf.set(operation, execute);
    });
  }
  if (!valid) return undefined;
  const fallback = otherwise ?? [];
  return {
    kind: "operation-switch",
    title: titleOf(config, "operation-switch"),
    run(ctx) {
      const branch = (ctx.operation && branchOf.get(ctx.operation)) ?? fallback;
      return branch.length === 0 ? undefined : runSteps(branch, ctx);
    },
  };
};

/** An operationId, or `{verb, path}`, as the operation it names in `paths`; reports what does not exist. */
export function resolveOperation(ref: unknown, at: string, reader: ConfigReader, table: OperationTable): Operation | undefined {
  const all = table.operations;
  if (all.length === 0) {
    reader.report(at, "this case selects operations, but the definition declares none under 'paths'");
    return undefined;
  }
  if (typeof ref === "string") {
    const found = all.find((op) => op.id === ref);
    if (!found) {
      const ids = all.flatMap((op) => (op.id === undefined ? [] : [op.id]));
      reader.report(at, `no operation has operationId '${ref}'${ids.length > 0 ? `; operationIds: ${ids.join(", ")}` : " (no operation declares an operationId)"}`);
    }
    return found;
  }
  const obj = reader.object(ref, at, "an operationId or {verb, path}");
  if (!obj) return undefined;
  reader.keys(obj, at, { known: ["verb", "path"] });
  const verb = reader.string(obj, "verb", at, { required: true });
  const path = reader.string(obj, "path", at, { required: true });
  if (verb === undefined || path === undefined) return undefined;
  const onPath = all.filter((op) => op.path === path);
  if (onPath.length === 0) {
    reader.report(child(at, "path"), `no path ${describe(path)} under 'paths'; paths: ${[...new Set(all.map((op) => op.path))].join(", ")}`);
    return undefined;
  }
  const found = onPath.find((op) => op.verb === verb.toUpperCase());
  if (!found) reader.report(child(at, "verb"), `path '${path}' declares no ${verb.toUpperCase()} operation; it declares ${onPath.map((op) => op.verb).join(", ")}`);
  return found;
}
