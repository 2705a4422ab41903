import type { CompiledAssembly } from "./api";
import type { Context } from "./context";
import { PolicyError } from "./errors";
import { logError } from "./log";
import type { Policy } from "../policies/policy";

/** Runs policies in order; a failure names the policy that raised it. Containers run their branch with it. */
export async function runSteps(steps: readonly Policy[], ctx: Context): Promise<void> {
  for (const policy of steps) {
    ctx.currentPolicy = policy.title;
    try {
      await policy.run(ctx);
    } catch (e) {
      const error = asPolicyError(e);
      error.policy ??= policy.title;
      throw error;
    }
  }
}

/** Anything a policy throws becomes a named PolicyError; a bug is a RuntimeError whose detail is only its class. */
function asPolicyError(e: unknown): PolicyError {
  if (e instanceof PolicyError) return e;
  const kind = e instanceof Error ? e.name : typeof e;
  return new PolicyError("RuntimeError", `internal error (${kind})`);
}

/**
 * Runs the assembly's `execute`, and on a failure the first `catch` entry that names the
 * error (or `default`). Throws the PolicyError when no entry handles it, or when the catch fails.
 */
export async function runAssembly(assembly: CompiledAssembly, ctx: Context): Promise<void> {
  try {
    await runSteps(assembly.execute, ctx);
  } catch (e) {
    const error = e as PolicyError;
    const clause = assembly.catches.find((c) => c.errors === "default" || c.errors.has(error.errorName));
    logError({ api: ctx.api.name, policy: error.policy ?? "", error: error.errorName, message: error.message, caught: clause !== undefined });
    if (!clause) throw error;
    ctx.setErrorVariables(error);
    ctx.message.status = error.status;
    ctx.message.reason = error.reason;
    try {
      await runSteps(clause.execute, ctx);
    } catch (inner) {
      const innerError = inner as PolicyError;
      logError({ api: ctx.api.name, policy: innerError.policy ?? "", error: innerError.errorName, message: innerError.message, caught: false });
      throw innerError;
    }
  }
}
