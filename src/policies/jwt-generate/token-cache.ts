/**
 * x-edge.cache: minted tokens kept per isolate, so identical claims under the same key reuse a token
 * while it has at least `min-remaining` seconds left.
 *
 * - Keyed by a SHA-256 digest of everything that shapes the token except iat, exp and jti (the rendered
 *   claims, the encoded headers) and of the keys' fingerprints (keyIdentity): a rotated key has another,
 *   so it never reuses a token minted with the old one.
 * - Holds only finished tokens (strings), never a pending promise: Workers forbids sharing I/O across
 *   requests. Two concurrent misses both mint; the last one stays.
 * - Bounded in entries and in bytes; the least recently used go first.
 */

export interface TokenCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Per entry, beyond the key and token text: the Map slot and the record (an estimate, on purpose generous). */
const ENTRY_OVERHEAD = 96;

export class TokenCache {
  readonly #entries = new Map<string, { token: string; exp: number; bytes: number }>();
  #bytes = 0;

  constructor(readonly limits: TokenCacheLimits = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 }) {}

  /** The token under `key` when it still has at least `minRemaining` seconds left at `now`. */
  get(key: string, now: number, minRemaining: number): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.exp - now < minRemaining) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.token;
  }

  set(key: string, token: string, exp: number): void {
    // Strings are UTF-16 in memory: two bytes a character.
    const bytes = 2 * (key.length + token.length) + ENTRY_OVERHEAD;
    if (bytes > this.limits.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    this.#entries.set(key, { token, exp, bytes });
    this.#bytes += bytes;
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#entries.size <= this.limits.maxEntries && this.#bytes <= this.limits.maxBytes) break;
      this.#entries.delete(oldestKey);
      this.#bytes -= oldest.bytes;
    }
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/** The isolate's token cache, shared by every jwt-generate policy (each key includes the policy's identity). */
export const tokenCache = new TokenCache();

const identities = new WeakMap<object, string>();

/**
 * The key's fingerprint in the cache key: an asymmetric key's RFC 7638 thumbprint (public, and the same for
 * every import of the same key); for a shared secret, a random identity per imported key object, so it says
 * nothing about the secret (a digest of a weak secret would help brute force). Either way a rotated key
 * differs, so it never reuses a token minted with the old one.
 */
export function keyIdentity(key: object): string {
  const thumbprint = "thumbprint" in key ? key.thumbprint : undefined;
  if (typeof thumbprint === "string") return `t:${thumbprint}`;
  let id = identities.get(key);
  if (id === undefined) {
    id = `r:${crypto.randomUUID()}`;
    identities.set(key, id);
  }
  return id;
}

const encoder = new TextEncoder();

/** The cache key: base64 of SHA-256 over the parts, each length-prefixed so no two part lists collide. */
export async function cacheKey(parts: readonly string[]): Promise<string> {
  let text = "";
  for (const part of parts) text += `${part.length}:${part}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
