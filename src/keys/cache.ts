/**
 * An isolate-wide cache of imported keys, so a key is parsed and imported once, not per request.
 *
 * - Keyed by the material itself (plus purpose and algorithms), never by the binding's name: a
 *   rotated secret or KV value is new material, hence a new entry. Material up to 16 KB is its own
 *   key (exact, and no hashing on the hot path); larger material is keyed by its SHA-256.
 * - Holds only settled values (imported keys), never a pending promise: Workers forbids sharing
 *   I/O across requests. Concurrent misses may import the same key twice; the last one stays.
 * - Failures are not cached: a fixed secret works on the next request.
 * - Bounded: least recently used entries are dropped beyond MAX_ENTRIES per kind.
 */
import type { JweContentAlgorithm, JweKeyAlgorithm, JwsAlgorithm } from "../jose/algorithms";
import { KeyError } from "./errors";
import { importEncryptionKey, importSigningKey, type PasswordSource } from "./import";
import type { EncryptionKey, KeyMaterial, SigningKey } from "./types";

const MAX_ENTRIES = 256;
const INLINE_LIMIT = 16 * 1024;

/** A Map in least-recently-used order: a hit moves to the end, eviction takes from the front. */
class LruCache<V> {
  readonly #entries = new Map<string, V>();
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= MAX_ENTRIES) break;
      this.#entries.delete(oldest);
    }
  }
  clear(): void {
    this.#entries.clear();
  }
  get size(): number {
    return this.#entries.size;
  }
}

const signing = new LruCache<SigningKey>();
const encryption = new LruCache<EncryptionKey>();
let imports = 0;
let hits = 0;

/** A signing key for `material` and `alg`, imported on the first use of this exact material. */
export async function getSigningKey(material: KeyMaterial, alg: JwsAlgorithm, source: string, password?: PasswordSource): Promise<SigningKey> {
  const key = await cacheKey(`sign:${alg}`, material, source);
  const cached = signing.get(key);
  if (cached) {
    hits++;
    return cached;
  }
  // Keyed by the material as stored: an encrypted key is decrypted once, on this miss.
  const imported = await importSigningKey(material, alg, source, password);
  imports++;
  signing.set(key, imported);
  return imported;
}

/** An encryption key for `material`, `alg` and `enc`, imported on the first use of this exact material. */
export async function getEncryptionKey(material: KeyMaterial, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, source: string): Promise<EncryptionKey> {
  const key = await cacheKey(`enc:${alg}:${enc}`, material, source);
  const cached = encryption.get(key);
  if (cached) {
    hits++;
    return cached;
  }
  const imported = await importEncryptionKey(material, alg, enc, source);
  imports++;
  encryption.set(key, imported);
  return imported;
}

/** Counts a reuse of a key this cache gave for the same material, held by its caller (src/policies/jwt-generate/keys.ts). */
export function countKeyCacheHit(): void {
  hits++;
}

/** Successful imports, cache hits, and entries held, since the isolate started (or the last clearKeyCache). */
export function keyCacheStats(): { imports: number; hits: number; size: number } {
  return { imports, hits, size: signing.size + encryption.size };
}

/** Empties the cache and zeroes the counters (tests). */
export function clearKeyCache(): void {
  signing.clear();
  encryption.clear();
  imports = 0;
  hits = 0;
}

/**
 * `purpose=material` for material up to INLINE_LIMIT, else `purpose#sha256`; the separators
 * differ, so an inline text can never collide with a hashed one. Purposes contain neither.
 */
async function cacheKey(purpose: string, material: KeyMaterial, source: string): Promise<string> {
  const text = typeof material === "string" ? material : canonicalJson(material, source);
  if (text.length <= INLINE_LIMIT) return `${purpose}=${text}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return `${purpose}#${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** JSON with object members sorted, so the same JWK built in a different order is the same entry. */
function canonicalJson(value: Record<string, unknown>, source: string): string {
  try {
    return JSON.stringify(value, (_name, v: unknown) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
        : v,
    );
  } catch {
    // Cycles or BigInts: not a JWK. The serializer's message is not quoted (it may show content).
    throw new KeyError(`${source} is not a JWK (not serializable as JSON)`);
  }
}
