import type { CompiledApi } from "../assembly/api";
import type { Bindings } from "../assembly/context";
import { notFoundResponse } from "./responses";

/**
 * CORS as API Connect's DataPower API Gateway answers it when `x-ibm-configuration.cors.enabled` is true
 * (IBM: "Enabling CORS support for an API", tapim_sec_api_cors_enable): a preflight runs only the CORS
 * preflow — no security, no assembly — and every other response carries the CORS headers. IBM does not
 * list the header values; these follow DataPower's default CORS policy (any origin, echoed, with
 * credentials). See docs/policies-edge.md.
 */

/** The headers DataPower's default CORS policy exposes to scripts. */
const EXPOSED = ["APIm-Debug-Trans-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Global-Transaction-ID"];

/** An OPTIONS request a browser sends before a cross-origin request (Fetch standard, CORS-preflight request). */
export function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("origin") && request.headers.has("access-control-request-method");
}

/**
 * Answers a preflight for `api`, before operation matching: an OPTIONS the definition does not declare is
 * not a 405. A path no operation declares is still a 404. `Access-Control-Allow-Methods` lists the verbs
 * the path declares (or the requested one when the definition has no `paths`).
 */
export function preflightResponse(api: CompiledApi, rest: string, request: Request): Response {
  const requested = (request.headers.get("access-control-request-method") ?? "").toUpperCase();
  let methods: readonly string[] = [requested];
  if (!api.operations.isEmpty) {
    // An empty verb never matches, so the answer lists what the path declares.
    const match = api.operations.match(rest, "");
    if (match.kind === "no-path") return notFoundResponse();
    if (match.kind === "no-verb") methods = match.allowed;
  }
  const headers = new Headers({
    "access-control-allow-origin": request.headers.get("origin") ?? "",
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": methods.join(","),
    "access-control-expose-headers": EXPOSED.join(","),
    vary: "Origin",
  });
  const asked = request.headers.get("access-control-request-headers");
  if (asked !== null && asked.trim() !== "") headers.set("access-control-allow-headers", asked);
  return new Response(null, { status: 200, headers });
}

/**
 * Adds the CORS response headers to a response of a CORS-enabled API, when the request came from a browser
 * page (it has an `Origin`). The origin's own `Access-Control-Expose-Headers` are kept, after DataPower's.
 */
export function withCorsHeaders(response: Response, request: Request): Response {
  const origin = request.headers.get("origin");
  if (origin === null) return response;
  // A response straight from fetch has immutable headers: copy it (the body stream is moved, not read).
  const out = new Response(response.body, response);
  out.headers.set("access-control-allow-origin", origin);
  out.headers.set("access-control-allow-credentials", "true");
  const own = response.headers.get("access-control-expose-headers");
  out.headers.set("access-control-expose-headers", own ? `${EXPOSED.join(",")},${own}` : EXPOSED.join(","));
  out.headers.append("vary", "Origin");
  return out;
}

/**
 * The gateway's CORS step, wrapped around the gateway's handler: `route` finds the API for a path (the gateway's
 * own routing). For an API without CORS it does nothing but that lookup; the gateway installs it only when some
 * API enables CORS.
 */
export function withCors(
  route: (path: string) => { api: CompiledApi; rest: string } | undefined,
  handler: (request: Request, env: Bindings) => Promise<Response>,
): (request: Request, env: Bindings) => Promise<Response> {
  return async (request, env) => {
    const found = route(new URL(request.url).pathname);
    if (!found?.api.cors) return handler(request, env);
    if (isPreflight(request)) return preflightResponse(found.api, found.rest, request);
    return withCorsHeaders(await handler(request, env), request);
  };
}
