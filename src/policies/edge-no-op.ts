import { LABELS } from "./containers/branches";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

/**
 * Policies that only configure API Connect's own machinery (analytics) and do nothing at the edge: accepted
 * with a build warning naming them. IBM: `log` (rapim_ref_ootb_policylog) gathers and sends analytics data.
 */
export const compileEdgeNoOp =
  (kind: string, known: readonly string[], why: string): PolicyCompiler =>
  (config, path, reader) => {
    reader.keys(config, path, { known, inert: LABELS });
    reader.warn(path, `policy '${kind}' does nothing at the edge: ${why}`);
    return { kind, title: titleOf(config, kind), run() {} };
  };
