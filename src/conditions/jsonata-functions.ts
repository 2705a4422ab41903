import type { Context } from "../assembly/context";

/** JSONata 2.x's own functions (jsonata's static frame plus `$now` and `$millis`). */
const JSONATA_BUILTINS = `sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim
  pad match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil round abs sqrt power
  random boolean not map zip filter single reduce keys lookup append exists spread merge reverse type sort shuffle distinct
  base64encode base64decode encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl toMillis fromMillis clone now millis`.split(/\s+/);

/**
 * JSONata functions API Connect does not support ("JSONata support in API Connect", in IBM's pages on the
 * switch condition editor and the Extract policy): a definition using them would not run there either.
 */
export const IBM_UNSUPPORTED: Readonly<Record<string, string>> = {
  eval: "API Connect does not support $eval()",
  sift: "API Connect does not support $sift()",
  each: "API Connect does not support $each()",
  error: "API Connect does not support $error()",
  assert: "API Connect does not support $assert()",
  xpath: "$xpath() works on XML messages, which the edge gateway does not parse",
  storageType: "$storageType() reports DataPower's internal storage of a message, which the edge gateway does not have",
};

/** API Connect's extensions (IBM: "Functional extensions to JSONata"), each answering from the request's context. */
export const IBM_EXTENSIONS = ["apiCtx", "header", "httpVerb", "operationID", "operationPath", "queryParameter", "statusCode", "urlParameter"] as const;
export type IbmExtension = (typeof IBM_EXTENSIONS)[number];

export const SUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([...JSONATA_BUILTINS.filter((f) => !Object.hasOwn(IBM_UNSUPPORTED, f)), ...IBM_EXTENSIONS]);

const asName = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The extensions an expression uses, bound to this request. `root` is the data the expression was
 * evaluated against, which `$apiCtx()` returns.
 */
export function extensionBindings(used: readonly IbmExtension[], ctx: Context, root: unknown): Record<string, unknown> {
  const bindings: Record<string, unknown> = {};
  for (const name of used) bindings[name] = implementation(name, ctx, root);
  return bindings;
}

function implementation(name: IbmExtension, ctx: Context, root: unknown): (...args: unknown[]) => unknown {
  switch (name) {
    case "apiCtx":
      return () => root;
    case "header":
      // message.headers.NAME: the current message's header, names case-insensitive.
      return (header) => {
        const n = asName(header);
        return n === undefined ? undefined : (ctx.get(`message.headers.${n}`) ?? undefined);
      };
    case "httpVerb":
      return () => ctx.request.method;
    case "operationID":
      return () => ctx.operation?.id;
    case "operationPath":
      return () => ctx.operation?.path;
    case "statusCode":
      return () => ctx.message.status;
    case "queryParameter":
      // The query's value only (IBM: the value whose location is `query`).
      return (param) => {
        const n = asName(param);
        return n === undefined ? undefined : (ctx.url.searchParams.get(n) ?? undefined);
      };
    case "urlParameter":
      // A parameter of the URL: a path parameter, else the query's.
      return (param) => {
        const n = asName(param);
        return n === undefined ? undefined : ctx.get(`request.parameters.${n}`);
      };
  }
}
