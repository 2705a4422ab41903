import { Hono } from "hono";
import type { CompiledApi } from "./assembly/api";
import { Context, type Bindings } from "./assembly/context";
import { PolicyError } from "./assembly/errors";
import { logError } from "./assembly/log";
import { runAssembly } from "./assembly/run";
import { SecurityGate } from "./security/enforce";
import { corsMiddleware } from "./http/cors";
import { canonicalPath } from "./routing/canonical-path";
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

function ownStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // A client that goes away mid-body ends the response early; there is nobody left to tell.
  body.pipeTo(writable).catch(() => undefined);
  return readable;
}

/**
 * The worker: routes each request by base path and runs that API's assembly.
 * `apis` are compiled once (at module load), never per request.
 */
export function createGateway(apis: readonly CompiledApi[]): Hono<{ Bindings: Bindings }> {
  // Longest base path first, so `/a/b` wins over `/a`.
  const ordered = [...apis].sort((a, b) => b.basePath.length - a.basePath.length);
  const security = new SecurityGate(ordered);
  const app = new Hono<{ Bindings: Bindings }>();
  const jwks = new JwksEndpoint(apis);
  // CORS (x-ibm-configuration.cors.enabled): preflights answered before operations and security.
  if (ordered.some((api) => api.cors)) app.use("*", corsMiddleware((path) => routeFor(ordered, canonicalPath(path))));

  app.all("*", async (c) => {
    const url = new URL(c.req.url);
    // `/%61dmin` is `/admin` (src/routing/canonical-path.ts): routed and matched as such.
    const pathname = canonicalPath(url.pathname);
    if (hasDotSegmentWithParameters(pathname)) return apicErrorResponse(400, "Bad Request", "Invalid request path");
    // Our public keys for origins, before API routing (src/http/jwks.ts; JWKS_PATH="" turns it off).
    if (pathname === jwksPath(c.env ?? {})) return jwks.respond(c.req.raw, c.env ?? {});
    const route = routeFor(ordered, pathname);
    if (!route) return notFoundResponse();
    const ctx = new Context(c.req.raw, route.api, c.env ?? {}, route.rest, url);
    if (!route.api.operations.isEmpty) {
      const match = route.api.operations.match(route.rest, c.req.method);
      if (match.kind === "no-path") return notFoundResponse();
      if (match.kind === "no-verb") return methodNotAllowedResponse(match.allowed);
      ctx.operation = match.operation;
      ctx.pathParams = match.params;
    }
    // Security requirements (client ID, secret), before the assembly: a refusal is final, as on API Connect.
    // An API with no security requirements skips the gate (and its await) altogether.
    if (route.api.security) {
      const refused = await security.enforce(ctx, c.env ?? {});
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
    if (ctx.message.body !== null && ctx.message.body === c.req.raw.body) ctx.message.body = ownStream(ctx.message.body);
    return messageToResponse(ctx.message);
  });

  // A fault of the gateway itself: logged by class only, answered generically.
  app.onError((err) => {
    logError({ api: "", policy: "", error: "GatewayError", message: `unexpected ${err.name}`, caught: false });
    return apicErrorResponse(500, "Internal Server Error", "Internal Server Error");
  });
  return app;
}
