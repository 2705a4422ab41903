import type { ConfigReader } from "../config/reader";
import type { ApiScope } from "../policies/policy";
import type { Condition } from "./condition";

/** v5 JavaScript conditions: compiled at build time (see the next commit). */
export function compileJavaScriptCondition(source: string, path: string, reader: ConfigReader, scope: ApiScope): Condition | undefined {
  void source;
  void scope;
  reader.report(path, "JavaScript conditions (datapower-gateway) are not supported yet");
  return undefined;
}
