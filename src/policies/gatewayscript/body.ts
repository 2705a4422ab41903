import { bodyTooLarge, MAX_BUFFERED_BODY_BYTES, readBounded } from "../../assembly/body";
import { ScriptBuffer } from "./buffer";
import type { ScriptRun } from "./run";

export { ScriptBuffer };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const looseUtf8 = new TextDecoder();

/** Reads the current message's body once per run (at most MAX_BUFFERED_BODY_BYTES); a stream is replaced by what was read, so later readers and `invoke` see the same bytes. */
export async function bodyBytes(run: ScriptRun): Promise<Uint8Array<ArrayBuffer>> {
  const message = run.ctx.message;
  const body = message.body;
  if (body === null) return new Uint8Array();
  if (typeof body === "string") return new Uint8Array(utf8.encode(body));
  if (run.reading?.stream !== body) {
    const isRequest = message.isRequest;
    const bytes = readBounded(body, MAX_BUFFERED_BODY_BYTES).then((b) => {
      if (b === undefined) throw bodyTooLarge(run.title, isRequest);
      return b;
    });
    run.reading = { stream: body, bytes };
  }
  const bytes = await run.reading.bytes;
  if (message.body === body) message.body = textOrStream(bytes);
  return bytes;
}

/** Text when the bytes are UTF-8 (the common case, readable by templates), else a fresh stream of them. */
function textOrStream(bytes: Uint8Array<ArrayBuffer>): string | ReadableStream<Uint8Array> {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return new Response(bytes).body as ReadableStream<Uint8Array>;
  }
}

export const bodyText = async (run: ScriptRun): Promise<string> => looseUtf8.decode(await bodyBytes(run));

/** Reads the body as JSON for a `readAsJSON(cb)`-style callback: `cb(error, value)`. */
export function readJson(run: ScriptRun, callback: unknown): void {
  run.track(async () => {
    const text = await bodyText(run);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      run.deliver(callback, e instanceof Error ? e : new SyntaxError("the body is not JSON"));
      return;
    }
    run.deliver(callback, null, value);
  });
}

export function readBuffer(run: ScriptRun, callback: unknown): void {
  run.track(async () => {
    const bytes = await bodyBytes(run);
    run.deliver(callback, null, new ScriptBuffer(bytes));
  });
}

/** `readAsBuffers`: DataPower hands a list of buffers; one buffer holding the whole body is such a list. */
export function readBuffers(run: ScriptRun, callback: unknown): void {
  run.track(async () => {
    const bytes = await bodyBytes(run);
    run.deliver(callback, null, [new ScriptBuffer(bytes)]);
  });
}

/** Bytes of what a script writes: text as UTF-8, bytes as they are, anything else as JSON. */
export function bytesOf(data: unknown): Uint8Array<ArrayBuffer> | string {
  if (typeof data === "string") return data;
  if (data instanceof Uint8Array) return new Uint8Array(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    const total = data.reduce((n: number, d: Uint8Array) => n + d.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, at);
      at += d.length;
    }
    return out;
  }
  return JSON.stringify(data) ?? "";
}

/** `write(data)`: the message's new body. The old Content-Length no longer holds, so it goes (fetch and the response set their own). */
export function writeBody(run: ScriptRun, data: unknown): void {
  run.assertActive();
  const value = bytesOf(data);
  if (typeof value === "string" && value !== "" && data !== null && typeof data === "object") {
    // Written as JSON: the body stays data too (`message.body.a` in a template), from a copy, so a later
    // change to the script's object cannot make the data and the text disagree.
    run.ctx.set("message.body", JSON.parse(value) as unknown);
  } else run.ctx.message.body = typeof value === "string" ? value : textOrStream(value);
  run.ctx.message.headers.delete("content-length");
}
