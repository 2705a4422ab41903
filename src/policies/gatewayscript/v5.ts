import { readBuffer, readBuffers, readJson, writeBody } from "./body";
import { headersObject, messageHeaders, raise, readVariable, setReason, setStatus } from "./context-api";
import type { ScriptRun } from "./run";

/** `require('apim')`: the v5 (DataPower Gateway) API Connect module, for one run. */
export function apimModule(run: ScriptRun) {
  const ctx = run.ctx;
  return Object.freeze({
    getvariable: (name: unknown) => readVariable(run, name),
    getContext: (name: unknown) => readVariable(run, name),
    /** `setvariable(name, value, action)`: action `set` (the default), `add` or `clear`. */
    setvariable(name: unknown, value: unknown, action?: unknown) {
      run.assertActive();
      const mode = typeof action === "string" ? action.toLowerCase() : "set";
      if (mode === "clear") ctx.clear(String(name));
      else ctx.set(String(name), value, mode === "add" ? "add" : "set");
    },
    readInputAsJSON: (cb: unknown) => readJson(run, cb),
    readInputAsBuffer: (cb: unknown) => readBuffer(run, cb),
    readInputAsBuffers: (cb: unknown) => readBuffers(run, cb),
    /** `output(contentType)`: the content type of what the script writes with `session.output.write`. */
    output(contentType: unknown) {
      run.assertActive();
      ctx.set("message.headers.content-type", String(contentType));
    },
    /** `error(name, httpCode, httpReason, message)`: raises the named error, catchable by a `catch`. */
    error: (name: unknown, status: unknown, reason: unknown, message: unknown) => raise(run, name, message, status, reason),
  });
}

/** DataPower's `session` object: the policy's input and output are the current message. */
export function sessionObject(run: ScriptRun) {
  const input = Object.freeze({
    readAsJSON: (cb: unknown) => readJson(run, cb),
    readAsBuffer: (cb: unknown) => readBuffer(run, cb),
    readAsBuffers: (cb: unknown) => readBuffers(run, cb),
  });
  return Object.freeze({
    input,
    output: Object.freeze({ write: (data: unknown) => writeBody(run, data) }),
    /** The policy's title: the name of this step of the assembly. */
    name: run.title,
    /** `reject(reason)`: fails the policy with a JavaScriptError whose message the client sees. */
    reject: (reason: unknown) => raise(run, "JavaScriptError", reason),
  });
}

/** `require('header-metadata')`: `current`/`response` are the message's headers, `original` the client's request. */
export function headerMetadataModule(run: ScriptRun) {
  const ctx = run.ctx;
  const current = Object.freeze({
    ...messageHeaders(run),
    get headers() {
      return headersObject(ctx.message.headers);
    },
    get statusCode() {
      return ctx.message.status;
    },
    set statusCode(value: unknown) {
      setStatus(run, value);
    },
    get reasonPhrase() {
      return ctx.message.reason;
    },
    set reasonPhrase(value: unknown) {
      setReason(run, value);
    },
  });
  const original = Object.freeze({
    get: (name?: unknown) => (name === undefined ? headersObject(ctx.request.headers) : (ctx.request.headers.get(String(name)) ?? undefined)),
    get headers() {
      return headersObject(ctx.request.headers);
    },
  });
  return Object.freeze({ current, response: current, original });
}
