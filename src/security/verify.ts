import { identityOf, type ClientIdentity } from "./app-record";
import type { AppRegistry } from "./registry";

/**
 * The identity of the client whose ID (and, when `secret` is given, secret) the request carried, or
 * undefined when it is refused: unknown, disabled, not allowed on `apiName`, or the secret does not match
 * (also when the application has no secret). Throws a RegistryError when KV cannot answer.
 */
export async function verifyClient(registry: AppRegistry, kv: unknown, apiName: string, id: string, secret?: string): Promise<ClientIdentity | undefined> {
  const record = await registry.lookup(kv, id);
  if (!record || !record.enabled) return undefined;
  if (record.apis && !record.apis.includes(apiName)) return undefined;
  if (secret !== undefined && !(await registry.verifySecret(id, record, secret))) return undefined;
  return identityOf(id, record);
}

/** Removes query parameters by name, keeping every other parameter byte for byte (URLSearchParams would re-encode them). */
export function removeParams(url: URL, names: readonly string[]): void {
  if (url.search === "") return;
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((pair) => {
      const name = pair.split("=", 1)[0] ?? "";
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // A malformed escape is kept as written; it cannot be one of our names.
      }
      return !names.includes(decoded);
    });
  url.search = kept.length > 0 ? `?${kept.join("&")}` : "";
}
