import { connectionError, PolicyError } from "../../assembly/errors";
import { adoptHeaders, type Context } from "../../assembly/context";
import { parseTemplate, renderTemplate, type Template } from "../../assembly/template";
import { bodyText } from "../../assembly/body";
import { child } from "../../config/problems";
import { describe, type ConfigReader } from "../../config/reader";
import { LABELS } from "../containers/branches";
import type { Policy, PolicyCompiler } from "../policy";
import { titleOf } from "../policy";
import { cacheable, cached, readCache, store, type CacheSettings } from "./cache";
import { dropHopByHop, passes, readControl, type NameControl } from "./controls";

const VERBS = ["keep", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

/** Properties IBM documents for invoke that the edge does not need: accepted with the reason as a build warning. */
const INERT: Readonly<Record<string, string>> = {
  ...LABELS,
  "tls-profile": "Workers verify the origin's public TLS certificate themselves; a client certificate (mTLS) is an mtls_certificates binding in wrangler.toml",
  "backend-type": "the body is forwarded as the message holds it, with the message's Content-Type",
  "http-version": "Workers choose the protocol to the origin",
  "http2-required": "Workers choose the protocol to the origin",
  "use-http-10": "Workers choose the protocol to the origin",
  "chunked-uploads": "Workers choose chunked or Content-Length framing themselves",
  "persistent-connection": "Workers pool connections to origins themselves",
  decompress: "Workers decompress origin responses themselves",
  "decode-request-params": "request.parameters.NAME is always the decoded value here",
  "cache-putpost-response": "the Workers Cache API stores GET responses only",
  "graphql-send-type": "GraphQL requests are forwarded as the message holds them",
};

/** The properties of v5's `proxy` (IBM: rapim_cli_policies_proxy, DataPower Gateway v5 compatible, 1.0.0). */
const PROXY_KNOWN = ["target-url", "verb", "timeout", "username", "password", "compression", "cache-key", "cache-response", "cache-ttl"];
const PROXY_INERT = { ...LABELS, "tls-profile": INERT["tls-profile"] as string, "http-version": INERT["http-version"] as string };

const INVOKE_KNOWN = [
  ...PROXY_KNOWN,
  "header-control",
  "parameter-control",
  "stop-on-error",
  "inject-proxy-headers",
  "keep-payload",
  "encode-plus-char",
  "follow-redirects",
  "output",
];

/** Errors `stop-on-error` may list; SOAPError is accepted but never raised here (no SOAP parsing). */
const STOP_ERRORS = ["ConnectionError", "OperationError", "SOAPError"];

/** The output variable's body is buffered: at most this many bytes. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

interface InvokeSettings {
  kind: string;
  title: string;
  target: Template;
  verb: (typeof VERBS)[number];
  timeoutSeconds: number;
  basic: { username: Template; password: Template } | undefined;
  headerControl: NameControl | undefined;
  parameterControl: NameControl | undefined;
  /** undefined: no stop-on-error (a ConnectionError stops, an origin's error status passes through). */
  stopOn: ReadonlySet<string> | undefined;
  cache: CacheSettings | undefined;
  compression: boolean;
  injectProxyHeaders: boolean;
  keepPayload: boolean;
  encodePlus: boolean;
  followRedirects: boolean;
  output: string | undefined;
}

/**
 * `invoke` (IBM: rapim_cli_policies_invoke): sends the current message to `target-url` and makes the origin's
 * response the message (or the `output` variable). Bodies stream through; every property IBM lists is either
 * applied here or accepted with a build warning saying why it does nothing at the edge. See docs/policies-edge.md.
 */
export const compileInvoke: PolicyCompiler = (config, path, reader) => {
  reader.keys(config, path, { known: INVOKE_KNOWN, inert: INERT });
  const settings = readSettings(config, path, reader, "invoke");
  return settings && makePolicy(settings);
};

/** `proxy` (v5): the same implementation as invoke, with v5's properties (it never follows redirects either). */
export const compileProxy: PolicyCompiler = (config, path, reader) => {
  reader.keys(config, path, { known: PROXY_KNOWN, inert: PROXY_INERT });
  const settings = readSettings(config, path, reader, "proxy");
  return settings && makePolicy(settings);
};

function readSettings(config: Record<string, unknown>, path: string, reader: ConfigReader, kind: string): InvokeSettings | undefined {
  const before = reader.problems.length;
  // Templated properties go through reader.template: a malformed `$(` fails the build with the fix, not at run time.
  const target = reader.template(config, "target-url", path, { required: true });
  const verb = readVerb(config, path, reader);
  const timeoutSeconds = reader.number(config, "timeout", path, { min: 1, max: 86_400, fallback: 60 });
  const username = reader.template(config, "username", path);
  const password = reader.template(config, "password", path);
  const hasUser = username !== undefined && username.source !== "";
  if (password !== undefined && password.source !== "" && !hasUser) reader.report(child(path, "username"), "is required when password is given (HTTP Basic)");
  const stopOn = readStopOnError(config, path, reader);
  const settings: InvokeSettings = {
    kind,
    title: titleOf(config, kind),
    target: target ?? parseTemplate(""),
    verb,
    timeoutSeconds,
    basic: hasUser ? { username, password: password ?? parseTemplate("") } : undefined,
    headerControl: readControl(config, "header-control", path, reader),
    parameterControl: readControl(config, "parameter-control", path, reader),
    stopOn,
    cache: readCache(config, path, reader),
    compression: reader.boolean(config, "compression", path, false),
    injectProxyHeaders: reader.boolean(config, "inject-proxy-headers", path, false),
    keepPayload: reader.boolean(config, "keep-payload", path, false),
    encodePlus: reader.boolean(config, "encode-plus-char", path, false),
    followRedirects: reader.boolean(config, "follow-redirects", path, false),
    output: readOutput(config, path, reader),
  };
  return reader.problems.length > before || target === undefined ? undefined : settings;
}

/** `verb`: exports write it in any case (`get`, `Keep`). */
function readVerb(config: Record<string, unknown>, path: string, reader: ConfigReader): (typeof VERBS)[number] {
  const raw = reader.string(config, "verb", path);
  if (raw === undefined) return "keep";
  const verb = raw.toLowerCase() === "keep" ? "keep" : raw.toUpperCase();
  if ((VERBS as readonly string[]).includes(verb)) return verb as (typeof VERBS)[number];
  reader.report(child(path, "verb"), `expected one of ${VERBS.join(", ")}, found ${JSON.stringify(raw)}`);
  return "keep";
}

function readStopOnError(config: Record<string, unknown>, path: string, reader: ConfigReader): ReadonlySet<string> | undefined {
  const raw = config["stop-on-error"];
  if (raw === undefined || raw === null) return undefined;
  const at = child(path, "stop-on-error");
  const list = reader.array(raw, at, "a list of error names") ?? [];
  const names = new Set<string>();
  list.forEach((name, i) => {
    if (typeof name === "string" && STOP_ERRORS.includes(name)) names.add(name);
    else reader.report(child(at, i), `expected one of ${STOP_ERRORS.join(", ")}, found ${describe(name)}`);
  });
  if (names.has("SOAPError")) reader.warn(at, "SOAPError is never raised at the edge (SOAP faults are not parsed)");
  return names;
}

function readOutput(config: Record<string, unknown>, path: string, reader: ConfigReader): string | undefined {
  const output = reader.string(config, "output", path);
  if (output === undefined || output === "" || output === "message") return undefined;
  if (/^(request|api|env|client|message)(\.|$)/.test(output)) {
    reader.report(child(path, "output"), `expected a variable name for the result, found ${describe(output)} (a read-only or message variable)`);
    return undefined;
  }
  return output;
}

function makePolicy(s: InvokeSettings): Policy {
  return {
    kind: s.kind,
    title: s.title,
    async run(ctx) {
      const url = targetUrl(s, ctx);
      const message = ctx.message;
      const method = s.verb === "keep" ? message.method : s.verb;
      const headers = outgoingHeaders(s, ctx, url);
      // DataPower drops a DELETE's payload unless keep-payload; GET and HEAD never have one.
      const hasBody = message.body !== null && method !== "GET" && method !== "HEAD" && (method !== "DELETE" || s.keepPayload);
      let body: string | ReadableStream<Uint8Array> | null = hasBody ? message.body : null;
      if (!hasBody) headers.delete("content-length");
      if (body !== null && s.compression) {
        const source = typeof body === "string" ? (new Response(body).body as ReadableStream<Uint8Array>) : body;
        body = source.pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
        headers.set("content-encoding", "gzip");
        headers.delete("content-length");
      }
      const useCache = s.cache !== undefined && cacheable(method, headers);
      let response = useCache ? await cached(s.cache!, url, ctx) : undefined;
      if (!response) {
        try {
          response = await fetch(url, {
            method,
            headers,
            body,
            redirect: s.followRedirects ? "follow" : "manual",
            signal: AbortSignal.timeout(Math.round(s.timeoutSeconds * 1000)),
          });
        } catch (e) {
          const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
          // The log names the host, never the query string (it may carry credentials).
          const error = connectionError(
            timedOut
              ? `${s.kind}: ${url.host} did not answer within ${s.timeoutSeconds} s`
              : `${s.kind}: could not connect to ${url.host} (${e instanceof Error ? e.name : "error"})`,
          );
          if (s.stopOn === undefined || s.stopOn.has("ConnectionError")) throw error;
          // stop-on-error without ConnectionError: the flow goes on with the failure as the message.
          setMessage(ctx, new Response(null, { status: 500, statusText: "URL Open error" }));
          return;
        }
        if (useCache) response = await store(s.cache!, url, ctx, response);
      }
      if (s.output !== undefined) await setOutput(ctx, s.output, response);
      else setMessage(ctx, response);
      if (s.stopOn?.has("OperationError") && response.status >= 400) {
        throw new PolicyError("OperationError", `${s.kind}: ${url.host} answered ${response.status}`, {
          status: response.status,
          reason: response.statusText || "Operation Error",
        });
      }
    },
  };
}

function targetUrl(s: InvokeSettings, ctx: Context): URL {
  let url: URL;
  try {
    url = new URL(renderTemplate(s.target, ctx));
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("scheme");
  } catch {
    throw connectionError(`${s.kind}: target-url does not resolve to an http(s) URL`);
  }
  // parameter-control: which of the request's query parameters are added to the target URL (none by default).
  if (s.parameterControl) {
    for (const [name, value] of ctx.url.searchParams) {
      if (passes(s.parameterControl, name) && !url.searchParams.has(name)) url.searchParams.append(name, value);
    }
  }
  // encode-plus-char: a literal `+` in the query is sent as %2B, not read as a space by the origin.
  if (s.encodePlus && url.search.includes("+")) url.search = url.search.replace(/\+/g, "%2B");
  return url;
}

function outgoingHeaders(s: InvokeSettings, ctx: Context, url: URL): Headers {
  const headers = new Headers(ctx.message.headersView);
  dropHopByHop(headers);
  const control = s.headerControl;
  if (control) {
    const blocked: string[] = [];
    headers.forEach((_, name) => {
      if (!passes(control, name)) blocked.push(name);
    });
    for (const name of blocked) headers.delete(name);
  }
  if (s.basic) {
    const user = renderTemplate(s.basic.username, ctx);
    const pass = renderTemplate(s.basic.password, ctx);
    headers.set("authorization", `Basic ${base64Utf8(`${user}:${pass}`)}`);
  }
  if (s.injectProxyHeaders) {
    const client = ctx.request.headers.get("cf-connecting-ip");
    if (client !== null) headers.set("x-forwarded-for", client);
    headers.set("x-forwarded-host", ctx.url.host);
    headers.set("x-forwarded-proto", ctx.url.protocol.replace(":", ""));
    headers.set("x-forwarded-to", url.host);
  }
  return headers;
}

function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function setMessage(ctx: Context, response: Response): void {
  const message = ctx.message;
  adoptHeaders(message, response.headers, response);
  message.body = response.body;
  message.status = response.status;
  message.reason = response.statusText;
  message.isRequest = false;
  message.setHeaders.clear();
}

/** `output: NAME`: the result goes to a variable (`NAME.body`, `NAME.headers.x`, `NAME.status.code`); the message stays. */
async function setOutput(ctx: Context, name: string, response: Response): Promise<void> {
  const holder: Pick<Context["message"], "body"> = { body: response.body };
  const text = await bodyText(holder, MAX_OUTPUT_BYTES, (detail) => new PolicyError("RuntimeError", `invoke output: ${detail}`));
  ctx.set(name, {
    body: text,
    headers: headerRecord(response.headers),
    status: { code: response.status, reason: response.statusText },
  });
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
}
