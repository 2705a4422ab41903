/**
 * A token the policy refuses (missing, malformed, forged, expired, for someone else): the client's
 * fault, answered 401. Problems with the configured keys stay KeyErrors (a server fault, 500).
 * Messages name what failed, never key material or the token itself.
 */
export class TokenRejected extends Error {
  override name = "TokenRejected";
}

/** A header value safe to quote in a log line: short and plain, or not quoted at all. */
export const quoted = (value: unknown): string => (typeof value === "string" && /^[A-Za-z0-9._:+/=-]{1,64}$/.test(value) ? `'${value}'` : "(unprintable)");
