/**
 * Crypto objects by name, as DataPower references them: a Workers secret or var of that name
 * wins, then a Secrets Store binding of that name, else the key of that name in the KV namespace
 * bound as CRYPTO_OBJECTS.
 *
 * This is the one memo of key sources (docs/keys.md): a secret or var costs nothing to read and
 * is read every time (a new deployment's value is seen at once); a Secrets Store secret or a KV
 * value costs a billed, latent read, so its text is remembered per isolate for KEY_CACHE_TTL
 * seconds (default 60). When a refresh fails, the last good text keeps serving for up to
 * KEY_STALE_TTL seconds past its expiry (default 600) and the failure is logged, without the
 * error's message or any key material. Only settled text is held, never a pending read: Workers
 * forbids sharing I/O across requests. While one request refreshes an expired entry, the others
 * keep using the old text, so an isolate reads each key about once per TTL even under load.
 */
import { logWarning } from "../assembly/log";
import { KeyError } from "./errors";

/** The KV binding that holds crypto objects too large for a secret (certificate chains, big keys). */
export const CRYPTO_OBJECTS_BINDING = "CRYPTO_OBJECTS";

/** KV edge-caches a value this long (seconds; KV's minimum is 30). Counts in the rotation wait times. */
export const KV_CACHE_TTL = 60;
/** Seconds a KV or Secrets Store value is remembered by an isolate (var KEY_CACHE_TTL overrides). */
export const DEFAULT_KEY_CACHE_TTL = 60;
/** Seconds past expiry a remembered value still serves while its source fails (var KEY_STALE_TTL). */
export const DEFAULT_KEY_STALE_TTL = 600;
/** After a failed refresh, the next attempt waits this long, so a KV outage is not a read per request. */
const RETRY_AFTER_MS = 5_000;
/** A refresh that has not settled after this long no longer holds back other requests' refreshes. */
const REFRESH_TIMEOUT_MS = 10_000;

/** The part of a KV namespace this module uses (structural, so it type-checks outside workerd too). */
interface KvReader {
  get(key: string, options: { type: "text"; cacheTtl?: number }): Promise<string | null>;
}

/** A Secrets Store binding (`secrets_store_secrets` in wrangler config): one secret, read with get(). */
interface SecretsStoreSecret {
  get(): Promise<string>;
}

interface Entry {
  /** The text read, or null when the source answered "no such key". */
  text: string | null;
  /** When the text was read (ms). */
  readAt: number;
  /** When a refresh was started and has not settled yet (ms), if one is running. */
  refreshingSince?: number;
  /** After a failed refresh: no new attempt before this time (ms). */
  retryAt?: number;
}

/** Remembered values per binding object (a KV namespace or a Secrets Store secret), then per name. */
let memo = new WeakMap<object, Map<string, Entry>>();
let reads = 0;

/**
 * The text of crypto object `name`. A JSON var (wrangler `[vars]` may hold an object, e.g. a JWK)
 * comes back as JSON text. Throws KeyError when the object is nowhere, or its source fails and no
 * recent copy is held.
 */
export async function resolveCryptoObject(name: string, env: Record<string, unknown>, now: number = Date.now()): Promise<string> {
  if (name === "") throw new KeyError("crypto object name is empty");
  // Own properties only: a name like "toString" must not find Object.prototype's members.
  const binding = Object.hasOwn(env, name) ? env[name] : undefined;
  if (typeof binding === "string") return binding;
  // Before JSON vars: JSON cannot hold a function, so an object with get() is a binding.
  if (name !== CRYPTO_OBJECTS_BINDING && isSecretsStoreSecret(binding)) {
    const text: unknown = await memoized(binding, "", name, "Secrets Store", env, now, () => binding.get());
    if (typeof text !== "string") throw new KeyError(`crypto object '${name}' names a binding whose get() did not return text (not a Secrets Store secret?)`);
    if (text === "") throw new KeyError(`crypto object '${name}' is an empty Secrets Store secret`);
    return text;
  }
  if (isJsonValue(binding)) return JSON.stringify(binding);
  if (binding !== undefined && binding !== null) {
    throw new KeyError(`crypto object '${name}' names a binding that is not a secret, var or Secrets Store secret`);
  }
  const kv = Object.hasOwn(env, CRYPTO_OBJECTS_BINDING) ? env[CRYPTO_OBJECTS_BINDING] : undefined;
  if (isKvNamespace(kv)) {
    const text = await memoized(kv, name, name, "KV", env, now, () => kv.get(name, { type: "text", cacheTtl: KV_CACHE_TTL }));
    if (text !== null) return text;
  }
  throw new KeyError(`crypto object '${name}' was not found in Workers secrets/vars or KV namespace ${CRYPTO_OBJECTS_BINDING}`);
}

/**
 * The password of encrypted crypto object `name`: the crypto object `<name>_PASSWORD` (a secret,
 * var, Secrets Store secret or KV value), read only when the key is encrypted and not yet imported.
 */
export function passwordFor(name: string, env: Record<string, unknown>): () => Promise<string> {
  const passwordName = `${name}_PASSWORD`;
  return async () => {
    try {
      return await resolveCryptoObject(passwordName, env);
    } catch (e) {
      if (e instanceof KeyError && e.message.endsWith("was not found in Workers secrets/vars or KV namespace " + CRYPTO_OBJECTS_BINDING)) {
        throw new KeyError(`crypto object '${name}' is an encrypted private key and its password is missing (a secret named ${passwordName})`);
      }
      throw e;
    }
  };
}

/** The memo's settings for this environment, in seconds. */
export function keyCacheSettings(env: Record<string, unknown>): { ttl: number; staleTtl: number } {
  return { ttl: seconds(env.KEY_CACHE_TTL, DEFAULT_KEY_CACHE_TTL), staleTtl: seconds(env.KEY_STALE_TTL, DEFAULT_KEY_STALE_TTL) };
}

/** Reads made from KV and Secrets Store since the isolate started (or the last clearKeySourceMemo). */
export function keySourceReads(): number {
  return reads;
}

/** Forgets every remembered value and zeroes the read counter (tests). */
export function clearKeySourceMemo(): void {
  memo = new WeakMap();
  reads = 0;
}

async function memoized(
  binding: object, key: string, name: string, where: string, env: Record<string, unknown>, now: number,
  read: () => Promise<string | null>,
): Promise<string | null> {
  const { ttl, staleTtl } = keyCacheSettings(env);
  let entries = memo.get(binding);
  if (entries === undefined) memo.set(binding, (entries = new Map()));
  const entry = entries.get(key);
  if (entry !== undefined) {
    const age = now - entry.readAt;
    const usable = age < (ttl + staleTtl) * 1000;
    if (age < ttl * 1000) return entry.text;
    // Expired: one request refreshes, the others keep the old text meanwhile (or while failing).
    const refreshing = entry.refreshingSince !== undefined && now - entry.refreshingSince < REFRESH_TIMEOUT_MS;
    if (usable && (refreshing || (entry.retryAt !== undefined && now < entry.retryAt))) return entry.text;
  }
  if (entry !== undefined) entry.refreshingSince = now;
  let text: string | null;
  try {
    reads++;
    text = await read();
  } catch (e) {
    if (entry !== undefined) {
      entry.refreshingSince = undefined;
      entry.retryAt = now + RETRY_AFTER_MS;
    }
    // Only the error's class: a storage error's message is not ours to forward.
    const errorName = e instanceof Error ? e.name : "error";
    if (entry !== undefined && now - entry.readAt < (ttl + staleTtl) * 1000) {
      logWarning({ message: `crypto object '${name}' could not be read from ${where} (${errorName}); using the copy read ${Math.round((now - entry.readAt) / 1000)} s ago` });
      return entry.text;
    }
    throw new KeyError(`crypto object '${name}' could not be read from ${where} (${errorName})`);
  }
  entries.set(key, { text, readAt: now });
  return text;
}

/** A non-negative number of seconds from a var (a string or a JSON number), else the default. */
function seconds(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** A value a JSON var can hold, other than a string: a plain object, an array, a number or a boolean. */
function isJsonValue(v: unknown): v is object | number | boolean {
  if (typeof v === "number" || typeof v === "boolean" || Array.isArray(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isKvNamespace(v: unknown): v is KvReader {
  return typeof v === "object" && v !== null && typeof (v as { get?: unknown }).get === "function";
}

/**
 * A Secrets Store secret: an object with get(). In workerd it is an RPC stub (a Fetcher, on which
 * every member looks like a function), so it cannot be told from other bindings by shape; the KV
 * namespace of crypto objects is excluded by name, and anything else fails clearly on get().
 */
function isSecretsStoreSecret(v: unknown): v is SecretsStoreSecret {
  return typeof v === "object" && v !== null && typeof (v as { get?: unknown }).get === "function";
}
