/**
 * `require('url')` and `require('querystring')`: the Node-style modules DataPower provides, written
 * here over WHATWG URL because Workers have no Node modules without the compatibility flag.
 * Stateless, so one frozen copy serves every request.
 */

type Query = Record<string, string | string[]>;

function unescapeComponent(text: string): string {
  const plus = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** `querystring.parse("a=1&a=2&b")` → `{a: ["1", "2"], b: ""}`. */
function parse(text: unknown, sep: unknown = "&", eq: unknown = "="): Query {
  const out: Query = Object.create(null) as Query;
  if (typeof text !== "string" || text === "") return out;
  const s = typeof sep === "string" && sep ? sep : "&";
  const e = typeof eq === "string" && eq ? eq : "=";
  for (const part of text.split(s)) {
    if (part === "") continue;
    const at = part.indexOf(e);
    const key = unescapeComponent(at < 0 ? part : part.slice(0, at));
    const value = at < 0 ? "" : unescapeComponent(part.slice(at + e.length));
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

const scalar = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");

function stringify(obj: unknown, sep: unknown = "&", eq: unknown = "="): string {
  if (obj === null || typeof obj !== "object") return "";
  const s = typeof sep === "string" && sep ? sep : "&";
  const e = typeof eq === "string" && eq ? eq : "=";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const k = encodeURIComponent(key);
    if (Array.isArray(value)) for (const v of value) parts.push(`${k}${e}${encodeURIComponent(scalar(v))}`);
    else parts.push(`${k}${e}${encodeURIComponent(scalar(value))}`);
  }
  return parts.join(s);
}

export const querystringModule = Object.freeze({
  parse,
  decode: parse,
  stringify,
  encode: stringify,
  escape: (text: unknown) => encodeURIComponent(String(text)),
  unescape: (text: unknown) => unescapeComponent(String(text)),
});

/** Node's legacy `url.parse` result, for absolute URLs and for paths (`/a?b=1`). */
function parseUrl(text: unknown, parseQuery?: unknown) {
  const input = String(text);
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(input);
  let url: URL;
  try {
    url = new URL(input, absolute ? undefined : "http://relative.invalid");
  } catch {
    throw new TypeError(`url.parse: not a URL: ${input.slice(0, 100)}`);
  }
  const search = url.search || null;
  return {
    protocol: absolute ? url.protocol : null,
    slashes: absolute ? input.slice(url.protocol.length).startsWith("//") : null,
    auth: absolute && url.username ? `${decodeURIComponent(url.username)}${url.password ? `:${decodeURIComponent(url.password)}` : ""}` : null,
    host: absolute ? url.host : null,
    port: absolute ? url.port || null : null,
    hostname: absolute ? url.hostname : null,
    hash: url.hash || null,
    search,
    query: parseQuery === true ? parse(url.search.slice(1)) : search ? search.slice(1) : null,
    pathname: url.pathname,
    path: url.pathname + url.search,
    href: absolute ? url.href : input,
  };
}

/** Node's legacy `url.format(obj)` (a string is returned as it is). */
function formatUrl(obj: unknown): string {
  if (typeof obj === "string") return obj;
  if (obj === null || typeof obj !== "object") return "";
  const o = obj as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : typeof o[k] === "number" ? String(o[k]) : "");
  const protocol = str("protocol") ? (str("protocol").endsWith(":") ? str("protocol") : `${str("protocol")}:`) : "";
  const host = str("host") || (str("hostname") ? `${str("hostname")}${str("port") ? `:${str("port")}` : ""}` : "");
  const auth = str("auth") ? `${str("auth")}@` : "";
  const search = str("search") || (o.query && typeof o.query === "object" ? `?${stringify(o.query)}` : str("query") ? `?${str("query")}` : "");
  const hash = str("hash");
  return `${protocol}${host ? `//${auth}${host}` : ""}${str("pathname")}${search}${hash}`;
}

export const urlModule = Object.freeze({
  parse: parseUrl,
  format: formatUrl,
  resolve: (from: unknown, to: unknown) => new URL(String(to), new URL(String(from), "http://relative.invalid")).href.replace(/^http:\/\/relative\.invalid/, ""),
  URL,
  URLSearchParams,
});
