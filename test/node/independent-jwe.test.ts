/**
 * JWEs minted by the real worker (bundled, in Miniflare) for every jwe-alg × jwe-enc, with the
 * encryption key in each accepted form, decrypted with an independent implementation (node-jose;
 * node-forge for the RSA1_5 key unwrap) and, except RSA1_5 which jose 6 dropped, with jose too.
 * Also nested JWTs (JWS inside a JWE with cty "JWT"). One worker, one API per case.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { compactDecrypt, jwtVerify } from "jose";
import { startWorker, type RunningWorker } from "../support/run-worker";
import {
  CEK_BYTES, JWE_ALGS, JWE_ENCS, independentDecrypt, independentVerify, jwcryptoBatch, jwcryptoPython,
  type IndependentKey, type JwcryptoItem, type JweAlg, type JweEnc,
} from "../support/independent";
import { flipPart, jwtGenerateApi, mintThroughWorker, rfc7638Thumbprint, selfSignedCertificate } from "../support/independent/fixtures";

const generate = promisify(generateKeyPair);

const RSA_FORMS = ["secret-spki", "secret-pkcs1-public", "secret-cert", "kv-spki", "kv-cert", "kv-jwk", "jwk-variable"] as const;
const SYMMETRIC_FORMS = ["secret-hex", "kv-hex", "kv-jwk-oct", "jwk-variable-oct"] as const;
type Form = (typeof RSA_FORMS)[number] | (typeof SYMMETRIC_FORMS)[number];

/** Each alg × enc gets one key form; rotating by alg and enc covers every form several times. */
function formFor(alg: JweAlg, enc: JweEnc): Form {
  const i = JWE_ALGS.indexOf(alg) + JWE_ENCS.indexOf(enc);
  return alg.startsWith("RSA") ? (RSA_FORMS[i % RSA_FORMS.length] as Form) : (SYMMETRIC_FORMS[i % SYMMETRIC_FORMS.length] as Form);
}

const JWE_CASES = JWE_ALGS.flatMap((alg) => JWE_ENCS.map((enc) => ({ alg, enc, form: formFor(alg, enc) })));

/** Nested JWTs: signing alg, encryption alg/enc. */
/** Every alg × enc pair nested too, each with a different inner JWS algorithm in turn (all 12 appear). */
const NESTED_JWS = ["RS256", "ES256", "HS256", "PS384", "ES512", "HS512", "RS384", "PS256", "ES384", "HS384", "RS512", "PS512"] as const;
const NESTED_CASES = JWE_ALGS.flatMap((alg, a) =>
  JWE_ENCS.map((enc, e) => ({ jws: NESTED_JWS[(a * JWE_ENCS.length + e) % NESTED_JWS.length] as (typeof NESTED_JWS)[number], alg, enc })),
);

interface Prepared {
  id: string;
  path: string;
  alg: JweAlg;
  enc: JweEnc;
  claims: { iss: string; sub: string; aud: string };
  /** Private forms for the independent decryptor (all must work). */
  decryptKeys: IndependentKey[];
  joseKey: KeyObject | Uint8Array;
  kid: string | undefined;
  /** Nested: how to verify the inner JWS. */
  inner?: { alg: string; independentKey: IndependentKey; joseKey: KeyObject | Uint8Array };
}

const prepared = new Map<string, Prepared>();
const tokens = new Map<string, string>();
let worker: RunningWorker;

const jweId = (alg: string, enc: string) => `jwe-${alg}-${enc}`.toLowerCase().replace(/_/g, "-");
const nestedId = (jws: string, alg: string, enc: string) => `nested-${jws}-${alg}-${enc}`.toLowerCase().replace(/_/g, "-");

async function encryptionKey(
  alg: JweAlg, enc: JweEnc, form: Form, n: number,
  bindings: Record<string, string>, kv: Record<string, string>, policy: Record<string, string>, setActions: string[], id: string,
): Promise<Pick<Prepared, "decryptKeys" | "joseKey" | "kid">> {
  const bindingName = `ENC_${n}`;
  const kvName = `kv-enc-${n}`;
  const crypto = (where: "secret" | "kv", value: string) => {
    if (where === "secret") bindings[bindingName] = value;
    else kv[kvName] = value;
    policy["jwe-crypto"] = where === "secret" ? bindingName : kvName;
  };
  const variable = (jwk: object) => {
    bindings[bindingName] = JSON.stringify(jwk);
    setActions.push(`{set: enc.jwk, value: $(env.${bindingName})}`);
    policy["jwe-jwk"] = "enc.jwk";
  };
  if (alg.startsWith("RSA")) {
    const { privateKey, publicKey } = await generate("rsa", { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const publicJwk = publicKey.export({ format: "jwk" }) as JsonWebKey;
    const spki = publicKey.export({ type: "spki", format: "pem" }) as string;
    let kid: string | undefined = rfc7638Thumbprint(publicJwk);
    switch (form) {
      case "secret-spki": crypto("secret", spki); break;
      case "secret-pkcs1-public": crypto("secret", publicKey.export({ type: "pkcs1", format: "pem" }) as string); break;
      case "secret-cert": crypto("secret", selfSignedCertificate(privatePem, id)); break;
      case "kv-spki": crypto("kv", spki); break;
      case "kv-cert": crypto("kv", selfSignedCertificate(privatePem, id)); break;
      case "kv-jwk": crypto("kv", JSON.stringify(publicJwk)); break;
      default: kid = `enc-${id}`; variable({ ...publicJwk, kid });
    }
    return {
      decryptKeys: [
        { pem: privatePem },
        { pem: privateKey.export({ type: "pkcs1", format: "pem" }) as string },
        { jwk: privateKey.export({ format: "jwk" }) as JsonWebKey },
      ],
      joseKey: privateKey,
      kid,
    };
  }
  const bytes = randomBytes(alg === "dir" ? CEK_BYTES[enc] : Number(alg.slice(1, 4)) / 8);
  const oct = { kty: "oct", k: bytes.toString("base64url") };
  let kid: string | undefined;
  switch (form) {
    case "secret-hex": crypto("secret", `0x${bytes.toString("hex")}`); break;
    case "kv-hex": crypto("kv", `0x${bytes.toString("hex")}`); break;
    case "kv-jwk-oct": crypto("kv", JSON.stringify(oct)); break;
    default: kid = `enc-${id}`; variable({ ...oct, kid });
  }
  return { decryptKeys: [{ secret: bytes }, { jwk: oct }], joseKey: bytes, kid };
}

async function signingKey(alg: string, n: number, bindings: Record<string, string>, policy: Record<string, string>) {
  const name = `SIGN_${n}`;
  policy["jws-alg"] = alg;
  policy["jws-crypto"] = name;
  if (alg.startsWith("HS")) {
    const bytes = randomBytes(64);
    bindings[name] = `0x${bytes.toString("hex")}`;
    return { alg, independentKey: { secret: bytes }, joseKey: bytes };
  }
  const pair = alg.startsWith("ES")
    ? await generate("ec", { namedCurve: alg === "ES256" ? "P-256" : alg === "ES384" ? "P-384" : "P-521" })
    : await generate("rsa", { modulusLength: 2048 });
  bindings[name] = pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  return { alg, independentKey: { jwk: pair.publicKey.export({ format: "jwk" }) as JsonWebKey }, joseKey: pair.publicKey };
}

beforeAll(async () => {
  const apis: Record<string, string> = {};
  const bindings: Record<string, string> = {};
  const kv: Record<string, string> = {};
  const all = [
    ...JWE_CASES.map((c) => ({ ...c, jws: undefined as string | undefined, id: jweId(c.alg, c.enc) })),
    ...NESTED_CASES.map((c) => ({ ...c, form: formFor(c.alg, c.enc), id: nestedId(c.jws, c.alg, c.enc) })),
  ];
  await Promise.all(
    all.map(async ({ alg, enc, form, jws, id }, n) => {
      const claims = { iss: `https://issuer.example/${id}`, sub: `subject-${id}`, aud: `audience-${id}` };
      const policy: Record<string, string> = { "jwe-alg": alg, "jwe-enc": enc };
      const setActions: string[] = [];
      const key = await encryptionKey(alg, enc, form, n, bindings, kv, policy, setActions, id);
      const inner = jws ? await signingKey(jws, n, bindings, policy) : undefined;
      apis[`${id}.yaml`] = jwtGenerateApi({ name: id, basePath: `/${id}`, policy, claims, setActions });
      prepared.set(id, { id, path: `/${id}/mint`, alg, enc, claims, ...key, inner });
    }),
  );
  worker = await startWorker({ apis, bindings, kv });
});

afterAll(async () => {
  await worker?.stop();
});

function checkClaims(claims: Record<string, unknown>, p: Prepared, before: number) {
  expect(claims.iss).toBe(p.claims.iss);
  expect(claims.sub).toBe(p.claims.sub);
  expect(claims.aud).toBe(p.claims.aud);
  const { iat, exp } = claims as { iat: number; exp: number };
  expect(exp - iat).toBe(600);
  expect(iat).toBeGreaterThanOrEqual(before - 5);
  expect(iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 5);
}

describe.each(JWE_ALGS)("worker-minted JWE, alg %s", (alg) => {
  it.each(JWE_ENCS.map((enc) => [enc, formFor(alg, enc)] as const))(
    "enc %s, key as %s: decrypted independently (and by jose, except RSA1_5)",
    async (enc) => {
      const p = prepared.get(jweId(alg, enc)) as Prepared;
      const before = Math.floor(Date.now() / 1000);
      const token = await mintThroughWorker(worker.url, p.path);
      tokens.set(p.id, token);
      for (const key of p.decryptKeys) {
        const r = await independentDecrypt(token, key, { alg, enc });
        expect(r.header.alg).toBe(alg);
        expect(r.header.enc).toBe(enc);
        expect(r.header.cty).toBeUndefined();
        checkClaims(JSON.parse(r.plaintext), p, before);
      }
      if (alg !== "RSA1_5") {
        const { plaintext } = await compactDecrypt(token, p.joseKey, { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc] });
        checkClaims(JSON.parse(new TextDecoder().decode(plaintext)), p, before);
      }
      // One flipped character of the authentication tag, or of the ciphertext: rejected.
      const key = p.decryptKeys[0] as IndependentKey;
      await expect(independentDecrypt(flipPart(token, 4), key, { alg, enc })).rejects.toThrow(/decryption failed/);
      await expect(independentDecrypt(flipPart(token, 3), key, { alg, enc })).rejects.toThrow(/decryption failed/);
    },
  );

  it.each(JWE_ENCS.map((enc) => [enc, formFor(alg, enc)] as const))("enc %s, key as %s: header is {alg, enc, kid} with the documented kid", (enc) => {
    const p = prepared.get(jweId(alg, enc)) as Prepared;
    const token = tokens.get(p.id);
    if (!token) throw new Error("no token: the minting test failed");
    const header = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString("utf8"));
    expect(header).toEqual(p.kid === undefined ? { alg, enc } : { alg, enc, kid: p.kid });
  });
});

it("logs a deprecation warning for each definition using RSA1_5", () => {
  const rsa15Apis = [...prepared.values()].filter((p) => p.alg === "RSA1_5").map((p) => `${p.id}.yaml`);
  expect(rsa15Apis.length).toBe(JWE_ENCS.length * 2); // JWE only and nested, one API each
  for (const file of rsa15Apis) {
    expect(worker.logs.some((line) => line.includes(file) && /RSA1_5/.test(line) && /deprecat/i.test(line)), file).toBe(true);
  }
});

describe("worker-minted nested JWT (JWS inside JWE)", () => {
  it.each(NESTED_CASES.map((c) => [c.jws, c.alg, c.enc] as const))("%s inside %s/%s: decrypted and verified independently and by jose", async (jws, alg, enc) => {
    const p = prepared.get(nestedId(jws, alg, enc)) as Prepared;
    const inner = p.inner as NonNullable<Prepared["inner"]>;
    const before = Math.floor(Date.now() / 1000);
    const token = await mintThroughWorker(worker.url, p.path);
    const outer = await independentDecrypt(token, p.decryptKeys[0] as IndependentKey, { alg, enc });
    expect(outer.header.cty).toBe("JWT");
    const r = await independentVerify(outer.plaintext, inner.independentKey, jws);
    expect(r.verifiedBy).toEqual(["node-jose", "jsrsasign"]);
    checkClaims(r.claims, p, before);
    const { payload } = await jwtVerify(outer.plaintext, inner.joseKey, { algorithms: [jws], issuer: p.claims.iss, audience: p.claims.aud });
    expect(payload).toEqual(r.claims);
    if (alg !== "RSA1_5") {
      const { plaintext, protectedHeader } = await compactDecrypt(token, p.joseKey);
      expect(protectedHeader.cty).toBe("JWT");
      expect(new TextDecoder().decode(plaintext)).toBe(outer.plaintext);
    }
    await expect(independentVerify(flipPart(outer.plaintext, 2), inner.independentKey, jws)).rejects.toThrow(/verification failed/);
  });
});

describe.skipIf(!jwcryptoPython())("optional: python jwcrypto", () => {
  it("decrypts every worker-minted JWE above and rejects each with a flipped tag character", async () => {
    const items: JwcryptoItem[] = [];
    for (const { alg, enc } of JWE_CASES) {
      const p = prepared.get(jweId(alg, enc)) as Prepared;
      const token = tokens.get(p.id);
      if (!token) continue;
      const key = p.decryptKeys[0] as IndependentKey;
      items.push({ kind: "jwe", token, key, alg, enc }, { kind: "jwe", token: flipPart(token, 4), key, alg, enc });
    }
    expect(items.length).toBe(JWE_CASES.length * 2);
    const results = await jwcryptoBatch(items);
    results.forEach((r, i) => {
      const item = items[i] as JwcryptoItem & { enc: string };
      const label = `${item.alg}/${item.enc} ${i % 2 ? "tampered" : "genuine"}`;
      expect(r.ok, `${label}: ${r.ok ? "" : r.error}`).toBe(i % 2 === 0);
      if (r.ok) expect(JSON.parse(r.text).iss).toMatch(/^https:\/\/issuer\.example\//);
    });
  });
});
