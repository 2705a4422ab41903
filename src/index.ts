import { compileApisOrThrow } from "./config/compile-api";
import { createGateway } from "./gateway";
import { logWarning } from "./assembly/log";
import { API_CODE, API_SOURCES } from "./generated/apis";
import { bundledCode } from "./config/code";

// Compiled once per isolate; the build step has already rejected invalid definitions.
const { apis, warnings } = compileApisOrThrow(API_SOURCES, bundledCode(API_CODE));
for (const message of warnings) logWarning({ message });

export default createGateway(apis);
