import { compileOperationSwitch } from "./containers/operation-switch";
import { compileGatewayScript } from "./gatewayscript";
import { compileInvoke } from "./invoke";
import { compileJwtGenerate } from "./jwt-generate";
import { compileJwtValidate } from "./jwt-validate";
import type { PolicyCompiler } from "./policy";
import { compileSetVariable } from "./set-variable";
import { compileThrow } from "./throw";

/** Every policy an assembly may use, by the name API Connect gives it. */
export const POLICY_COMPILERS: Readonly<Record<string, PolicyCompiler>> = {
  "set-variable": compileSetVariable,
  invoke: compileInvoke,
  throw: compileThrow,
  "jwt-generate": compileJwtGenerate,
  "operation-switch": compileOperationSwitch,
  gatewayscript: compileGatewayScript,
  "jwt-validate": compileJwtValidate,
};
