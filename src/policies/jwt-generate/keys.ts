import type { Context } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import { passwordFor, resolveCryptoObject, type KeyMaterial, type PasswordSource } from "../../keys";
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
 * Nothing else is remembered here, so there is one place that decides when a rotated key is seen.
 */
export class KeyLoader<K> {
  constructor(
    private readonly source: KeySource,
    private readonly property: "jws-jwk" | "jwe-jwk",
    private readonly fetchKey: (material: KeyMaterial, label: string, password?: PasswordSource) => Promise<K>,
  ) {}

  async load(ctx: Context): Promise<K> {
    const { material, label } = await materialOf(this.source, ctx, this.property);
    // Only a crypto object may be an encrypted private key; its password is <name>_PASSWORD.
    return this.fetchKey(material, label, this.source.kind === "crypto" ? passwordFor(this.source.name, ctx.env) : undefined);
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
