/**
 * Crypto objects by name, as DataPower references them: a Workers secret or var of that name
 * wins, else the key of that name in the KV namespace bound as CRYPTO_OBJECTS.
 */
import { KeyError } from "./errors";

/** The KV binding that holds crypto objects too large for a secret (certificate chains, big keys). */
export const CRYPTO_OBJECTS_BINDING = "CRYPTO_OBJECTS";

/** KV edge-caches a value this long (seconds; the minimum is 30), so a rotation shows within a minute. */
const KV_CACHE_TTL = 60;

/**
 * The text of crypto object `name`. A JSON var (wrangler `[vars]` may hold an object, e.g. a JWK)
 * comes back as JSON text. Throws KeyError when the object is nowhere or KV fails.
 */
export async function resolveCryptoObject(name: string, env: Record<string, unknown>): Promise<string> {
  if (name === "") throw new KeyError("crypto object name is empty");
  // Own properties only: a name like "toString" must not find Object.prototype's members.
  const binding = Object.hasOwn(env, name) ? env[name] : undefined;
  if (typeof binding === "string") return binding;
  if (isJsonValue(binding)) return JSON.stringify(binding);
  if (binding !== undefined && binding !== null) {
    throw new KeyError(`crypto object '${name}' names a binding that is not a secret or var`);
  }
  const kv = Object.hasOwn(env, CRYPTO_OBJECTS_BINDING) ? env[CRYPTO_OBJECTS_BINDING] : undefined;
  if (isKvNamespace(kv)) {
    let value: string | null;
    try {
      value = await kv.get(name, { type: "text", cacheTtl: KV_CACHE_TTL });
    } catch (e) {
      // Only the error's name: a storage error's message is not ours to forward.
      throw new KeyError(`crypto object '${name}' could not be read from KV (${e instanceof Error ? e.name : "error"})`);
    }
    if (value !== null) return value;
  }
  throw new KeyError(`crypto object '${name}' was not found in Workers secrets/vars or KV namespace ${CRYPTO_OBJECTS_BINDING}`);
}

/** A value a JSON var can hold, other than a string: a plain object, an array, a number or a boolean. */
function isJsonValue(v: unknown): v is object | number | boolean {
  if (typeof v === "number" || typeof v === "boolean" || Array.isArray(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The part of a KV namespace this module uses (structural, so it type-checks outside workerd too). */
interface KvReader {
  get(key: string, options: { type: "text"; cacheTtl?: number }): Promise<string | null>;
}

function isKvNamespace(v: unknown): v is KvReader {
  return typeof v === "object" && v !== null && typeof (v as { get?: unknown }).get === "function";
}
