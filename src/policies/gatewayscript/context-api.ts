import { PolicyError } from "../../assembly/errors";
import { readBuffer, readBuffers, readJson, writeBody } from "./body";
import type { ScriptRun } from "./run";

/**
 * A variable as a script may read it. `env.*` (Workers vars and secrets) is never visible to a script:
 * a definition that wants a script to see a value copies it into a variable with `set-variable` first.
 */
export function readVariable(run: ScriptRun, name: unknown): unknown {
  const key = String(name);
  if (key === "env" || key.startsWith("env.")) return undefined;
  return run.ctx.get(key);
}

/** Every header as an object (lower-case names), as DataPower's `headers` property shows them. */
export function headersObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** Header access on the current message: writes go through the context, so CR/LF checks and the set-headers record apply. */
export function messageHeaders(run: ScriptRun) {
  const ctx = run.ctx;
  return Object.freeze({
    get: (name?: unknown) => (name === undefined ? headersObject(ctx.message.headers) : (ctx.message.headers.get(String(name)) ?? undefined)),
    set(name: unknown, value: unknown) {
      run.assertActive();
      ctx.set(`message.headers.${String(name)}`, value);
    },
    add(name: unknown, value: unknown) {
      run.assertActive();
      ctx.set(`message.headers.${String(name)}`, value, "add");
    },
    remove(name: unknown) {
      run.assertActive();
      ctx.clear(`message.headers.${String(name)}`);
    },
  });
}

/** `statusCode` accepts 404, "404" or "404 Not Found" (DataPower's forms); the last also sets the reason. */
export function setStatus(run: ScriptRun, value: unknown): void {
  run.assertActive();
  const m = typeof value === "string" ? /^\s*(\d{3})(?:\s+(.+?))?\s*$/.exec(value) : null;
  run.ctx.set("message.status.code", m ? Number(m[1]) : value);
  if (m?.[2]) run.ctx.set("message.status.reason", m[2]);
}

export function setReason(run: ScriptRun, value: unknown): void {
  run.assertActive();
  run.ctx.set("message.status.reason", value);
}

/** An error a script raises by name (`context.reject`, `apim.error`): catchable by a `catch` naming it. */
export function raise(run: ScriptRun, name: unknown, message: unknown, status?: unknown, reason?: unknown): void {
  run.assertActive();
  const errorName = typeof name === "string" && name.trim() !== "" ? name : "JavaScriptError";
  const text = message === undefined || message === null ? errorName : String(message);
  const code = typeof status === "string" ? Number(status) : status;
  const explicit = typeof code === "number" && Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined;
  // Without a status of its own, the error takes the error status the script set on the message, else 500.
  const fromMessage = explicit === undefined && run.ctx.message.status >= 400 ? run.ctx.message.status : undefined;
  const httpStatus = explicit ?? fromMessage ?? 500;
  const messageReason = fromMessage !== undefined && run.ctx.message.reason !== "OK" ? run.ctx.message.reason : undefined;
  const phrase = typeof reason === "string" && reason.trim() !== "" ? reason : (messageReason ?? (httpStatus === 500 ? "Internal Server Error" : errorName));
  // As with the throw policy, the script author's message is the text the client sees when nothing catches it.
  run.fail(new PolicyError(errorName, text, { status: httpStatus, reason: phrase.replace(/[\r\n\0]/g, " "), publicMessage: text }));
}

/** The `context` object of DataPower API Gateway (v10) scripts, for one run. */
export function v10Context(run: ScriptRun) {
  const ctx = run.ctx;
  const body = Object.freeze({
    readAsJSON: (cb: unknown) => readJson(run, cb),
    readAsBuffer: (cb: unknown) => readBuffer(run, cb),
    readAsBuffers: (cb: unknown) => readBuffers(run, cb),
    write: (data: unknown) => writeBody(run, data),
  });
  const message = Object.freeze({
    header: messageHeaders(run),
    body,
    get headers() {
      return headersObject(ctx.message.headers);
    },
    get statusCode() {
      return ctx.message.status;
    },
    set statusCode(value: unknown) {
      setStatus(run, value);
    },
    get reason() {
      return ctx.message.reason;
    },
    set reason(value: unknown) {
      setReason(run, value);
    },
  });
  const request = Object.freeze({
    header: Object.freeze({
      get: (name?: unknown) => (name === undefined ? headersObject(ctx.request.headers) : (ctx.request.headers.get(String(name)) ?? undefined)),
    }),
    get headers() {
      return headersObject(ctx.request.headers);
    },
    // As the variable request.uri: the parsed URL, without the credential query parameters security removed.
    get uri() {
      return ctx.url.href;
    },
    get verb() {
      return ctx.request.method;
    },
    get path() {
      return ctx.path;
    },
    get search() {
      return ctx.url.search;
    },
    get querystring() {
      return ctx.url.search.slice(1);
    },
    // Until an invoke replaced it, the message is the request, so its body is the request's.
    body: Object.freeze({
      readAsJSON: (cb: unknown) => (ctx.message.isRequest ? readJson(run, cb) : run.deliver(cb, new Error("the request body was already sent to the origin"))),
      readAsBuffer: (cb: unknown) => (ctx.message.isRequest ? readBuffer(run, cb) : run.deliver(cb, new Error("the request body was already sent to the origin"))),
    }),
  });
  return Object.freeze({
    get: (name: unknown) => readVariable(run, name),
    set(name: unknown, value: unknown) {
      run.assertActive();
      ctx.set(String(name), value);
    },
    clear(name: unknown) {
      run.assertActive();
      ctx.clear(String(name));
    },
    reject: (name: unknown, message: unknown) => raise(run, name, message),
    message,
    request,
  });
}
