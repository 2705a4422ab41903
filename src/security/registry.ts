import { parseAppRecord, type AppRecord } from "./app-record";
import { derive, fromBase64Url } from "./secret-hash";

/** How long a record read from KV is used before it is read again (per isolate). */
export const APP_TTL_MS = 30_000;
/** How long "no such client ID" is remembered, so one unknown ID cannot make every request read KV. */
export const MISSING_TTL_MS = 10_000;
/** KV's own edge cache for these reads (its minimum). */
export const KV_CACHE_TTL_S = 30;
/**
 * Entries kept per isolate, for known applications and for unknown IDs each (the oldest go first). Two separate
 * bounds, so a flood of made-up IDs evicts only other made-up IDs, never a real application's record.
 */
export const MAX_ENTRIES = 5_000;
/** Longer IDs are refused without reading KV. */
export const MAX_CLIENT_ID_LENGTH = 256;
/** KV refuses a key over 512 UTF-8 bytes, or `.` / `..`: such an ID can name no application. */
const KV_MAX_KEY_BYTES = 512;
const utf8 = new TextEncoder();

/** False for an ID KV would refuse as a key (its read would throw: a 500 instead of an unknown client). */
function isKvKey(id: string): boolean {
  return id !== "." && id !== ".." && id.length <= MAX_CLIENT_ID_LENGTH && utf8.encode(id).length <= KV_MAX_KEY_BYTES;
}

/** A KV read failed: the request is answered 500 and the error is logged by class only. */
export class RegistryError extends Error {
  constructor(readonly kind: "unbound" | "read" | "malformed", detail: string) {
    super(detail);
    this.name = "RegistryError";
  }
}

interface Entry<T> {
  value: T;
  expires: number;
}

/** A map with per-entry expiry and a size bound; holds settled values only, never promises. */
class TtlCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  constructor(private readonly max: number) {}

  get(key: string, now: number): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, value: T, expires: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, expires });
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * The registered client applications (KV namespace `APPS`, key = client ID), cached per isolate.
 * Concurrent requests for an ID not yet cached each read KV: a pending read is never shared.
 */
export class AppRegistry {
  readonly #records = new TtlCache<AppRecord>(MAX_ENTRIES);
  /** Client IDs KV does not hold, remembered briefly (their own bound: see MAX_ENTRIES). */
  readonly #missing = new TtlCache<true>(MAX_ENTRIES);
  /** Secrets already verified against a record's hash: SHA-256 of the presented secret, by client ID and hash. */
  readonly #verified = new TtlCache<Uint8Array>(MAX_ENTRIES);

  constructor(private readonly now: () => number = Date.now) {}

  /** The record for `clientId`, or null when there is none. Throws a RegistryError when KV fails. */
  async lookup(kv: unknown, clientId: string): Promise<AppRecord | null> {
    if (!isKvKey(clientId)) return null;
    const now = this.now();
    const cached = this.#records.get(clientId, now);
    if (cached) return cached.value;
    if (this.#missing.get(clientId, now)) return null;
    if (!isKv(kv)) throw new RegistryError("unbound", "the KV namespace APPS is not bound");
    let text: string | null;
    try {
      text = await kv.get(clientId, { cacheTtl: KV_CACHE_TTL_S });
    } catch (e) {
      throw new RegistryError("read", `client applications could not be read from KV (${e instanceof Error ? e.name : typeof e})`);
    }
    if (text === null) {
      this.#missing.set(clientId, true, now + MISSING_TTL_MS);
      return null;
    }
    const record = parseAppRecord(text);
    if (!record) throw new RegistryError("malformed", "the record of a client application in APPS is malformed");
    this.#records.set(clientId, record, now + APP_TTL_MS);
    return record;
  }

  /**
   * True when `presented` is the secret whose hash `record` holds. PBKDF2 runs once per client ID, hash
   * and isolate; later requests compare a SHA-256 of the presented secret with the one remembered.
   * Both compares are constant-time.
   */
  async verifySecret(clientId: string, record: AppRecord, presented: string): Promise<boolean> {
    const stored = record.secret;
    if (!stored) return false;
    const memoKey = `${clientId}\u0000${stored.hash}`;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(presented)));
    const now = this.now();
    const known = this.#verified.get(memoKey, now);
    if (known && equalConstantTime(known.value, digest)) return true;
    const salt = fromBase64Url(stored.salt);
    const expected = fromBase64Url(stored.hash);
    if (!salt || !expected) return false;
    const ok = equalConstantTime(await derive(presented, salt, stored.iterations), expected);
    if (ok) this.#verified.set(memoKey, digest, now + APP_TTL_MS);
    return ok;
  }

  /** For tests: forget everything cached. */
  clear(): void {
    this.#records.clear();
    this.#missing.clear();
    this.#verified.clear();
  }
}

/** What the registry needs of a KV namespace (typed here so the build, which runs in Node, compiles it too). */
interface KvReader {
  get(key: string, options: { cacheTtl: number }): Promise<string | null>;
}

type TimingSafe = { timingSafeEqual?(a: ArrayBufferView, b: ArrayBufferView): boolean };

/** Workers' own constant-time compare (`crypto.subtle.timingSafeEqual`); lengths are not secret here. */
function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const subtle = crypto.subtle as unknown as TimingSafe;
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(a, b);
  // Outside workerd (never on a request path): the same, by hand.
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function isKv(value: unknown): value is KvReader {
  return value !== null && typeof value === "object" && typeof (value as { get?: unknown }).get === "function";
}
