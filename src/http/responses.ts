import type { Message } from "../assembly/context";

/** API Connect's error body: codes as strings, a reason, and a message meant for the client. */
export function apicErrorResponse(status: number, reason: string, moreInformation: string): Response {
  const body = JSON.stringify({ httpCode: String(status), httpMessage: reason, moreInformation });
  return new Response(body, {
    status,
    statusText: reason,
    headers: { "content-type": "application/json" },
  });
}

export const notFoundResponse = () => apicErrorResponse(404, "Not Found", "No resources match requested URI");

/** The path matched an operation's template, but not with this verb. */
export function methodNotAllowedResponse(allowed: readonly string[]): Response {
  const response = apicErrorResponse(405, "Method Not Allowed", "The method is not allowed for the requested URL");
  response.headers.set("allow", allowed.join(", "));
  return response;
}

/**
 * The message after the assembly, as the client's response. When no `invoke` ran, the message
 * still holds the client's own request headers; only the ones a policy set are returned
 * (so a minted Authorization header is never sent back to the client).
 */
export function messageToResponse(message: Message): Response {
  const noBody = message.status === 204 || message.status === 205 || message.status === 304 || message.method === "HEAD";
  // The origin's answer no policy changed goes out as it came (as a worker that only forwards would send it).
  const untouched = message.untouchedOrigin;
  if (untouched !== undefined && !noBody) return untouched;
  // The Response constructor copies them: no copy of our own is needed.
  let headers = message.headersView;
  if (message.isRequest) {
    const own = headers;
    headers = new Headers();
    for (const name of message.setHeaders) {
      const value = own.get(name);
      if (value !== null) headers.set(name, value);
    }
    if (typeof message.body === "string" && !headers.has("content-type")) {
      headers.set("content-type", looksLikeJson(message.body) ? "application/json" : "text/plain; charset=utf-8");
    }
  }
  return new Response(noBody ? null : message.body, { status: message.status, statusText: message.reason, headers });
}

function looksLikeJson(text: string): boolean {
  const c = text.trimStart()[0];
  return c === "{" || c === "[";
}
