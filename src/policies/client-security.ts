import type { Context } from "../assembly/context";
import { PolicyError, runtimeError } from "../assembly/errors";
import { child } from "../config/problems";
import type { ClientIdentity } from "../security/app-record";
import { AppRegistry, RegistryError } from "../security/registry";
import { removeParams, verifyClient } from "../security/verify";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

const METHODS = ["header", "query", "cookie", "http", "context-var", "form"] as const;
type Method = (typeof METHODS)[number];

/** Where each method finds the ID and secret when `id-name` / `secret-name` are not given. [ours] */
const DEFAULT_NAMES: Partial<Record<Method, [string, string]>> = {
  header: ["X-IBM-Client-Id", "X-IBM-Client-Secret"],
  query: ["client_id", "client_secret"],
  cookie: ["client_id", "client_secret"],
};

/**
 * `client-security` (v10, DataPower API Gateway 2.0.0): identifies the calling application from credentials
 * it extracts (a header, the query, a cookie, HTTP Basic, or a variable) against the same registry
 * (`APPS`) as the definition's security requirements, and sets `client.app.*`. A failure stops the
 * assembly with API Connect's 401 (`stop-on-error`, default true) or leaves the client unidentified.
 */
export const compileClientSecurity: PolicyCompiler = (config, path, reader) => {
  reader.keys(config, path, {
    known: ["stop-on-error", "secret-required", "extract-credential-method", "id-name", "secret-name", "http-type", "client-auth-method", "user-registry"],
    inert: { title: "", description: "", version: "" },
  });
  const stopOnError = reader.boolean(config, "stop-on-error", path, true);
  const secretRequired = reader.boolean(config, "secret-required", path, true);
  const method = reader.oneOf(config, "extract-credential-method", path, METHODS) ?? (config["extract-credential-method"] === undefined ? "header" : undefined);
  const authMethod = reader.oneOf(config, "client-auth-method", path, ["native", "third-party"] as const) ?? "native";
  if (authMethod === "third-party") {
    reader.report(child(path, "client-auth-method"), "third-party: the user registries API Connect would ask (LDAP, authentication URL) are not available at the edge; use native (the APPS registry)");
  }
  if (config["user-registry"] !== undefined && authMethod !== "third-party") reader.report(child(path, "user-registry"), "is used only with client-auth-method: third-party");
  if (method === "form") {
    reader.report(child(path, "extract-credential-method"), "form: reading the body here would consume it before invoke; send the credentials in a header, the query, a cookie or HTTP Basic");
  }
  if (method === "http") reader.oneOf(config, "http-type", path, ["basic"] as const);
  else if (config["http-type"] !== undefined) reader.report(child(path, "http-type"), "is used only with extract-credential-method: http");
  const defaults = method ? DEFAULT_NAMES[method] : undefined;
  const needsNames = method !== "http" && method !== "form";
  const idName = needsNames ? reader.string(config, "id-name", path, { required: defaults === undefined, fallback: defaults?.[0] }) : undefined;
  const secretName = needsNames && secretRequired ? reader.string(config, "secret-name", path, { required: defaults === undefined, fallback: defaults?.[1] }) : undefined;
  if (!method || method === "form" || authMethod !== "native" || (needsNames && (!idName || (secretRequired && !secretName)))) return undefined;

  const extract = extractor(method, idName ?? "", secretName ?? "");
  // One registry per policy, per isolate: the same cache rules as the security requirements.
  const registry = new AppRegistry();
  return {
    kind: "client-security",
    title: titleOf(config, "client-security"),
    async run(ctx) {
      const { id, secret } = extract(ctx);
      let client: ClientIdentity | undefined;
      try {
        client = id && (!secretRequired || secret) ? await verifyClient(registry, ctx.env.APPS, ctx.api.name, id, secretRequired ? secret : undefined) : undefined;
      } catch (e) {
        if (e instanceof RegistryError) throw runtimeError(e.message);
        throw e;
      }
      if (!client) {
        if (stopOnError) throw new PolicyError("UnauthorizedError", "client-security: the client ID or secret was missing or was refused", { status: 401, reason: "Unauthorized", publicMessage: "Invalid client id or secret." });
        return;
      }
      ctx.client = client;
      forget(ctx, method, idName ?? "", secretName);
    },
  };
};

type Extract = (ctx: Context) => { id: string | undefined; secret: string | undefined };

function extractor(method: Exclude<Method, "form">, idName: string, secretName: string): Extract {
  const nonEmpty = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  switch (method) {
    case "header":
      return (ctx) => ({ id: nonEmpty(ctx.request.headers.get(idName)), secret: nonEmpty(ctx.request.headers.get(secretName)) });
    case "query":
      return (ctx) => ({ id: nonEmpty(ctx.url.searchParams.get(idName)), secret: nonEmpty(ctx.url.searchParams.get(secretName)) });
    case "cookie":
      return (ctx) => {
        const cookies = parseCookies(ctx.request.headers.get("cookie") ?? "");
        return { id: nonEmpty(cookies.get(idName)), secret: nonEmpty(cookies.get(secretName)) };
      };
    case "context-var":
      return (ctx) => ({ id: nonEmpty(ctx.get(idName)), secret: nonEmpty(ctx.get(secretName)) });
    case "http":
      return (ctx) => basicCredentials(ctx.request.headers.get("authorization"));
  }
}

/** `Authorization: Basic base64(id:secret)`, as API Connect's `http-type: basic`. */
function basicCredentials(header: string | null): { id: string | undefined; secret: string | undefined } {
  const m = header === null ? null : /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return { id: undefined, secret: undefined };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(m[1] as string), (c) => c.charCodeAt(0)));
  } catch {
    return { id: undefined, secret: undefined };
  }
  const colon = text.indexOf(":");
  if (colon <= 0) return { id: undefined, secret: undefined };
  return { id: text.slice(0, colon), secret: text.slice(colon + 1) || undefined };
}

function parseCookies(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** After a pass, the credentials are not forwarded by invoke: headers (and Basic) leave the message, parameters the query. */
function forget(ctx: Context, method: Exclude<Method, "form">, idName: string, secretName: string | undefined): void {
  if (method === "header") {
    ctx.message.headers.delete(idName);
    if (secretName) ctx.message.headers.delete(secretName);
  } else if (method === "http") ctx.message.headers.delete("authorization");
  else if (method === "query") removeParams(ctx.url, secretName ? [idName, secretName] : [idName]);
}
