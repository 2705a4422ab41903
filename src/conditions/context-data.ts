import { bodyText, bodyTooLarge, MAX_BUFFERED_BODY_BYTES } from "../assembly/body";
import { bodyData, type Context } from "../assembly/context";

/**
 * The value a condition sees for a context variable by its dotted name. Like `ctx.get`, with what a
 * condition language navigates into: `message.body` as data (JSON parsed), and header and parameter
 * collections as objects.
 */
export function conditionValue(ctx: Context, name: string, body: unknown): unknown {
  switch (name) {
    case "message.body":
      return body;
    case "request.headers":
      return headerObject(ctx.request.headers);
    case "message.headers":
      return headerObject(ctx.message.headers);
    case "request.parameters": {
      const params: Record<string, string> = {};
      ctx.url.searchParams.forEach((v, k) => {
        if (!Object.hasOwn(params, k)) define(params, k, v);
      });
      for (const [k, v] of Object.entries(ctx.pathParams ?? {})) define(params, k, v);
      return params;
    }
    case "message.status":
      return { code: ctx.message.status, reason: ctx.message.reason };
    case "api.operation":
      return ctx.operation ? { path: ctx.operation.path, id: ctx.operation.id, verb: ctx.operation.verb } : undefined;
  }
  return ctx.get(name);
}

/**
 * `message.body` as data: data `parse` made, a body a policy set, or, when a condition
 * reads it, the stream read once into text (at most MAX_BUFFERED_BODY_BYTES) — the message keeps that text, so it is still sent on. JSON
 * text becomes data (a JSON condition on `message.body.x` works as on API Connect); other text stays text.
 */
export async function messageBodyData(ctx: Context): Promise<unknown> {
  const message = ctx.message;
  // Data a policy made (`parse`, or an object set as the body) is the body as data already.
  const data = bodyData(message);
  if (data !== undefined) return data;
  let body: unknown = message.body;
  if (body instanceof ReadableStream) {
    const isRequest = message.isRequest;
    body = await bodyText(message, MAX_BUFFERED_BODY_BYTES, () => bodyTooLarge("condition", isRequest));
  }
  if (typeof body !== "string") return body ?? undefined;
  const first = body.trimStart()[0];
  if (first !== "{" && first !== "[" && first !== '"') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => define(out, k, v));
  return out;
}

/** An own property, even for a name such as `__proto__` (request data chooses these names). */
export function define(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
