import { compileApisOrThrow } from "./config/compile-api";
import { createGateway } from "./gateway";
import { logWarning } from "./assembly/log";
import { API_SOURCES } from "./generated/apis";

// Compiled once per isolate; the build step has already rejected invalid definitions.
const { apis, warnings } = compileApisOrThrow(API_SOURCES);
for (const message of warnings) logWarning({ message });

export default createGateway(apis);
