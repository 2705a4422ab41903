/**
 * `npm run bench -- --experiments`: proposed changes to the policy's hot path, applied as text patches to
 * src while bundling (src itself is never edited), each measured against the tree as it is. A patch that
 * no longer applies (src changed) is reported, not silently skipped.
 */
import type { Patch } from "./build";

export interface Experiment {
  name: string;
  what: string;
  patches: Patch[];
}

/** 1. base64url with the platform's Uint8Array.prototype.toBase64 (workerd has it), the old code as fallback (Node 20). */
const nativeBase64Url: Patch[] = [
  {
    file: "src/jose/base64url.ts",
    find: `export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = "";`,
    replace: `type WithToBase64 = Uint8Array & { toBase64(options: { alphabet: "base64url"; omitPadding: boolean }): string };
/** Uint8Array.prototype.toBase64 (ES2026; in workerd, not in Node 20): one native call instead of spread + btoa + 3 regex passes. */
const NATIVE_BASE64 = typeof (Uint8Array.prototype as Partial<WithToBase64>).toBase64 === "function";

export function encodeBase64Url(bytes: Uint8Array): string {
  if (NATIVE_BASE64) return (bytes as WithToBase64).toBase64({ alphabet: "base64url", omitPadding: true });
  let binary = "";`,
  },
];

/**
 * 2. The key of a crypto object without the async resolve → cache-key → LRU chain: each key source (an object
 * of the compiled policy) remembers its last key and the binding's value it came from; while the binding is
 * the same string, the key is returned synchronously (a rotated secret is a different string: the slow path).
 */
const syncKeyFastPath: Patch[] = [
  {
    file: "src/policies/jwt-generate/keys.ts",
    find: `export async function loadSigningKey(source: KeySource, alg: JwsAlgorithm, ctx: Context): Promise<SigningKey> {
  const { material, label } = await materialOf(source, ctx, "jws-jwk");
  return getSigningKey(material, alg, label);
}

export async function loadEncryptionKey(source: KeySource, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, ctx: Context): Promise<EncryptionKey> {
  const { material, label } = await materialOf(source, ctx, "jwe-jwk");
  return getEncryptionKey(material, alg, enc, label);
}`,
    replace: `/** Per key source: the last key, the binding text it was imported from, and for what. */
const lastKeys = new WeakMap<KeySource, { binding: string; purpose: string; key: SigningKey | EncryptionKey }>();

function remembered(source: KeySource, purpose: string, ctx: Context): SigningKey | EncryptionKey | undefined {
  if (source.kind !== "crypto") return undefined;
  const last = lastKeys.get(source);
  if (last === undefined || last.purpose !== purpose) return undefined;
  const binding = Object.hasOwn(ctx.env, source.name) ? ctx.env[source.name] : undefined;
  return binding === last.binding ? last.key : undefined;
}

function remember<K extends SigningKey | EncryptionKey>(source: KeySource, purpose: string, ctx: Context, key: K): K {
  const binding = source.kind === "crypto" && Object.hasOwn(ctx.env, source.name) ? ctx.env[source.name] : undefined;
  if (typeof binding === "string") lastKeys.set(source, { binding, purpose, key });
  return key;
}

export function loadSigningKey(source: KeySource, alg: JwsAlgorithm, ctx: Context): SigningKey | Promise<SigningKey> {
  return (remembered(source, alg, ctx) as SigningKey | undefined) ?? loadSigningKeySlow(source, alg, ctx);
}

async function loadSigningKeySlow(source: KeySource, alg: JwsAlgorithm, ctx: Context): Promise<SigningKey> {
  const { material, label } = await materialOf(source, ctx, "jws-jwk");
  return remember(source, alg, ctx, await getSigningKey(material, alg, label));
}

export function loadEncryptionKey(source: KeySource, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, ctx: Context): EncryptionKey | Promise<EncryptionKey> {
  return (remembered(source, \`\${alg}/\${enc}\`, ctx) as EncryptionKey | undefined) ?? loadEncryptionKeySlow(source, alg, enc, ctx);
}

async function loadEncryptionKeySlow(source: KeySource, alg: JweKeyAlgorithm, enc: JweContentAlgorithm, ctx: Context): Promise<EncryptionKey> {
  const { material, label } = await materialOf(source, ctx, "jwe-jwk");
  return remember(source, \`\${alg}/\${enc}\`, ctx, await getEncryptionKey(material, alg, enc, label));
}`,
  },
];

/**
 * 3. A leaner mint: the claims JSON written directly as a string (same members, same order; the object path
 * stays for private claims), the protected header encoded once per key (not stringified and looked up per
 * token), and no await when the key came back synchronously (experiment 2). (Writing the signing input with encodeInto instead of encode was tried: no effect.)
 */
const leanMint: Patch[] = [
  {
    file: "src/policies/jwt-generate/claims.ts",
    find: `function text(value: unknown): string {`,
    replace: `/** buildClaims, serialized: written directly as JSON text when there are no private claims. */
export function buildClaimsJson(config: JwtGenerateConfig, owned: ReadonlySet<string>, vars: VariableReader, nowSeconds: number): string {
  if (config.privateClaimsVariable) return JSON.stringify(buildClaims(config, owned, vars, nowSeconds));
  const iss = text(vars.get(config.issVariable));
  if (!iss) throw runtimeError(\`iss-claim: variable '\${config.issVariable}' is empty or not set\`);
  let json = \`{"iss":\${JSON.stringify(iss)}\`;
  if (config.subVariable) {
    const sub = text(vars.get(config.subVariable));
    if (sub) json += \`,"sub":\${JSON.stringify(sub)}\`;
  }
  if (config.audVariables.length > 0) {
    const audiences = collectAudiences(config.audVariables, vars);
    if (audiences.length === 1) json += \`,"aud":\${JSON.stringify(audiences[0])}\`;
    else if (audiences.length > 1) json += \`,"aud":\${JSON.stringify(audiences)}\`;
  }
  json += \`,"exp":\${nowSeconds + config.expSeconds},"iat":\${nowSeconds}\`;
  if (config.jti) json += \`,"jti":"\${crypto.randomUUID()}"\`;
  return json + "}";
}

function text(value: unknown): string {`,
  },
  {
    file: "src/policies/jwt-generate/index.ts",
    find: `import { buildClaims, ownedClaims } from "./claims";`,
    replace: `import { buildClaimsJson, ownedClaims } from "./claims";`,
  },
  {
    file: "src/policies/jwt-generate/index.ts",
    find: `  const claims = JSON.stringify(buildClaims(config, owned, ctx, Math.floor(Date.now() / 1000)));`,
    replace: `  const claims = buildClaimsJson(config, owned, ctx, Math.floor(Date.now() / 1000));`,
  },
  {
    file: "src/policies/jwt-generate/index.ts",
    find: `const jweHeaders = new Map<string, PreparedJwe>();`,
    replace: `const jweHeaders = new Map<string, PreparedJwe>();
/** The encoded JWS header of a key whose kid is its own (no custom kid): one per imported key. */
const keyHeaders = new WeakMap<object, string>();`,
  },
  {
    file: "src/policies/jwt-generate/index.ts",
    find: `    const key = await loadSigningKey(source, alg, ctx);
    const kid = kidFor(source, key, kidVariable, ctx);
    // API Connect's header: kid (when there is one), then alg; no typ.
    const header = kid === undefined ? \`{"alg":"\${alg}"}\` : JSON.stringify({ kid, alg });
    token = await signCompact(alg, key.key, remember(jwsHeaders, header, () => encodeBase64UrlText(header)), encodeBase64UrlText(claims));`,
    replace: `    const loaded = loadSigningKey(source, alg, ctx);
    const key = loaded instanceof Promise ? await loaded : loaded;
    let protectedB64 = kidVariable ? undefined : keyHeaders.get(key);
    if (protectedB64 === undefined) {
      const kid = kidFor(source, key, kidVariable, ctx);
      // API Connect's header: kid (when there is one), then alg; no typ.
      const header = kid === undefined ? \`{"alg":"\${alg}"}\` : JSON.stringify({ kid, alg });
      protectedB64 = remember(jwsHeaders, header, () => encodeBase64UrlText(header));
      if (!kidVariable) keyHeaders.set(key, protectedB64);
    }
    token = await signCompact(alg, key.key, protectedB64, encodeBase64UrlText(claims));`,
  },
];

export const EXPERIMENTS: Experiment[] = [
  { name: "baseline", what: "src as it is in the tree", patches: [] },
  { name: "native-b64", what: "1. base64url via Uint8Array.prototype.toBase64 (src/jose/base64url.ts)", patches: nativeBase64Url },
  { name: "sync-key", what: "2. synchronous key fast path per key source (src/policies/jwt-generate/keys.ts)", patches: syncKeyFastPath },
  { name: "b64+key", what: "1 + 2", patches: [...nativeBase64Url, ...syncKeyFastPath] },
  { name: "b64+key+lean", what: "1 + 2 + 3. claims JSON as text, header once per key, no await for a sync key (src/policies/jwt-generate/{claims,index}.ts)", patches: [...nativeBase64Url, ...syncKeyFastPath, ...leanMint] },
];
