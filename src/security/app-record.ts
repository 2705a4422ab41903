import { fromBase64Url, MAX_ITERATIONS, MIN_ITERATIONS, type SecretHash } from "./secret-hash";

/**
 * A registered client application, as stored in the `APPS` KV namespace under its client ID:
 *
 *   {"name":"mobile","enabled":true,"secret":{"alg":"PBKDF2-SHA256","iterations":100000,"salt":"…","hash":"…"},
 *    "apis":["orders"],"lifecycleState":"PRODUCTION","org":{"id":"…","name":"…"},"metadata":{"tier":"gold"}}
 *
 * Only `name` and `enabled` are required. `apis` (API names, `x-ibm-name`) limits which APIs the
 * application may call; absent, it may call every API that asks for a client ID.
 */
export interface AppRecord {
  name: string;
  enabled: boolean;
  secret?: SecretHash;
  apis?: readonly string[];
  lifecycleState?: string;
  org?: { id?: string; name?: string };
  metadata?: Readonly<Record<string, string>>;
}

/** What a request learns of the application that called it: the `client.*` variables. Never the secret. */
export interface ClientIdentity {
  readonly id: string;
  readonly name: string;
  readonly lifecycleState: string;
  readonly orgId: string | undefined;
  readonly orgName: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === "string";

/**
 * Reads a KV value as an application record. Anything malformed is `undefined` (the caller refuses the
 * client and logs the client ID's record as malformed, never its content).
 */
export function parseAppRecord(text: string): AppRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.name !== "string" || typeof value.enabled !== "boolean") return undefined;
  const record: AppRecord = { name: value.name, enabled: value.enabled };
  if (value.secret !== undefined) {
    const s = value.secret;
    if (!isObject(s) || s.alg !== "PBKDF2-SHA256" || typeof s.salt !== "string" || typeof s.hash !== "string") return undefined;
    if (typeof s.iterations !== "number" || !Number.isInteger(s.iterations) || s.iterations < MIN_ITERATIONS || s.iterations > MAX_ITERATIONS) return undefined;
    if (fromBase64Url(s.salt)?.length !== 16 || fromBase64Url(s.hash)?.length !== 32) return undefined;
    record.secret = { alg: "PBKDF2-SHA256", iterations: s.iterations, salt: s.salt, hash: s.hash };
  }
  if (value.apis !== undefined) {
    if (!Array.isArray(value.apis) || !value.apis.every((a) => typeof a === "string")) return undefined;
    record.apis = value.apis as string[];
  }
  if (!optionalString(value.lifecycleState)) return undefined;
  if (value.lifecycleState !== undefined) record.lifecycleState = value.lifecycleState;
  if (value.org !== undefined) {
    if (!isObject(value.org) || !optionalString(value.org.id) || !optionalString(value.org.name)) return undefined;
    record.org = { id: value.org.id, name: value.org.name };
  }
  if (value.metadata !== undefined) {
    if (!isObject(value.metadata) || !Object.values(value.metadata).every((v) => typeof v === "string")) return undefined;
    record.metadata = Object.assign(Object.create(null) as Record<string, string>, value.metadata as Record<string, string>);
  }
  return record;
}

export function identityOf(id: string, record: AppRecord): ClientIdentity {
  return {
    id,
    name: record.name,
    // API Connect's default lifecycle state of an application.
    lifecycleState: record.lifecycleState ?? "PRODUCTION",
    orgId: record.org?.id,
    orgName: record.org?.name,
    metadata: record.metadata ?? (Object.create(null) as Record<string, string>),
  };
}
