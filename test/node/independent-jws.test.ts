/**
 * Tokens minted by the real worker (bundled, in Miniflare) for every JWS algorithm and every key
 * source, verified with jose AND with independent implementations (node-jose + jsrsasign).
 * One worker serves all cases, one API (basePath) per case. Keys are generated here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { jwtVerify } from "jose";
import { startWorker, type RunningWorker } from "../support/run-worker";
import { JWS_ALGS, independentVerify, jwcryptoBatch, jwcryptoPython, type IndependentKey, type JwsAlg } from "../support/independent";
import { flipPart, jwtGenerateApi, mintThroughWorker, rfc7638Thumbprint } from "../support/independent/fixtures";

const generate = promisify(generateKeyPair);

type Source =
  | "secret-pkcs8" | "secret-pkcs1" | "secret-sec1" | "kv-pkcs8" | "kv-pkcs1" | "kv-sec1" | "kv-jwk" | "jwk-variable"
  | "secret-hex" | "secret-text" | "kv-hex" | "kv-jwk-oct" | "jwk-variable-oct";

function sourcesFor(alg: JwsAlg): Source[] {
  if (alg.startsWith("HS")) return ["secret-hex", "secret-text", "kv-hex", "kv-jwk-oct", "jwk-variable-oct"];
  if (alg.startsWith("ES")) return ["secret-pkcs8", "secret-sec1", "kv-sec1", "kv-jwk", "jwk-variable"];
  return ["secret-pkcs8", "secret-pkcs1", "kv-pkcs8", "kv-pkcs1", "kv-jwk", "jwk-variable"];
}

const CASES = JWS_ALGS.flatMap((alg) => sourcesFor(alg).map((source) => ({ alg, source })));
const CURVES: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

interface Prepared {
  id: string;
  path: string;
  claims: { iss: string; sub: string; aud: string };
  joseKey: KeyObject | Uint8Array;
  /** Every public form the independent verifier is given (all must verify). */
  independentKeys: IndependentKey[];
  /** Expected header kid: a string, or undefined for none. */
  kid: string | undefined;
}

const prepared = new Map<string, Prepared>();
const tokens = new Map<string, string>();
let worker: RunningWorker;

const caseId = (alg: string, source: string) => `${alg}-${source}`.toLowerCase();

beforeAll(async () => {
  const apis: Record<string, string> = {};
  const bindings: Record<string, string> = {};
  const kv: Record<string, string> = {};
  await Promise.all(
    CASES.map(async ({ alg, source }, i) => {
      const id = caseId(alg, source);
      const claims = { iss: `https://issuer.example/${id}`, sub: `subject-${id}`, aud: `audience-${id}` };
      const bindingName = `KEY_${i}`;
      const kvName = `kv-key-${i}`;
      const policy: Record<string, string> = { "jws-alg": alg };
      const setActions: string[] = [];
      let p: Prepared;
      if (alg.startsWith("HS")) {
        // Plain text: its UTF-8 bytes are the key. Others: 64 random bytes.
        const text = `plain text shared secret for ${id} ${randomBytes(24).toString("base64url")}`;
        const bytes = source === "secret-text" ? Buffer.from(text, "utf8") : randomBytes(64);
        const hex = `0x${bytes.toString("hex")}`;
        const octJwk = { kty: "oct", k: bytes.toString("base64url") };
        let kid: string | undefined;
        if (source === "secret-hex") (bindings[bindingName] = hex), (policy["jws-crypto"] = bindingName);
        else if (source === "secret-text") (bindings[bindingName] = text), (policy["jws-crypto"] = bindingName);
        else if (source === "kv-hex") (kv[kvName] = hex), (policy["jws-crypto"] = kvName);
        else if (source === "kv-jwk-oct") (kv[kvName] = JSON.stringify(octJwk)), (policy["jws-crypto"] = kvName);
        else {
          kid = `jwk-${id}`;
          bindings[bindingName] = JSON.stringify({ ...octJwk, kid });
          setActions.push(`{set: my.jwk, value: $(env.${bindingName})}`);
          policy["jws-jwk"] = "my.jwk";
        }
        p = { id, path: `/${id}/mint`, claims, joseKey: bytes, independentKeys: [{ secret: bytes }, { jwk: octJwk }], kid };
      } else {
        const pair = alg.startsWith("ES")
          ? await generate("ec", { namedCurve: CURVES[alg] as string })
          : await generate("rsa", { modulusLength: 2048 });
        const { privateKey, publicKey } = pair;
        const pem = (type: "pkcs8" | "pkcs1" | "sec1") => privateKey.export({ type, format: "pem" }) as string;
        const privateJwk = privateKey.export({ format: "jwk" }) as JsonWebKey;
        const publicJwk = publicKey.export({ format: "jwk" }) as JsonWebKey;
        let kid: string | undefined = rfc7638Thumbprint(publicJwk); // crypto objects: RFC 7638 thumbprint
        if (source === "secret-pkcs8" || source === "secret-pkcs1" || source === "secret-sec1") {
          bindings[bindingName] = pem(source.slice(7) as "pkcs8");
          policy["jws-crypto"] = bindingName;
        } else if (source === "kv-pkcs8" || source === "kv-pkcs1" || source === "kv-sec1") {
          kv[kvName] = pem(source.slice(3) as "pkcs8");
          policy["jws-crypto"] = kvName;
        } else if (source === "kv-jwk") {
          kv[kvName] = JSON.stringify(privateJwk);
          policy["jws-crypto"] = kvName;
        } else {
          kid = `jwk-${id}`;
          bindings[bindingName] = JSON.stringify({ ...privateJwk, kid });
          setActions.push(`{set: my.jwk, value: $(env.${bindingName})}`);
          policy["jws-jwk"] = "my.jwk";
        }
        const independentKeys: IndependentKey[] = [
          { pem: publicKey.export({ type: "spki", format: "pem" }) as string },
          { jwk: publicJwk },
        ];
        if (!alg.startsWith("ES")) independentKeys.push({ pem: publicKey.export({ type: "pkcs1", format: "pem" }) as string });
        p = { id, path: `/${id}/mint`, claims, joseKey: publicKey, independentKeys, kid };
      }
      apis[`${id}.yaml`] = jwtGenerateApi({ name: id, basePath: `/${id}`, policy, claims, setActions });
      prepared.set(id, p);
    }),
  );
  worker = await startWorker({ apis, bindings, kv });
});

afterAll(async () => {
  await worker?.stop();
});

describe.each(JWS_ALGS)("worker-minted %s", (alg) => {
  it.each(sourcesFor(alg))(`key from %s: verified by jose and independently`, async (source) => {
    const p = prepared.get(caseId(alg, source)) as Prepared;
    const before = Math.floor(Date.now() / 1000);
    const token = await mintThroughWorker(worker.url, p.path);
    tokens.set(p.id, token);

    // jose (the library the worker itself uses).
    const { payload, protectedHeader } = await jwtVerify(token, p.joseKey, {
      algorithms: [alg], issuer: p.claims.iss, subject: p.claims.sub, audience: p.claims.aud,
    });
    expect(protectedHeader.alg).toBe(alg);

    // Independent implementations, with every public form of the key.
    for (const key of p.independentKeys) {
      const r = await independentVerify(token, key, alg);
      expect(r.verifiedBy).toEqual(["node-jose", "jsrsasign"]);
      expect(r.header.alg).toBe(alg);
      expect(r.claims).toEqual(payload);
      expect(r.claims.iss).toBe(p.claims.iss);
      expect(r.claims.sub).toBe(p.claims.sub);
      expect(r.claims.aud).toBe(p.claims.aud);
      const { iat, exp } = r.claims as { iat: number; exp: number };
      expect(exp - iat).toBe(600);
      expect(iat).toBeGreaterThanOrEqual(before - 5);
      expect(iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 5);
    }

    // One flipped character of the signature: rejected by each independent verifier.
    const key = p.independentKeys[0] as IndependentKey;
    await expect(independentVerify(flipPart(token, 2), key, alg, { verifiers: ["node-jose"] })).rejects.toThrow(/verification failed/);
    await expect(independentVerify(flipPart(token, 2), key, alg, { verifiers: ["jsrsasign"] })).rejects.toThrow(/verification failed/);
  });

  it.each(sourcesFor(alg))("key from %s: header is {alg, kid} with the documented kid", (source) => {
    const p = prepared.get(caseId(alg, source)) as Prepared;
    const token = tokens.get(p.id);
    if (!token) throw new Error("no token: the minting test failed");
    const header = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString("utf8"));
    expect(header).toEqual(p.kid === undefined ? { alg } : { alg, kid: p.kid });
  });
});

describe.skipIf(!jwcryptoPython())("optional: python jwcrypto", () => {
  it("verifies every worker-minted JWS above and rejects each with a flipped signature character", async () => {
    const items = CASES.flatMap(({ alg, source }) => {
      const p = prepared.get(caseId(alg, source)) as Prepared;
      const token = tokens.get(p.id);
      if (!token) return [];
      const key = p.independentKeys[0] as IndependentKey;
      return [{ kind: "jws" as const, token, key, alg }, { kind: "jws" as const, token: flipPart(token, 2), key, alg }];
    });
    expect(items.length).toBe(CASES.length * 2);
    const results = await jwcryptoBatch(items);
    results.forEach((r, i) => {
      const label = `${items[i]?.alg} ${i % 2 ? "tampered" : "genuine"}`;
      expect(r.ok, `${label}: ${r.ok ? "" : r.error}`).toBe(i % 2 === 0);
    });
  });
});
