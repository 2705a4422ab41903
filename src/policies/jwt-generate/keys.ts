import type { Context } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import type { JweContentAlgorithm, JweKeyAlgorithm, JwsAlgorithm } from "../../jose/algorithms";
import type { EncryptionKey } from "../../jwe";
import { getEncryptionKey, getSigningKey, resolveCryptoObject, type KeyMaterial, type SigningKey } from "../../keys";
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

export async function loadSigningKey(source: KeySource, alg: JwsAlgorithm, ctx: Context): Promise<SigningKey> {
  const { material, label } = await materialOf(source, ctx, "jws-jwk");
  return getSigningKey(material, alg, label);
}

export async function loadEncryptionKey(source: KeySource, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, ctx: Context): Promise<EncryptionKey> {
  const { material, label } = await materialOf(source, ctx, "jwe-jwk");
  return getEncryptionKey(material, alg, enc, label);
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
