import { Hono } from "hono/tiny";
import type { CompiledApi } from "./assembly/api";
import { Context, type Bindings } from "./assembly/context";
import { PolicyError } from "./assembly/errors";
import { logError } from "./assembly/log";
import { runAssembly } from "./assembly/run";
import { SecurityGate } from "./security/enforce";
import { withCors } from "./http/cors";
import { canonicalPath } from "./routing/canonical-path";
import type { Operation } from "./routing/operations";
import { JwksEndpoint, jwksPath } from "./http/jwks";
import { apicErrorResponse, messageToResponse, methodNotAllowedResponse, notFoundResponse } from "./http/responses";

/** Finds the API whose base path is the longest prefix of `path`, on a segment boundary. */
export function routeFor(apis: readonly CompiledApi[], path: string): { api: CompiledApi; rest: string } | undefined {
  for (const api of apis) {
    const base = api.basePath;
    if (path === base || path.startsWith(base + "/") || (base === "" && path.startsWith("/"))) {
      return { api, rest: path.slice(base.length) };
    }
  }
  return undefined;
}

/**
 * A path segment `..;x` or `.;x` (percent-encoded dots too): URL parsing leaves it alone, but servlet containers
 * (Tomcat, Jetty) drop the `;…` part and then treat it as `..`, so it would walk out of the path the API exposes.
 * Decision (docs/strict-definitions.md, "..; in a request path"): refuse the request with 400, before routing.
 */
export function hasDotSegmentWithParameters(pathname: string): boolean {
  if (!pathname.includes(";")) return false;
  return pathname.split("/").some((segment) => /^\.{1,2};/.test(segment.replace(/%2e/gi, ".")));
}

/** `%5C` is a `\`, which some origins (IIS) read as `/`: a path with one could mean another path there. */
const ENCODED_BACKSLASH = /%5c/i;

/**
 * A path with `;` parameters reads two ways: as written (most origins) and with each segment's `;…` cut
 * (servlet containers). When the two select different operations, the request could pass one operation's
 * security and reach the other's resource, so it is refused (docs/strict-definitions.md).
 */
function ambiguousByParameters(api: CompiledApi, rest: string, verb: string, chosen: Operation): boolean {
  const cut = rest.replace(/;[^/]*/g, "");
  const other = api.operations.match(cut, verb);
  return other.kind !== "found" || other.operation !== chosen;
}

function ownStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // A client that goes away mid-body ends the response early; there is nobody left to tell.
  body.pipeTo(writable).catch(() => undefined);
  return readable;
}

/** The gateway's request handler, before Hono mounts it. */
interface Handler {
  fetch(request: Request, env?: Bindings): Promise<Response>;
}

/** The worker: a Hono app (what `export default` gives workerd, and what tests drive with `app.fetch`). */
export type Gateway = Hono<{ Bindings: Bindings }>;

/**
 * The worker: routes each request by base path and runs that API's assembly.
 * `apis` are compiled once (at module load), never per request.
 *
 * The app has one catch-all route, on Hono's tiny preset (PatternRouter: one regular expression, no router
 * build). The handler behind it works on the raw Request and answers its own faults: it does not use Hono's
 * Context or HonoRequest, which measured as per-request work that bought nothing here (bench --profile-e2e).
 * A thrown error becomes the generic 500, CORS wraps the handler (an error response gets the CORS headers too),
 * and a HEAD answer never has a body.
 */
export function createGateway(apis: readonly CompiledApi[]): Gateway {
  const handler = createHandler(apis);
  const app = new Hono<{ Bindings: Bindings }>();
  app.all("*", (c) => handler.fetch(c.req.raw, c.env ?? {}));
  return app;
}

function createHandler(apis: readonly CompiledApi[]): Handler {
  // Longest base path first, so `/a/b` wins over `/a`.
  const ordered = [...apis].sort((a, b) => b.basePath.length - a.basePath.length);
  const security = new SecurityGate(ordered);
  const jwks = new JwksEndpoint(apis);

  async function handle(request: Request, env: Bindings): Promise<Response> {
    const url = new URL(request.url);
    // `/%61dmin` is `/admin` (src/routing/canonical-path.ts): routed and matched as such.
    const pathname = canonicalPath(url.pathname);
    if (hasDotSegmentWithParameters(pathname) || ENCODED_BACKSLASH.test(pathname)) return apicErrorResponse(400, "Bad Request", "Invalid request path");
    // Our public keys for origins, before API routing (src/http/jwks.ts; JWKS_PATH="" turns it off).
    if (pathname === jwksPath(env)) return jwks.respond(request, env);
    const route = routeFor(ordered, pathname);
    if (!route) return notFoundResponse();
    const ctx = new Context(request, route.api, env, route.rest, url);
    if (!route.api.operations.isEmpty) {
      const match = route.api.operations.match(route.rest, request.method);
      if (match.kind === "no-path") return notFoundResponse();
      if (match.kind === "no-verb") return methodNotAllowedResponse(match.allowed);
      if (route.rest.includes(";") && ambiguousByParameters(route.api, route.rest, request.method, match.operation)) {
        return apicErrorResponse(400, "Bad Request", "Invalid request path");
      }
      ctx.operation = match.operation;
      ctx.pathParams = match.params;
    }
    // Security requirements (client ID, secret), before the assembly: a refusal is final, as on API Connect.
    // An API with no security requirements skips the gate (and its await) altogether.
    if (route.api.security) {
      const refused = await security.enforce(ctx, env);
      if (refused) return refused;
    }
    try {
      await runAssembly(route.api.assembly, ctx);
    } catch (e) {
      if (e instanceof PolicyError) return apicErrorResponse(e.status, e.reason, e.publicMessage);
      throw e;
    }
    // No invoke took the client's body: it becomes the response body. It is piped through a stream of our own, so
    // the response owns it; a host that drains unread request bodies after the handler (wrangler dev does) would
    // otherwise empty it under the response ("Body has already been used").
    if (ctx.message.body !== null && ctx.message.body === request.body) ctx.message.body = ownStream(ctx.message.body);
    return messageToResponse(ctx.message);
  }

  /** The handler with the gateway's own faults answered generically. */
  async function answer(request: Request, env: Bindings): Promise<Response> {
    try {
      return await handle(request, env);
    } catch (err) {
      return gatewayFault(err);
    }
  }

  // CORS (x-ibm-configuration.cors.enabled): preflights answered before operations and security.
  const cors = ordered.some((api) => api.cors) ? withCors((path) => routeFor(ordered, canonicalPath(path)), answer) : undefined;

  return {
    async fetch(request, env = {}) {
      let response: Response;
      try {
        response = await (cors ?? answer)(request, env);
      } catch (err) {
        response = gatewayFault(err);
      }
      // A HEAD answer carries the GET answer's status and headers, never a body.
      return request.method === "HEAD" ? new Response(null, response) : response;
    },
  };
}

/** A fault of the gateway itself: logged by class only, answered generically. */
function gatewayFault(err: unknown): Response {
  const name = err instanceof Error ? err.name : typeof err;
  logError({ api: "", policy: "", error: "GatewayError", message: `unexpected ${name}`, caught: false });
  return apicErrorResponse(500, "Internal Server Error", "Internal Server Error");
}
