import type { Context } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import { noteCacheHit, resolveCryptoObject, type KeyMaterial } from "../../keys";
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
 * A policy's key, from its source. It remembers the last key it got for a crypto object held in a
 * Workers secret or var: while that binding still holds the same text, the key is returned at once
 * (one string comparison), without going through the isolate-wide cache. A changed binding, KV and
 * JWK variables always take the full path, so rotation is seen on the next request.
 * Only settled keys are remembered, never a pending promise.
 */
export class KeyLoader<K> {
  private last: { material: string; key: K } | undefined;

  constructor(
    private readonly source: KeySource,
    private readonly property: "jws-jwk" | "jwe-jwk",
    private readonly fetchKey: (material: KeyMaterial, label: string) => Promise<K>,
  ) {}

  /** The remembered key when the binding still holds its material, else undefined. */
  current(ctx: Context): K | undefined {
    const last = this.last;
    if (last === undefined || this.source.kind !== "crypto") return undefined;
    if (!Object.hasOwn(ctx.env, this.source.name) || ctx.env[this.source.name] !== last.material) return undefined;
    noteCacheHit();
    return last.key;
  }

  async load(ctx: Context): Promise<K> {
    const { material, label } = await materialOf(this.source, ctx, this.property);
    const key = await this.fetchKey(material, label);
    const fromBinding = this.source.kind === "crypto" && Object.hasOwn(ctx.env, this.source.name) && ctx.env[this.source.name] === material;
    this.last = fromBinding && typeof material === "string" ? { material, key } : undefined;
    return key;
  }
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
