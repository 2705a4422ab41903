import { api, gatewayFor } from "../gateway-helpers";

export { toPem } from "../keys/helpers";
import { toPem } from "../keys/helpers";

export interface TestKeyPair {
  privatePem: string;
  publicPem: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  publicKey: CryptoKey;
}

const cache = new Map<string, Promise<TestKeyPair>>();

/** A key pair for a JWS algorithm, generated once per test file. */
export function keyPairFor(alg: string): Promise<TestKeyPair> {
  const family = alg.slice(0, 2);
  const hash = `SHA-${alg.slice(2)}`;
  const params: Parameters<SubtleCrypto["generateKey"]>[0] =
    family === "ES"
      ? { name: "ECDSA", namedCurve: { "256": "P-256", "384": "P-384", "512": "P-521" }[alg.slice(2)] as string }
      : { name: family === "PS" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash };
  const key = family === "ES" ? (params as { namedCurve: string }).namedCurve : `${family}${hash}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
      return {
        privatePem: toPem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer),
        publicPem: toPem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
        privateJwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
        publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
        publicKey: pair.publicKey,
      };
    })();
    cache.set(key, p);
  }
  return p;
}

/**
 * A gateway with one API at /mint whose response body is the token jwt-generate minted
 * (into variable `out.token`). `policy` is the jwt-generate properties as YAML lines,
 * `setup` extra set-variable actions (YAML list items).
 */
export function minter(policy: string, opts: { setup?: string; bindings?: Record<string, unknown>; catchYaml?: string } = {}) {
  const indent = (text: string, n: number) => text.trim().split("\n").map((l) => " ".repeat(n) + l).join("\n");
  const assembly = `execute:
  - set-variable:
      actions:
        - {set: iss.claim, value: https://issuer.test}
${opts.setup ? indent(opts.setup, 8) + "\n" : ""}  - jwt-generate:
      jwt: out.token
${indent(policy, 6)}
  - set-variable:
      actions:
        - {set: message.body, value: $(out.token)}
${opts.catchYaml ? `catch:\n${opts.catchYaml}` : ""}`;
  return gatewayFor({ "mint.yaml": api("/mint", assembly) }, opts.bindings);
}

export function decodePart(token: string, index: number): Record<string, unknown> {
  const part = token.split(".")[index] as string;
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0))));
}
