/**
 * jwt-generate beyond API Connect, through the real built worker (Miniflare), checked by implementations
 * that share no code with the worker:
 * - EdDSA tokens verified by node:crypto (Ed25519), from a PKCS#8 PEM secret and an OKP JWK in KV;
 * - ECDH-ES and ECDH-ES+A128KW/A192KW/A256KW decrypted by node-jose (P-256/384/521) and by jose in Node
 *   (X25519, which node-jose lacks; the worker's JWE does not use jose);
 * - x-edge typ, extra headers, nbf and x5t#S256/x5c in an RS256 token verified by jsrsasign.
 */
import { createHash, createPublicKey, generateKeyPair, verify as nodeVerify, X509Certificate } from "node:crypto";
import { promisify } from "node:util";
import { compactDecrypt, importJWK } from "jose";
import jsrsasign from "jsrsasign";
import nodeJose from "node-jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/run-worker";
import { selfSignedCertificate } from "../support/independent/fixtures";

const generate = promisify(generateKeyPair);
const ECDH_ALGS = ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"] as const;
const CURVES = ["P-256", "P-384", "P-521", "X25519"] as const;
/** One enc per alg, so every alg meets both content families across the run. */
const ENC_FOR: Record<(typeof ECDH_ALGS)[number], string> = { "ECDH-ES": "A256GCM", "ECDH-ES+A128KW": "A128CBC-HS256", "ECDH-ES+A192KW": "A192GCM", "ECDH-ES+A256KW": "A256CBC-HS512" };

const q = JSON.stringify;
function api(base: string, policy: string, extraActions = ""): string {
  return `swagger: "2.0"
info: {title: ${base}, x-ibm-name: ${base}, version: 1.0.0}
basePath: /${base}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: "https://issuer.example/${base}"}
            - {set: sub.claim, value: $(request.headers.x-user)}
${extraActions}      - jwt-generate:
${policy
  .trim()
  .split("\n")
  .map((l) => `          ${l}`)
  .join("\n")}
          iss-claim: iss.claim
          sub-claim: sub.claim
          jwt: out.token
      - set-variable:
          actions:
            - {set: message.body, value: $(out.token)}
`;
}

let worker: RunningWorker;
let edPublic: ReturnType<typeof createPublicKey>;
let edJwkPublic: ReturnType<typeof createPublicKey>;
let rsaCertPem: string;
const recipients = new Map<string, { privateJwk: JsonWebKey }>();

beforeAll(async () => {
  const apis: Record<string, string> = {};
  const bindings: Record<string, string> = {};
  const kv: Record<string, string> = {};

  const ed = await generate("ed25519");
  edPublic = ed.publicKey;
  bindings.ED_PEM = ed.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  apis["ed-pem.yaml"] = api("ed-pem", "jws-alg: EdDSA\njws-crypto: ED_PEM");
  const ed2 = await generate("ed25519");
  edJwkPublic = ed2.publicKey;
  kv["ed-jwk"] = JSON.stringify({ ...ed2.privateKey.export({ format: "jwk" }), kid: "ed-kv" });
  apis["ed-jwk.yaml"] = api("ed-jwk", "jws-alg: EdDSA\njws-crypto: ed-jwk");

  for (const crv of CURVES) {
    const pair = crv === "X25519" ? await generate("x25519") : await generate("ec", { namedCurve: crv });
    recipients.set(crv, { privateJwk: pair.privateKey.export({ format: "jwk" }) as JsonWebKey });
    bindings[`ECDH_${crv.replace("-", "")}`] = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
    for (const alg of ECDH_ALGS) {
      const base = `ecdh-${crv}-${alg}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      apis[`${base}.yaml`] = api(base, `jwe-alg: ${q(alg)}\njwe-enc: ${ENC_FOR[alg]}\njwe-crypto: ECDH_${crv.replace("-", "")}`);
    }
  }

  const rsa = await generate("rsa", { modulusLength: 2048 });
  const rsaPem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  rsaCertPem = selfSignedCertificate(rsaPem);
  bindings.RS_KEY = rsaPem;
  bindings.RS_CERT = rsaCertPem;
  apis["edge-rs.yaml"] = api(
    "edge-rs",
    `jws-alg: RS256
jws-crypto: RS_KEY
x-edge:
  typ: at+jwt
  nbf: -30
  certificate: RS_CERT
  x5c: true
  headers: {x-tenant: $(request.headers.x-tenant)}
  claims:
    tenant: $(request.headers.x-tenant)
    level: {value: "7", type: number}`,
  );

  worker = await startWorker({ apis, bindings, kv });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
});

async function mint(base: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await worker.fetch(`/${base}/x`, { headers: { "x-user": "alice", ...headers } });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return body;
}

const b64json = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;

describe("EdDSA through the real worker, verified by node:crypto", () => {
  for (const [base, publicKey, kid] of [
    ["ed-pem", () => edPublic, undefined],
    ["ed-jwk", () => edJwkPublic, "ed-kv"],
  ] as const) {
    it(base, async () => {
      const token = await mint(base);
      const [h, p, s] = token.split(".") as [string, string, string];
      expect(nodeVerify(null, Buffer.from(`${h}.${p}`), publicKey(), Buffer.from(s, "base64url"))).toBe(true);
      // A changed payload does not verify: the check can fail.
      expect(nodeVerify(null, Buffer.from(`${h}.${p}x`), publicKey(), Buffer.from(s, "base64url"))).toBe(false);
      const header = b64json(h);
      expect(header.alg).toBe("EdDSA");
      if (kid) expect(header.kid).toBe(kid);
      else expect(typeof header.kid).toBe("string"); // the RFC 7638 thumbprint
      expect(b64json(p)).toMatchObject({ iss: `https://issuer.example/${base}`, sub: "alice" });
    });
  }
});

describe("ECDH-ES through the real worker, decrypted independently", () => {
  for (const crv of CURVES) {
    it(`${crv}: ${ECDH_ALGS.join(", ")}`, async () => {
      const { privateJwk } = recipients.get(crv)!;
      for (const alg of ECDH_ALGS) {
        const base = `ecdh-${crv}-${alg}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
        const token = await mint(base);
        let header: Record<string, unknown>;
        let plaintext: string;
        if (crv === "X25519") {
          const r = await compactDecrypt(token, await importJWK(privateJwk as never, alg));
          header = r.protectedHeader as Record<string, unknown>;
          plaintext = Buffer.from(r.plaintext).toString("utf8");
        } else {
          const key = await nodeJose.JWK.asKey(privateJwk as object, "json");
          const r = await nodeJose.JWE.createDecrypt(key).decrypt(token);
          header = r.header as Record<string, unknown>;
          plaintext = r.plaintext.toString("utf8");
        }
        expect(header).toMatchObject({ alg, enc: ENC_FOR[alg], epk: { crv } });
        expect(JSON.parse(plaintext)).toMatchObject({ iss: `https://issuer.example/${base}`, sub: "alice" });
      }
    });
  }
});

describe("x-edge header parameters, verified by jsrsasign", () => {
  it("typ, x5t#S256 and x5c of the signing certificate, a templated header, nbf and typed claims", async () => {
    const token = await mint("edge-rs", { "x-tenant": 'acme","admin":true,"x":"' });
    const cert = new X509Certificate(rsaCertPem);
    const ok = jsrsasign.KJUR.jws.JWS.verifyJWT(token, cert.publicKey.export({ type: "spki", format: "pem" }) as string, {
      alg: ["RS256"],
      verifyAt: jsrsasign.KJUR.jws.IntDate.get("now"),
    } as never);
    expect(ok).toBe(true);
    const [h, p] = token.split(".") as [string, string];
    const header = b64json(h);
    expect(header).toMatchObject({ alg: "RS256", typ: "at+jwt", "x-tenant": 'acme","admin":true,"x":"' });
    expect(header["x5t#S256"]).toBe(createHash("sha256").update(cert.raw).digest("base64url"));
    expect(header.x5c).toEqual([cert.raw.toString("base64")]);
    const claims = b64json(p);
    expect(claims).toMatchObject({ sub: "alice", tenant: 'acme","admin":true,"x":"', level: 7, nbf: (claims.iat as number) - 30 });
    expect(claims).not.toHaveProperty("admin");
  });
});
