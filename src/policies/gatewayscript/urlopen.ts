import { ScriptBuffer, bytesOf } from "./body";
import { headersObject } from "./context-api";
import type { ScriptRun } from "./run";

/** DataPower's default urlopen timeout is long; here a call that waits this long gives up (seconds). */
export const URLOPEN_DEFAULT_TIMEOUT_S = 20;
const MAX_TIMEOUT_S = 300;

/**
 * The error object urlopen hands its callback, shaped as DataPower's GatewayScript errors are
 * (`errorMessage`, `errorDescription`, `errorSuggestion` besides `message`). The text names the host,
 * never the query string, which may carry credentials.
 */
function urlopenError(message: string, description: string, suggestion: string): Error {
  const error = new Error(message);
  error.name = "URLOpenError";
  Object.assign(error, { errorMessage: message, errorDescription: description, errorSuggestion: suggestion });
  return error;
}

interface OpenOptions {
  url: URL;
  method: string;
  headers: Headers;
  body: string | Uint8Array<ArrayBuffer> | undefined;
  timeoutS: number;
}

/** `urlopen.open(target | {target, method, headers, data, timeout, contentType}, cb)`: options read as DataPower documents them. */
function readOptions(options: unknown): OpenOptions | string {
  const o: Record<string, unknown> = typeof options === "string" ? { target: options } : options !== null && typeof options === "object" ? (options as Record<string, unknown>) : {};
  let url: URL;
  try {
    url = new URL(String(o.target ?? ""));
  } catch {
    return "the target is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the target's protocol '${url.protocol}' is not supported here (http and https only)`;
  const headers = new Headers();
  if (o.headers !== null && typeof o.headers === "object") {
    for (const [name, value] of Object.entries(o.headers)) {
      try {
        headers.set(name, String(value));
      } catch {
        return `header '${name}' is not a valid header`;
      }
    }
  }
  if (typeof o.contentType === "string" && !headers.has("content-type")) headers.set("content-type", o.contentType);
  const body = o.data === undefined || o.data === null ? undefined : bytesOf(o.data);
  const method = typeof o.method === "string" && o.method !== "" ? o.method.toUpperCase() : body === undefined ? "GET" : "POST";
  const t = typeof o.timeout === "string" ? Number(o.timeout) : o.timeout;
  const timeoutS = typeof t === "number" && t > 0 ? Math.min(t, MAX_TIMEOUT_S) : URLOPEN_DEFAULT_TIMEOUT_S;
  return { url, method, headers, body: method === "GET" || method === "HEAD" ? undefined : body, timeoutS };
}

/** The response object urlopen hands its callback; its body is read once, on the first read call. */
function scriptResponse(run: ScriptRun, response: Response) {
  let bytes: Promise<Uint8Array> | undefined;
  const read = () => (bytes ??= response.arrayBuffer().then((b) => new Uint8Array(b)));
  const readInto = (callback: unknown, convert: (b: Uint8Array) => unknown) =>
    run.track(async () => {
      let value: unknown;
      try {
        value = convert(await read());
      } catch (e) {
        run.deliver(callback, e instanceof Error ? e : new Error("could not read the response"));
        return;
      }
      run.deliver(callback, null, value);
    });
  return Object.freeze({
    statusCode: response.status,
    reasonPhrase: response.statusText,
    headers: headersObject(response.headers),
    get: (name: unknown) => response.headers.get(String(name)) ?? undefined,
    readAsJSON: (cb: unknown) => readInto(cb, (b) => JSON.parse(new TextDecoder().decode(b)) as unknown),
    readAsBuffer: (cb: unknown) => readInto(cb, (b) => new ScriptBuffer(b)),
    readAsBuffers: (cb: unknown) => readInto(cb, (b) => [new ScriptBuffer(b)]),
  });
}

/** `require('urlopen')`: a second service called with `fetch`, tracked so the policy waits for its callback. */
export function urlopenModule(run: ScriptRun) {
  return Object.freeze({
    open(options: unknown, callback: unknown) {
      const opts = readOptions(options);
      if (typeof opts === "string") {
        run.track(async () => run.deliver(callback, urlopenError(`urlopen: ${opts}`, "The options of urlopen.open() are not valid.", "Check the target URL and the options.")));
        return;
      }
      run.track(async () => {
        let response: Response;
        try {
          response = await fetch(opts.url, {
            method: opts.method,
            headers: opts.headers,
            body: opts.body,
            redirect: "manual",
            signal: AbortSignal.any([run.ended.signal, AbortSignal.timeout(Math.round(opts.timeoutS * 1000))]),
          });
        } catch (e) {
          const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
          run.deliver(
            callback,
            timedOut
              ? urlopenError(`urlopen: ${opts.url.host} did not answer within ${opts.timeoutS} s`, "The connection to the target timed out.", "Check that the target is up, or raise the timeout option.")
              : urlopenError(`urlopen: could not connect to ${opts.url.host}`, "Failed to establish a backside connection.", "Check that the target URL is right and the service is reachable."),
          );
          return;
        }
        run.deliver(callback, null, scriptResponse(run, response));
      });
    },
  });
}
