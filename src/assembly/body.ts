import type { Message } from "./context";
import { PolicyError } from "./errors";

/**
 * Reads a message's body as text, buffering a stream at most `limit` bytes long. Used by policies that need
 * the whole payload (parse); invoke and the response keep streaming. The text replaces the stream, so the
 * body can still be forwarded or returned afterwards.
 */
export async function bodyText(message: Pick<Message, "body">, limit: number, errorFor: (detail: string) => PolicyError): Promise<string> {
  const body = message.body;
  if (body === null) return "";
  if (typeof body === "string") return body;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      message.body = null;
      throw errorFor(`the body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  message.body = text;
  return text;
}
