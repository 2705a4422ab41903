import { child } from "../../config/problems";
import type { ConfigReader } from "../../config/reader";
import type { ApiScope, Policy } from "../policy";

/** The labels every container may carry, which do nothing at run time. */
export const LABELS = { version: "", title: "", description: "" } as const;

export interface CaseList {
  /** The `case` entries that are real cases (an `- otherwise:` entry is taken out). */
  cases: { raw: unknown; at: string }[];
  /** The `otherwise` branch, when there is one. */
  otherwise: Policy[] | undefined;
  ok: boolean;
}

/**
 * Reads a container's `case` list and its `otherwise` branch. API Connect exports write `otherwise`
 * either as the container's own property or as the last `case` entry (`- otherwise: [...]`); both
 * are read, and giving it twice is a problem.
 */
export function readCases(config: Record<string, unknown>, path: string, reader: ConfigReader, scope: ApiScope): CaseList {
  const casePath = child(path, "case");
  const list = reader.array(config.case, casePath, "a list of cases") ?? [];
  let ok = Array.isArray(config.case);
  const cases: CaseList["cases"] = [];
  let otherwise: Policy[] | undefined;
  let otherwiseAt: string | undefined;
  const readOtherwise = (value: unknown, at: string) => {
    if (otherwiseAt !== undefined) {
      reader.report(at, `'otherwise' is given twice (also at ${otherwiseAt})`);
      ok = false;
      return;
    }
    otherwiseAt = at;
    otherwise = scope.compileSteps(value, at, reader);
    if (!otherwise) ok = false;
  };
  list.forEach((raw, i) => {
    const at = child(casePath, i);
    if (raw !== null && typeof raw === "object" && Object.hasOwn(raw, "otherwise")) {
      reader.keys(raw as Record<string, unknown>, at, { known: ["otherwise"] });
      if (i !== list.length - 1) {
        reader.report(at, "'otherwise' must be the last case");
        ok = false;
      }
      readOtherwise((raw as Record<string, unknown>).otherwise, child(at, "otherwise"));
    } else cases.push({ raw, at });
  });
  if (config.otherwise !== undefined) readOtherwise(config.otherwise, child(path, "otherwise"));
  return { cases, otherwise, ok };
}
