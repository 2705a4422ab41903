import type { ConfigReader } from "../../config/reader";
import { renderTemplate, type Template } from "../../assembly/template";
import type { Context } from "../../assembly/context";

/**
 * `cache-response` (IBM: rapim_cli_policies_invoke): `protocol` honours the origin's Cache-Control,
 * `time-to-live` keeps a response `cache-ttl` seconds (5–31708800, default 900), `no-cache` never caches.
 * Stored in the Workers Cache API (caches.default, per data centre). Only GET responses with status 200
 * and no Set-Cookie are stored; a request with an Authorization header is never answered from or stored in
 * the cache (IBM: "It is not possible to cache a request that includes the Authorization request header").
 */
export interface CacheSettings {
  readonly mode: "protocol" | "time-to-live";
  readonly ttl: number;
  readonly key: Template | undefined;
}

const MODES = ["protocol", "no-cache", "time-to-live"] as const;

/** Workers' default cache (typed here too for the Node-side type check, whose DOM CacheStorage lacks it). */
const edgeCache = (): Cache => (caches as CacheStorage & { default: Cache }).default;

/** Absent `cache-response` caches nothing ([ours]: as before caching existed; see docs/policies-edge.md). */
export function readCache(config: Record<string, unknown>, path: string, reader: ConfigReader): CacheSettings | undefined {
  const mode = reader.oneOf(config, "cache-response", path, MODES);
  const ttl = reader.integer(config, "cache-ttl", path, { min: 5, max: 31_708_800, fallback: 900 }) ?? 900;
  const key = reader.template(config, "cache-key", path);
  if (mode === undefined || mode === "no-cache") return undefined;
  return { mode, ttl, key: key && key.source !== "" ? key : undefined };
}

/** The Cache API key: the target URL, or the rendered `cache-key` under a reserved host. */
function keyFor(settings: CacheSettings, url: URL, ctx: Context): Request {
  const custom = settings.key ? renderTemplate(settings.key, ctx) : "";
  return new Request(custom !== "" ? `https://invoke-cache.invalid/${encodeURIComponent(custom)}` : url.toString());
}

export function cacheable(method: string, headers: Headers): boolean {
  return method === "GET" && !headers.has("authorization");
}

export async function cached(settings: CacheSettings, url: URL, ctx: Context): Promise<Response | undefined> {
  return (await edgeCache().match(keyFor(settings, url, ctx))) ?? undefined;
}

/** Stores a copy of `response` and returns the one to use (the body is split in two: the cache reads one). */
export async function store(settings: CacheSettings, url: URL, ctx: Context, response: Response): Promise<Response> {
  if (response.status !== 200 || response.headers.has("set-cookie")) return response;
  if (settings.mode === "protocol" && !response.headers.has("cache-control")) return response;
  const forClient = new Response(response.body, response);
  const forCache = forClient.clone();
  const headers = new Headers(forCache.headers);
  if (settings.mode === "time-to-live") headers.set("cache-control", `max-age=${settings.ttl}`);
  try {
    await edgeCache().put(keyFor(settings, url, ctx), new Response(forCache.body, { status: 200, statusText: forCache.statusText, headers }));
  } catch {
    // Not storable (for example `no-store`): the response is still answered.
  }
  return forClient;
}
