import { connectionError } from "../assembly/errors";
import { parseTemplate, renderTemplate } from "../assembly/template";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

const VERBS = ["keep", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

/** Headers that belong to one hop, not to the message (RFC 9110 §7.6.1), and ones fetch sets itself. */
const NOT_FORWARDED = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "host", "trailer"];

/**
 * `invoke`: sends the current message to `target-url` and makes the origin's response the message.
 * Bodies stream through; an unreachable origin or a timeout is a ConnectionError.
 */
export const compileInvoke: PolicyCompiler = (config, path, reader) => {
  const target = reader.string(config, "target-url", path, { required: true });
  const verb = reader.oneOf(config, "verb", path, VERBS) ?? "keep";
  const timeoutSeconds = reader.number(config, "timeout", path, { min: 1, max: 86_400, fallback: 60 });
  if (target === undefined) return undefined;
  const targetUrl = parseTemplate(target);
  const timeoutMs = Math.round(timeoutSeconds * 1000);

  return {
    kind: "invoke",
    title: titleOf(config, "invoke"),
    async run(ctx) {
      const text = renderTemplate(targetUrl, ctx);
      let url: URL;
      try {
        url = new URL(text);
        if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("scheme");
      } catch {
        throw connectionError(`invoke: target-url does not resolve to an http(s) URL`);
      }
      const message = ctx.message;
      const method = verb === "keep" ? message.method : verb;
      const headers = new Headers(message.headers);
      for (const name of NOT_FORWARDED) headers.delete(name);
      const hasBody = method !== "GET" && method !== "HEAD" && message.body !== null;
      if (!hasBody) headers.delete("content-length");
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: hasBody ? message.body : null,
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
        // The log names the host, never the query string (it may carry credentials).
        throw connectionError(
          timedOut
            ? `invoke: ${url.host} did not answer within ${timeoutSeconds} s`
            : `invoke: could not connect to ${url.host} (${e instanceof Error ? e.name : "error"})`,
        );
      }
      message.headers = new Headers(response.headers);
      message.body = response.body;
      message.status = response.status;
      message.reason = response.statusText;
      message.isRequest = false;
      message.setHeaders.clear();
    },
  };
};
