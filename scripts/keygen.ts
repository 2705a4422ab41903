/**
 * Key generation and JWKS tooling (docs/keys.md):
 *
 *   npm run keygen -- --alg ES256 [--kid K] [--set] [--json]    a new signing key
 *   npm run keygen -- --jwks FILE... [--alg ES256]               the public JWKS of key files
 *
 * A new key prints its private form (PKCS#8 PEM and JWK, or with --set a one-key JWK Set ready to
 * merge into a rotation set), the public JWK and JWKS, and the commands that store it. HS* prints
 * a random 0x-hex secret of the length RFC 7518 §3.2 requires (no public part).
 * `generateKey` and `jwks` are exported for other tools (the edge-jwt CLI).
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { isJwsAlgorithm, JWS_ALGORITHMS, minSecretBytes, type JwsAlgorithm } from "../src/jose/algorithms";
import { jwkThumbprint } from "../src/keys/thumbprint";
import { publicJwks, type PublicJwk } from "../src/keys/public-jwk";

export interface GeneratedKey {
  alg: JwsAlgorithm;
  /** The kid tokens will carry: --kid, else the RFC 7638 thumbprint (asymmetric keys). */
  kid?: string;
  /** What to store as the crypto object: PKCS#8 PEM, a JWK Set (with --set), or 0x-hex for HS*. */
  secretValue: string;
  privatePem?: string;
  privateJwk?: Record<string, unknown>;
  publicJwk?: PublicJwk;
  /** `{"keys":[publicJwk]}`, for an origin or to compare with the gateway's JWKS. */
  publicJwks?: { keys: PublicJwk[] };
}

/** RSA modulus sizes: 2048 for the 256 variants, larger for the stronger hashes. */
const RSA_BITS: Partial<Record<JwsAlgorithm, number>> = { RS384: 3072, PS384: 3072, RS512: 4096, PS512: 4096 };

/** A new key for `alg`. With `set`, the stored value is a JWK Set holding the key with its kid. */
export async function generateKey(options: { alg: string; kid?: string; set?: boolean }): Promise<GeneratedKey> {
  const { alg } = options;
  if (!isJwsAlgorithm(alg)) throw new Error(`unknown --alg ${JSON.stringify(alg)}; one of ${Object.keys(JWS_ALGORITHMS).join(", ")}`);
  if (JWS_ALGORITHMS[alg].family === "HMAC") {
    const bytes = crypto.getRandomValues(new Uint8Array(minSecretBytes(alg)));
    const hex = `0x${Buffer.from(bytes).toString("hex")}`;
    if (!options.set) return { alg, ...(options.kid ? { kid: options.kid } : {}), secretValue: hex };
    const jwk = { kty: "oct", k: Buffer.from(bytes).toString("base64url"), ...(options.kid ? { kid: options.kid } : {}) };
    return { alg, ...(options.kid ? { kid: options.kid } : {}), secretValue: JSON.stringify({ keys: [jwk] }), privateJwk: jwk };
  }
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(RSA_BITS[alg] ? { modulusLength: RSA_BITS[alg] } : {}) });
  const privatePem = await exportPKCS8(privateKey);
  const exported = (await exportJWK(privateKey)) as Record<string, unknown>;
  const thumbprint = await jwkThumbprint(
    exported.kty === "RSA"
      ? { kty: "RSA", n: String(exported.n), e: String(exported.e) }
      : exported.kty === "OKP"
        ? { kty: "OKP", crv: String(exported.crv), x: String(exported.x) }
        : { kty: "EC", crv: String(exported.crv), x: String(exported.x), y: String(exported.y) },
  );
  const kid = options.kid ?? thumbprint;
  const privateJwk = { ...exported, kid, alg };
  // The public side is derived exactly as the gateway's JWKS derives it.
  const published = await publicJwks(JSON.stringify(privateJwk), alg, "the new key");
  const publicJwk = published.keys[0];
  if (!publicJwk) throw new Error("keygen: the new key has no public part (a bug)");
  return {
    alg, kid,
    secretValue: options.set ? JSON.stringify({ keys: [privateJwk] }) : options.kid ? JSON.stringify(privateJwk) : privatePem,
    privatePem, privateJwk, publicJwk, publicJwks: { keys: [publicJwk] },
  };
}

/**
 * The public JWKS of key files (PEM, JWK or JWK Set; encrypted PKCS#8 is refused here): what the
 * gateway's endpoint would publish for crypto objects holding them. `alg` fills the `alg` member.
 */
export async function jwks(files: readonly string[], alg = ""): Promise<{ keys: PublicJwk[] }> {
  const keys: PublicJwk[] = [];
  for (const file of files) {
    const published = await publicJwks(await readFile(file, "utf8"), alg, file);
    for (const problem of published.skipped) process.stderr.write(`keygen: ${problem}; left out\n`);
    for (const key of published.keys) if (!keys.some((k) => k.kid === key.kid)) keys.push(key);
  }
  return { keys };
}

function parseArgs(argv: readonly string[]): { alg?: string; kid?: string; set: boolean; json: boolean; jwks?: string[] } {
  const out: ReturnType<typeof parseArgs> = { set: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--alg" || arg === "--kid") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`${arg} needs a value`);
      out[arg === "--alg" ? "alg" : "kid"] = value;
    } else if (arg === "--set") out.set = true;
    else if (arg === "--json") out.json = true;
    else if (arg === "--jwks") out.jwks = [];
    else if (out.jwks && !arg.startsWith("--")) out.jwks.push(arg);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}`);
  }
  return out;
}

const usage = (command: string) => `usage: ${command} --alg ES256 [--kid K] [--set] [--json]\n       ${command} --jwks FILE... [--alg ES256]`;

/** `command` names how the user ran it, for the usage text: `npm run keygen --` or `edge-jwt keygen`. */
export async function main(argv: readonly string[], command = "npm run keygen --"): Promise<number> {
  const USAGE = usage(command);
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
    if (!args.jwks && !args.alg) throw new Error("--alg is required");
  } catch (e) {
    process.stderr.write(`keygen: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.jwks) {
    process.stdout.write(`${JSON.stringify(await jwks(args.jwks, args.alg), null, 2)}\n`);
    return 0;
  }
  let key: GeneratedKey;
  try {
    key = await generateKey({ alg: args.alg!, ...(args.kid ? { kid: args.kid } : {}), set: args.set });
  } catch (e) {
    process.stderr.write(`keygen: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(key, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [`# ${key.alg} key${key.kid ? `, kid ${key.kid}` : ""}`, ""];
  lines.push("## Private: store it as the crypto object (keep it secret)", "", key.secretValue, "");
  if (key.privatePem && key.secretValue !== key.privatePem) lines.push("## Private key as PKCS#8 PEM", "", key.privatePem.trimEnd(), "");
  if (key.privateJwk && key.secretValue !== JSON.stringify(key.privateJwk)) lines.push("## Private JWK", "", JSON.stringify(key.privateJwk), "");
  if (key.publicJwks) lines.push("## Public JWK Set (for origins; the gateway serves it at /.well-known/jwks.json)", "", JSON.stringify(key.publicJwks, null, 2), "");
  lines.push(
    "## Store it",
    "",
    "  wrangler secret put SIGNING_KEY              # paste the private value above",
    "  wrangler kv key put --binding CRYPTO_OBJECTS signing-key \"$VALUE\" --remote",
    "",
  );
  if (args.set) lines.push("For a rotation, merge its key into the existing set: docs/keys.md, \"Rotating a key\".", "");
  process.stdout.write(lines.join("\n"));
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
