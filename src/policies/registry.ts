import { compileActivityLog } from "./activity-log";
import { compileClientSecurity } from "./client-security";
import { compileOperationSwitch } from "./containers/operation-switch";
import { compileEdgeNoOp } from "./edge-no-op";
import { compileGatewayScript } from "./gatewayscript";
import { compileIf, compileSwitch } from "./containers/switch";
import { compileInvoke, compileProxy } from "./invoke";
import { compileJwtGenerate } from "./jwt-generate";
import { compileJwtValidate } from "./jwt-validate";
import { compileParse } from "./parse";
import type { PolicyCompiler } from "./policy";
import { compileSetVariable } from "./set-variable";
import { compileThrow } from "./throw";

/** Every policy an assembly may use, by the name API Connect gives it. */
export const POLICY_COMPILERS: Readonly<Record<string, PolicyCompiler>> = {
  "set-variable": compileSetVariable,
  invoke: compileInvoke,
  proxy: compileProxy,
  throw: compileThrow,
  "jwt-generate": compileJwtGenerate,
  "operation-switch": compileOperationSwitch,
  parse: compileParse,
  "activity-log": compileActivityLog,
  log: compileEdgeNoOp("log", ["mode", "log-level"], "it gathers and sends API Connect analytics data; the worker logs one JSON line per error (wrangler tail)"),
  gatewayscript: compileGatewayScript,
  "jwt-validate": compileJwtValidate,
  switch: compileSwitch,
  if: compileIf,
  "client-security": compileClientSecurity,
};
