import type { Context } from "../assembly/context";
import { child } from "../config/problems";
import { describe, type ConfigReader } from "../config/reader";
import type { ApiScope } from "../policies/policy";
import { compileJavaScriptCondition } from "./javascript";
import { compileJsonataCondition } from "./jsonata";

/** A compiled `switch`/`if` condition: true runs the branch. Made once at load, called per request. */
export type Condition = (ctx: Context) => boolean | Promise<boolean>;

/**
 * Compiles the condition at `obj[key]` in the API's condition language: JSONata on
 * `datapower-api-gateway`, JavaScript on `datapower-gateway` (v5 compatible), `micro-gateway` or when
 * `x-ibm-configuration.gateway` is unset. Reports a problem naming the expression when it cannot.
 */
export function compileCondition(obj: Record<string, unknown>, key: string, path: string, reader: ConfigReader, scope: ApiScope): Condition | undefined {
  const source = obj[key];
  const at = child(path, key);
  // Exports write `condition: true`, or a number, when the editor produced a constant.
  const text = typeof source === "boolean" || typeof source === "number" ? String(source) : source;
  if (typeof text !== "string" || text.trim() === "") {
    reader.report(at, `expected a condition (${scope.gateway === "datapower-api-gateway" ? "a JSONata expression" : "a JavaScript expression"}), found ${text === "" ? "an empty string" : describe(text)}`);
    return undefined;
  }
  return scope.gateway === "datapower-api-gateway" ? compileJsonataCondition(text, at, reader) : compileJavaScriptCondition(text, at, reader, scope);
}
