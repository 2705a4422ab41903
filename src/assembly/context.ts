import type { CompiledApi } from "./api";
import type { Operation } from "../routing/operations";
import type { ClientIdentity } from "../security/app-record";
import { catalogOf, propertiesFor } from "../config/catalogs";
import { runtimeError, type PolicyError } from "./errors";
import { stringify } from "./template";

export interface VariableReader {
  get(name: string): unknown;
}

/** The message a policy works on: the request at first, the origin's response after `invoke`. */
export interface Message {
  method: string;
  headers: Headers;
  /**
   * Headers a policy reads and writes (a copy made on first use: see RequestMessage). `headersView` reads them
   * without making that copy, for code that only copies or reads them.
   */
  readonly headersView: Headers;
  /** The origin's response itself while the message is still exactly it (see RequestMessage.untouchedOrigin). */
  readonly untouchedOrigin?: Response | undefined;
  /** A string set by a policy, the request's or origin's stream, or nothing. */
  body: string | ReadableStream<Uint8Array> | null;
  status: number;
  reason: string;
  /** Still the client's request (no invoke yet): only headers a policy set go back to the client. */
  isRequest: boolean;
  /** Header names set by `set-variable`, returned to the client when there was no invoke. */
  setHeaders: Set<string>;
  /**
   * The body as data (after `parse`, or an object set as `message.body`): valid only while `body` is still the
   * text it was made from, so any policy that replaces the body makes it stale without knowing about it.
   */
  data?: { of: string; value: unknown };
}

/**
 * The message of one request. Its headers start as the client's request headers (or, after `invoke`, the origin's
 * response headers), which are immutable: they are copied into a writable Headers only when a policy first asks
 * for `headers`, so a request no policy touches the headers of is not copied twice (once here, once by invoke).
 */
class RequestMessage implements Message {
  #headers: Headers | undefined;
  #origin: Response | undefined;
  /** Read-only headers this message was given; never written. */
  #source: Headers;
  body: Message["body"];
  status = 200;
  reason = "OK";
  isRequest = true;
  setHeaders = new Set<string>();
  data?: Message["data"];

  constructor(
    public method: string,
    source: Headers,
    body: Message["body"],
  ) {
    this.#source = source;
    this.body = body;
  }

  get headers(): Headers {
    return (this.#headers ??= new Headers(this.#source));
  }

  /** Replaces the headers; `adopt` takes a Headers object that must not be written (copied on first write). */
  set headers(headers: Headers) {
    this.#headers = headers;
  }

  adopt(source: Headers, origin?: Response): void {
    this.#source = source;
    this.#headers = undefined;
    this.#origin = origin;
  }

  /**
   * The origin's response, while no policy has touched the message since invoke made it of it (headers never
   * asked for, same body stream, status and reason): it can go to the client as it is, without a copy.
   */
  get untouchedOrigin(): Response | undefined {
    const origin = this.#origin;
    if (origin === undefined || this.isRequest || this.#headers !== undefined) return undefined;
    return this.body === origin.body && this.status === origin.status && this.reason === origin.statusText ? origin : undefined;
  }

  get headersView(): Headers {
    return this.#headers ?? this.#source;
  }
}

/** Gives `message` the origin's (immutable) response headers, copied only if a policy later writes or reads them. */
export function adoptHeaders(message: Message, source: Headers, origin?: Response): void {
  if (message instanceof RequestMessage) message.adopt(source, origin);
  else message.headers = new Headers(source);
}

/** The message's body as data, when it has a current one (see Message.data). */
export function bodyData(message: Message): unknown {
  const data = message.data;
  return data !== undefined && data.of === message.body ? data.value : undefined;
}

export type Bindings = Record<string, unknown>;

const CRLF = /[\r\n\0]/;

/** A header's value; a name that is not a valid header name (e.g. `a b`) is simply not there. */
function headerOf(headers: Headers, name: string): string | undefined {
  try {
    return headers.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `a.b.0.c` inside a JSON-like value: own members and list indexes only, never a prototype's. */
export function memberOf(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Per-request state: runtime variables and the message. Made fresh for each
 * request and never shared, so concurrent requests cannot see each other's values.
 */
export class Context implements VariableReader {
  /** Variables set by policies; a prototype-less object so `__proto__` is just a name. */
  private readonly vars: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  readonly message: Message;
  /** Set by the runner while a policy runs, for log lines. */
  currentPolicy = "";
  /** The operation the request matched (undefined when the definition declares no `paths`). */
  operation: Operation | undefined;
  /** Path parameters of the matched operation, read as `request.parameters.NAME` before the query's. */
  pathParams: Readonly<Record<string, string>> | undefined;
  /** The client application the security requirements identified (`client.*`), if any. */
  client: ClientIdentity | undefined;
  /** The API's property values for this deployment's catalog (merged at load: one lookup here). */
  readonly properties: Readonly<Record<string, unknown>>;

  constructor(
    readonly request: Request,
    readonly api: CompiledApi,
    readonly env: Bindings,
    /** The request path after the API's base path. */
    readonly path: string,
    /** The request's URL, already parsed by the router. */
    readonly url: URL = new URL(request.url),
  ) {
    this.properties = propertiesFor(api.properties, env);
    this.message = new RequestMessage(request.method, request.headers, request.body);
  }

  get(name: string): unknown {
    const dot = name.indexOf(".");
    const head = dot < 0 ? name : name.slice(0, dot);
    const rest = dot < 0 ? "" : name.slice(dot + 1);
    switch (head) {
      case "request":
        return this.requestVariable(rest);
      case "message": {
        // `message.foo` that is not a message field is an ordinary variable a policy may have set.
        const value = this.messageVariable(rest);
        if (value !== undefined || rest.startsWith("headers.")) return value;
        break;
      }
      case "api":
        return this.apiVariable(rest);
      case "client":
        return this.clientVariable(rest);
      case "env": {
        // Only string bindings (vars and secrets): never a KV namespace or other object.
        const value = Object.hasOwn(this.env, rest) ? this.env[rest] : undefined;
        return typeof value === "string" ? value : undefined;
      }
    }
    if (Object.hasOwn(this.vars, name)) return this.vars[name];
    if (Object.hasOwn(this.properties, name)) return this.properties[name];
    // `decoded.claims.sub`: a member of an object that a shorter variable name holds.
    for (let cut = name.lastIndexOf("."); cut > 0; cut = name.lastIndexOf(".", cut - 1)) {
      const head = name.slice(0, cut);
      if (Object.hasOwn(this.vars, head)) return memberOf(this.vars[head], name.slice(cut + 1));
    }
    return undefined;
  }

  private requestVariable(rest: string): unknown {
    if (rest.startsWith("headers.")) return headerOf(this.request.headers, rest.slice(8));
    if (rest.startsWith("parameters.")) {
      const name = rest.slice(11);
      if (this.pathParams && Object.hasOwn(this.pathParams, name)) return this.pathParams[name];
      return this.url.searchParams.get(name) ?? undefined;
    }
    switch (rest) {
      case "path":
        return this.path;
      case "verb":
        return this.request.method;
      case "uri":
        // The parsed URL: without the credential query parameters security removed.
        return this.url.href;
      case "search":
        return this.url.search;
      case "querystring":
        return this.url.search.slice(1);
    }
    return undefined;
  }

  private messageVariable(rest: string): unknown {
    if (rest.startsWith("headers.")) return headerOf(this.message.headers, rest.slice(8));
    // `message.body.order.id`: a member of a body that `parse` made data.
    if (rest.startsWith("body.")) return memberOf(bodyData(this.message), rest.slice(5));
    switch (rest) {
      case "body":
        // A stream is not read into memory to answer a template: only a body a policy set is visible.
        return bodyData(this.message) ?? (typeof this.message.body === "string" ? this.message.body : undefined);
      case "status.code":
        return this.message.status;
      case "status.reason":
        return this.message.reason;
      case "verb":
        return this.message.method;
    }
    return undefined;
  }

  private apiVariable(rest: string): unknown {
    if (rest.startsWith("properties.")) {
      const key = rest.slice(11);
      return Object.hasOwn(this.properties, key) ? this.properties[key] : undefined;
    }
    switch (rest) {
      case "catalog.name":
        return catalogOf(this.env);
      case "endpoint.address":
        return this.url.origin;
      case "endpoint.hostname":
        return this.url.hostname;
      case "root":
        return this.api.basePath || "/";
      case "operation.path":
        return this.operation?.path;
      case "operation.id":
        return this.operation?.id;
      case "operation.verb":
        return this.operation?.verb;
      case "name":
        return this.api.name;
      case "version":
        return this.api.version;
      case "basepath":
        return this.api.basePath || "/";
      case "title":
        return this.api.title;
    }
    return undefined;
  }

  /** `client.app.*`, `client.org.*`: the identified application; never its secret (`client.app.secret` is empty). */
  private clientVariable(rest: string): unknown {
    const client = this.client;
    if (!client) return undefined;
    if (rest.startsWith("app.metadata.")) {
      const key = rest.slice(13);
      return Object.hasOwn(client.metadata, key) ? client.metadata[key] : undefined;
    }
    switch (rest) {
      case "app.id":
        return client.id;
      case "app.name":
        return client.name;
      case "app.lifecycle-state":
        return client.lifecycleState;
      case "org.id":
        return client.orgId;
      case "org.name":
        return client.orgName;
    }
    return undefined;
  }

  /** `set-variable`'s `set` (or `add`, which appends to a header or a list). */
  set(name: string, value: unknown, mode: "set" | "add" = "set"): void {
    if (name.startsWith("message.headers.")) {
      const header = name.slice(16);
      const text = stringify(value);
      // A CR or LF in a header value would let request data split or forge headers.
      if (CRLF.test(text)) throw runtimeError(`header '${header}' value contains a CR, LF or NUL character`);
      try {
        if (mode === "add") this.message.headers.append(header, text);
        else this.message.headers.set(header, text);
      } catch {
        throw runtimeError(`'${header}' is not a valid header name or value`);
      }
      this.message.setHeaders.add(header.toLowerCase());
      return;
    }
    switch (name) {
      case "message.body": {
        const text = stringify(value);
        this.message.body = text;
        // An object set as the body stays data (`message.body.a` reads it), as after `parse`.
        this.message.data = value !== null && typeof value === "object" ? { of: text, value } : undefined;
        return;
      }
      case "message.status.code": {
        const code = typeof value === "string" ? Number(value.trim()) : value;
        if (typeof code !== "number" || !Number.isInteger(code) || code < 200 || code > 599) {
          throw runtimeError(`message.status.code must be an HTTP status from 200 to 599, found ${JSON.stringify(stringify(value).slice(0, 20))}`);
        }
        this.message.status = code;
        return;
      }
      case "message.status.reason":
        if (CRLF.test(stringify(value))) throw runtimeError("message.status.reason contains a CR, LF or NUL character");
        this.message.reason = stringify(value);
        return;
      case "message.verb":
        this.message.method = stringify(value).toUpperCase();
        return;
    }
    if (/^(request|api|env|client)\./.test(name)) throw runtimeError(`variable '${name}' is read-only`);
    if (mode === "add" && Object.hasOwn(this.vars, name)) {
      const existing = this.vars[name];
      this.vars[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
      return;
    }
    this.vars[name] = value;
  }

  clear(name: string): void {
    if (name.startsWith("message.headers.")) {
      this.message.headers.delete(name.slice(16));
      this.message.setHeaders.delete(name.slice(16).toLowerCase());
      return;
    }
    if (name === "message.body") {
      this.message.body = null;
      return;
    }
    if (/^(request|api|env|client)\./.test(name) || name.startsWith("message.")) throw runtimeError(`variable '${name}' cannot be cleared`);
    delete this.vars[name];
  }

  /** The variables API Connect sets for a catch. */
  setErrorVariables(error: PolicyError): void {
    this.vars["error.name"] = error.errorName;
    this.vars["error.message"] = error.message;
    this.vars["error.status.code"] = error.status;
    this.vars["error.status.reason"] = error.reason;
  }
}
