import { child } from "../../config/problems";
import { describe, type ConfigReader } from "../../config/reader";

/**
 * `header-control` / `parameter-control` (IBM: rapim_cli_policies_invoke): `{type: blocklist|allowlist, values: [...]}`.
 * Each value is a regular expression tested against the name, case-insensitively and unanchored, as DataPower
 * matches (`^X-Debug-` for a prefix, `^Cookie$` for one name). Compiled once at load.
 */
export interface NameControl {
  readonly allow: boolean;
  readonly patterns: readonly RegExp[];
}

const TYPES: Record<string, boolean> = { allowlist: true, whitelist: true, blocklist: false, blacklist: false };

export function readControl(config: Record<string, unknown>, key: string, path: string, reader: ConfigReader): NameControl | undefined {
  const raw = config[key];
  if (raw === undefined || raw === null) return undefined;
  const at = child(path, key);
  const obj = reader.object(raw, at, "{type: blocklist|allowlist, values: [...]}");
  if (!obj) return undefined;
  reader.keys(obj, at, { known: ["type", "values"] });
  const type = reader.string(obj, "type", at, { required: true });
  if (type !== undefined && !Object.hasOwn(TYPES, type)) reader.report(child(at, "type"), `expected blocklist or allowlist, found ${describe(type)}`);
  const values = obj.values === undefined || obj.values === null ? [] : reader.array(obj.values, child(at, "values"), "a list of name patterns") ?? [];
  const patterns: RegExp[] = [];
  values.forEach((value, i) => {
    if (typeof value !== "string" || value === "") {
      reader.report(child(child(at, "values"), i), `expected a name pattern, found ${describe(value)}`);
      return;
    }
    try {
      patterns.push(new RegExp(value, "i"));
    } catch {
      reader.report(child(child(at, "values"), i), `not a valid regular expression: ${JSON.stringify(value)}`);
    }
  });
  return type !== undefined && Object.hasOwn(TYPES, type) ? { allow: TYPES[type] as boolean, patterns } : undefined;
}

/** Whether a name passes the control: an allowlist lets through what matches, a blocklist what does not. */
export function passes(control: NameControl, name: string): boolean {
  const matched = control.patterns.some((p) => p.test(name));
  return control.allow ? matched : !matched;
}

/**
 * Headers that belong to one hop, not to the message (RFC 9110 §7.6.1), and ones fetch sets itself.
 * `Proxy-Authorization` is the client's credential for a proxy in front of us, never for the origin.
 */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "transfer-encoding", "te", "upgrade", "host", "trailer"];

/** Removes hop-by-hop headers, including those the `Connection` header names (RFC 9110 §7.6.1). */
export function dropHopByHop(headers: Headers): void {
  const named = headers.get("connection");
  if (named !== null) for (const name of named.split(",")) if (name.trim() !== "") deleteQuietly(headers, name.trim());
  for (const name of HOP_BY_HOP) headers.delete(name);
}

function deleteQuietly(headers: Headers, name: string): void {
  try {
    headers.delete(name);
  } catch {
    // Not a header name (the client wrote nonsense in Connection): nothing to remove.
  }
}
