import type { KeySpec } from "./reader";

/**
 * Every key `x-ibm-configuration` may hold, in one table: `known` keys are implemented here; `inert` keys are
 * documented by IBM ("IBM extensions to the OpenAPI specification", rapim_cli_swagger_extensions) but do nothing
 * at the edge, so they build with a warning that says why. Anything else is a typo and fails the build.
 * Engineers who implement one of the inert keys move it to `known`.
 */
export const IBM_CONFIGURATION_KEYS: KeySpec = {
  known: ["assembly", "properties", "gateway", "cors", "catalogs", "application-authentication"],
  inert: {
    // Labels and portal/manager metadata: they never change how a request is handled, so no warning.
    phase: "",
    testable: "",
    enforced: "",
    type: "",
    "activity-log": "analytics logging is API Connect's; the worker logs one JSON line per error (wrangler tail)",
    buffering: "bodies always stream through the worker",
    "compile-json-schemas": "the worker does not validate payloads against schemas",
    "enforce-form-data-parameter": "the worker does not validate form parameters",
    forceHttp500ForSoap11: "SOAP faults are not produced here",
    "subscription-authentication": "subscriptions and plans are API Connect's, not enforced here",
    "application-rate-limit": "rate limits are not enforced here; use Cloudflare rate limiting rules",
    extensions: "API Connect extensions are not applied here",
    "servers-override": "",
  },
};

/** The assembly object: `finally` is documented for DataPower API Gateway but would change the flow if ignored. */
export const ASSEMBLY_KEYS: KeySpec = { known: ["execute", "catch"] };
export const ASSEMBLY_UNSUPPORTED: Readonly<Record<string, string>> = {
  finally: "'finally' is not supported at the edge; move its policies to the end of 'execute' and to each 'catch' entry",
};

/** One `catch` entry: `{errors, execute}` or `{default}` (rapim_cli_catch). */
export const CATCH_ENTRY_KEYS: KeySpec = { known: ["errors", "execute", "default"] };

/** Top-level members of OpenAPI 2 and 3 documents; `x-…` vendor extensions are free, but not a misspelled x-ibm-configuration. */
export const OPENAPI_TOP_LEVEL = [
  "swagger", "openapi", "info", "host", "basePath", "schemes", "consumes", "produces", "paths", "definitions", "parameters",
  "responses", "securityDefinitions", "security", "tags", "externalDocs", "servers", "components", "webhooks", "jsonSchemaDialect",
  "x-ibm-configuration",
] as const;
