import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { publicJwks, type PublicJwk } from "../../src/keys/public-jwk";

/**
 * `edge-jwt jwks --alg ALG FILE…`: the public JWK Set of key files (PEM or JWK), as the worker's JWKS endpoint
 * publishes it — public members only, the `kid` tokens carry. Shared secrets are never published.
 */
export async function runJwks(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { alg: { type: "string" } }, allowPositionals: true });
  if (!values.alg || positionals.length === 0) {
    console.error("usage: edge-jwt jwks --alg ALG FILE…   (e.g. --alg ES256 orders-signing-key.pem)");
    return 2;
  }
  const keys: PublicJwk[] = [];
  for (const file of positionals) {
    try {
      const published = await publicJwks(await readFile(file, "utf8"), values.alg, file);
      keys.push(...published.keys);
      for (const why of published.skipped) console.error(`edge-jwt jwks: ${file}: ${why}`);
    } catch (e) {
      console.error(`edge-jwt jwks: ${file}: ${e instanceof Error ? e.message : "unreadable key"}`);
      return 1;
    }
  }
  console.log(JSON.stringify({ keys }, null, 2));
  return 0;
}
