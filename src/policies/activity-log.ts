import { logActivity } from "../assembly/log";
import { LABELS } from "./containers/branches";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

const CONTENT = ["none", "activity", "header", "payload"] as const;

/**
 * `activity-log` (v5; IBM: rapim_ref_ootb_policyactivitylog): what API Connect records for analytics. At the
 * edge it logs one JSON line per request that reaches it — API, verb, path and operation, never headers,
 * query strings or payloads (they carry credentials): `header` and `payload` are logged as `activity`.
 */
export const compileActivityLog: PolicyCompiler = (config, path, reader) => {
  reader.keys(config, path, {
    known: ["content"],
    inert: { ...LABELS, "error-content": "errors are always logged as one JSON line, without headers or payload" },
  });
  const content = reader.oneOf(config, "content", path, CONTENT) ?? "activity";
  if (content === "header" || content === "payload") {
    reader.warn(`${path}.content`, `'${content}' is logged as 'activity' at the edge: headers and payloads can carry credentials and are never logged`);
  }
  return {
    kind: "activity-log",
    title: titleOf(config, "activity-log"),
    run(ctx) {
      if (content === "none") return;
      logActivity({ api: ctx.api.name, verb: ctx.request.method, path: ctx.path, operation: ctx.operation?.id ?? ctx.operation?.path ?? "" });
    },
  };
};
