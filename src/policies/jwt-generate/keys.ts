import type { Context } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import { countKeyCacheHit, passwordFor, resolveCryptoObject, type KeyMaterial, type PasswordSource } from "../../keys";
import type { KeySource } from "./config";

/** The key material a source names, with a label for messages (never the material itself). */
async function materialOf(source: KeySource, ctx: Context, property: "jws-jwk" | "jwe-jwk"): Promise<{ material: KeyMaterial; label: string }> {
  if (source.kind === "crypto") {
    return { material: await resolveCryptoObject(source.name, ctx.env), label: `crypto object '${source.name}'` };
  }
  const label = `${property} variable '${source.variable}'`;
  const value = ctx.get(source.variable);
  if (value === undefined || value === null || value === "") throw runtimeError(`${label} is empty or not set`);
  let jwk: unknown = value;
  if (typeof value === "string") {
    try {
      jwk = JSON.parse(value);
    } catch {
      throw runtimeError(`${label} does not hold a JWK (JSON)`);
    }
  }
  if (jwk === null || typeof jwk !== "object" || Array.isArray(jwk)) throw runtimeError(`${label} does not hold a JWK (a JSON object)`);
  return { material: jwk as Record<string, unknown>, label };
}

/**
 * A policy's key, from its source: the crypto object's text comes from the key-source memo
 * (src/keys/resolve.ts), the CryptoKey from the import cache keyed by that text (src/keys/cache.ts).
 *
 * One shortcut, for the common case of a crypto object in a Workers secret or var: the loader
 * remembers the text it last imported from that binding and the key it got. While the binding
 * still holds that very text (read every time, so a new deployment's value is seen at once), the
 * key is returned without an await; it is what the import cache would answer for that text, and
 * counts as its hit. KV, Secrets Store and JWK variables always take the full path.
 */
export class KeyLoader<K> {
  private fromBinding: { material: string; key: K } | undefined;

  constructor(
    private readonly source: KeySource,
    private readonly property: "jws-jwk" | "jwe-jwk",
    private readonly fetchKey: (material: KeyMaterial, label: string, password?: PasswordSource) => Promise<K>,
  ) {}

  /** The key for this request: at once while the binding holds the text last imported, else a promise. */
  load(ctx: Context): K | Promise<K> {
    const last = this.fromBinding;
    if (last !== undefined && bindingText(this.source, ctx) === last.material) {
      countKeyCacheHit();
      return last.key;
    }
    return this.loadFromSource(ctx);
  }

  private async loadFromSource(ctx: Context): Promise<K> {
    const { material, label } = await materialOf(this.source, ctx, this.property);
    // Only a crypto object may be an encrypted private key; its password is <name>_PASSWORD.
    const key = await this.fetchKey(material, label, this.source.kind === "crypto" ? passwordFor(this.source.name, ctx.env) : undefined);
    const text = bindingText(this.source, ctx);
    this.fromBinding = text !== undefined && text === material ? { material: text, key } : undefined;
    return key;
  }
}

/** The text of a crypto object held directly in a Workers secret or string var, else undefined. */
function bindingText(source: KeySource, ctx: Context): string | undefined {
  if (source.kind !== "crypto" || !Object.hasOwn(ctx.env, source.name)) return undefined;
  const value = ctx.env[source.name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The header's `kid`: the custom-kid variable first, then the JWK's own `kid`, then, for an
 * asymmetric crypto object, its RFC 7638 thumbprint. Shared secrets get no automatic kid.
 */
export function kidFor(source: KeySource, key: { kid?: string; thumbprint?: string }, kidVariable: string | undefined, ctx: Context): string | undefined {
  if (kidVariable) {
    const custom = ctx.get(kidVariable);
    if (typeof custom === "string" && custom !== "") return custom;
    if (typeof custom === "number") return String(custom);
  }
  if (key.kid) return key.kid;
  return source.kind === "crypto" ? key.thumbprint : undefined;
}
