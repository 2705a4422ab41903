import { child } from "../../config/problems";
import type { ConfigReader } from "../../config/reader";

/** `"…$(name)…"` inside JSON text: a reference interpolated within a JSON string. */
const INSIDE_JSON_STRING = /"[^"]*\$\(\s*([^()]*?)\s*\)[^"]*"/g;
/** Variables whose value the client cannot influence: the definition's own properties and the worker's vars. */
const STATIC = /^(?:api\.|env\.)/;

/**
 * Build warning: a `private-claims` variable set from a JSON text template that interpolates request
 * data inside a JSON string (`'{"tenant":"$(request.headers.x-tenant)"}'`). A value with a quote in it
 * closes the string and adds claims of the client's choosing; x-edge.claims places each value safely.
 */
export function warnStringBuiltPrivateClaims(definition: unknown, reader: ConfigReader): void {
  const assembly = member(member(definition, "x-ibm-configuration"), "assembly");
  if (assembly === undefined) return;
  const claimVariables = new Set<string>();
  const actions: { path: string; set: string; value: string }[] = [];
  walk(assembly, "x-ibm-configuration.assembly", (node, path) => {
    const generate = member(node, "jwt-generate");
    const privateClaims = member(generate, "private-claims");
    if (typeof privateClaims === "string" && privateClaims.trim() !== "") claimVariables.add(privateClaims.trim());
    const list = member(member(node, "set-variable"), "actions");
    if (Array.isArray(list)) {
      list.forEach((action, i) => {
        const set = member(action, "set");
        const value = member(action, "value");
        if (typeof set === "string" && typeof value === "string") actions.push({ path: child(child(child(path, "set-variable"), "actions"), i), set: set.trim(), value });
      });
    }
  });
  for (const action of actions) {
    if (!claimVariables.has(action.set)) continue;
    const dynamic = [...action.value.matchAll(INSIDE_JSON_STRING)].map((m) => m[1] ?? "").filter((name) => !STATIC.test(name));
    if (dynamic.length === 0) continue;
    reader.warn(
      child(action.path, "value"),
      `private claims '${action.set}' are built as JSON text with $(${dynamic[0]}) inside a string: a value containing a quote can add or change claims; use the policy's x-edge.claims, which places each value as one JSON value (docs/jwt-generate-extensions.md)`,
    );
  }
}

function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function walk(node: unknown, path: string, visit: (node: unknown, path: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, child(path, i), visit));
    return;
  }
  if (node === null || typeof node !== "object") return;
  visit(node, path);
  for (const [key, value] of Object.entries(node)) walk(value, child(path, key), visit);
}
