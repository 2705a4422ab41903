/** A percent-escape whose character is unreserved (RFC 3986 §2.3: ALPHA, DIGIT, `-`, `.`, `_`, `~`). */
const ESCAPE = /%[0-9A-Fa-f]{2}/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * The request path with percent-escapes of unreserved characters decoded (RFC 3986 §6.2.2.2: `/%61dmin` and
 * `/admin` are the same path, and origins treat them so). Routing and operation matching use this form, so an
 * escaped spelling cannot miss a literal path (and its security) and fall through to a template such as
 * `/{id}`. Other escapes (`%2F`, `%20`, UTF-8) are kept as written. Dot segments were already resolved by URL
 * parsing (including `%2e%2e`), so decoding `.` cannot make new ones.
 */
export function canonicalPath(pathname: string): string {
  if (!pathname.includes("%")) return pathname;
  return pathname.replace(ESCAPE, (escape) => {
    const c = String.fromCharCode(parseInt(escape.slice(1), 16));
    return UNRESERVED.test(c) ? c : escape;
  });
}
