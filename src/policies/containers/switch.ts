import { runSteps } from "../../assembly/run";
import type { Context } from "../../assembly/context";
import { child } from "../../config/problems";
import { compileCondition, type Condition } from "../../conditions/condition";
import type { Operation } from "../../routing/operations";
import type { Policy, PolicyCompiler } from "../policy";
import { titleOf } from "../policy";
import { LABELS, readCases } from "./branches";
import { resolveOperation } from "./operation-switch";

interface Case {
  /** The condition, or — in v5 exports, where a switch case may name operations — the operations it selects. */
  test: Condition | ReadonlySet<Operation>;
  execute: readonly Policy[];
}

/**
 * `switch`: runs the branch of the first case whose condition holds, else `otherwise`. Conditions are
 * JSONata or JavaScript by the API's gateway (src/conditions/condition.ts), compiled once at load.
 */
export const compileSwitch: PolicyCompiler = (config, path, reader, scope) => {
  reader.keys(config, path, { known: ["case", "otherwise"], inert: LABELS });
  const { cases: raw, otherwise, ok } = readCases(config, path, reader, scope);
  const cases: Case[] = [];
  let valid = ok;
  for (const { raw: entryRaw, at } of raw) {
    const entry = reader.object(entryRaw, at, "a case ({condition: …, execute: [...]})");
    if (!entry) {
      valid = false;
      continue;
    }
    reader.keys(entry, at, { known: ["condition", "operations", "execute"] });
    const execute = scope.compileSteps(entry.execute ?? [], child(at, "execute"), reader);
    let test: Case["test"] | undefined;
    if (entry.operations !== undefined && entry.condition === undefined) {
      const list = reader.array(entry.operations, child(at, "operations"), "a list of operations (operationIds or {verb, path})") ?? [];
      const ops = list.map((ref, i) => resolveOperation(ref, child(child(at, "operations"), i), reader, scope.operations));
      if (ops.every((op) => op !== undefined)) test = new Set(ops as Operation[]);
    } else if (entry.operations !== undefined) reader.report(at, "a case has either a condition or operations, not both");
    else test = compileCondition(entry, "condition", at, reader, scope);
    if (!test || !execute) valid = false;
    else cases.push({ test, execute });
  }
  if (!valid) return undefined;
  const fallback = otherwise ?? [];
  return {
    kind: "switch",
    title: titleOf(config, "switch"),
    async run(ctx) {
      for (const c of cases) {
        if (await holds(c.test, ctx)) return runSteps(c.execute, ctx);
      }
      if (fallback.length > 0) await runSteps(fallback, ctx);
    },
  };
};

function holds(test: Case["test"], ctx: Context): boolean | Promise<boolean> {
  if (typeof test === "function") return test(ctx);
  return ctx.operation !== undefined && test.has(ctx.operation);
}

/** `if`: runs `execute` when the condition holds. */
export const compileIf: PolicyCompiler = (config, path, reader, scope) => {
  reader.keys(config, path, { known: ["condition", "execute"], inert: LABELS });
  const condition = compileCondition(config, "condition", path, reader, scope);
  const execute = scope.compileSteps(config.execute ?? [], child(path, "execute"), reader);
  if (!condition || !execute) return undefined;
  return {
    kind: "if",
    title: titleOf(config, "if"),
    async run(ctx) {
      if (await condition(ctx)) await runSteps(execute, ctx);
    },
  };
};
