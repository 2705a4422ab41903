import type { Message } from "./context";
import { PolicyError } from "./errors";

/**
 * The most a policy buffers of a body it must read whole (a condition on `message.body`, a GatewayScript
 * read): DataPower's default parse settings' document size. An isolate's memory is shared by its requests,
 * so one large upload must not be read into memory whole.
 */
export const MAX_BUFFERED_BODY_BYTES = 4 * 1024 * 1024;

/** All of `stream`, or undefined (the stream cancelled) when it is longer than `limit` bytes. */
export async function readBounded(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/**
 * Reads a message's body as text, buffering a stream at most `limit` bytes long. Used by policies that need
 * the whole payload (parse); invoke and the response keep streaming. The text replaces the stream, so the
 * body can still be forwarded or returned afterwards.
 */
export async function bodyText(message: Pick<Message, "body">, limit: number, errorFor: (detail: string) => PolicyError): Promise<string> {
  const body = message.body;
  if (body === null) return "";
  if (typeof body === "string") return body;
  const bytes = await readBounded(body, limit);
  if (bytes === undefined) {
    message.body = null;
    throw errorFor(`the body is larger than ${limit} bytes`);
  }
  const text = new TextDecoder().decode(bytes);
  message.body = text;
  return text;
}

/** The error for a body over MAX_BUFFERED_BODY_BYTES: the client's (413) while it is still the request. */
export function bodyTooLarge(who: string, isRequest: boolean): PolicyError {
  const detail = `${who}: the message body is larger than ${MAX_BUFFERED_BODY_BYTES} bytes`;
  return isRequest
    ? new PolicyError("RuntimeError", detail, { status: 413, reason: "Payload Too Large", publicMessage: "The message body is too large" })
    : new PolicyError("RuntimeError", detail);
}
