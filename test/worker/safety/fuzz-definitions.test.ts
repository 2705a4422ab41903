import fc from "fast-check";
import { importJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { compileApis } from "../../../src/config/compile-api";
import { createGateway } from "../../../src/gateway";
import { testEnv } from "../gateway-helpers";
import { GENERIC_500_BODIES, isGatewayFault, print, readAndRecord, useSafety } from "./recorder";
import { decryptJwe, hex, partText, randomBytes, signingPair, Tally, verifyJws, type SigningPair } from "./support";

// Every response and log line of this file goes through the secret-hygiene recorder.
const safety = useSafety("fuzz-definitions");
const HMAC_SECRET_FUZZ = `fuzz secret ${hex(randomBytes(16))}`;
const RUNS_RANDOM = 1000;
const RUNS_JWT = 300;

/** Any JSON-like value, including the keys that pollute prototypes when copied carelessly. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "prototype")), tie("value"), { maxKeys: 4 }),
  ),
})).value;

const policyName = fc.constantFrom("set-variable", "invoke", "throw", "jwt-generate", "gatewayscript", "");
const knownKeys = fc.constantFrom(
  "actions", "set", "add", "clear", "value", "type", "target-url", "verb", "timeout", "name", "message", "error-status-code",
  "jwt", "iss-claim", "sub-claim", "aud-claim", "exp-claim", "jti-claim", "private-claims", "jws-alg", "jws-crypto", "jws-jwk",
  "jwe-alg", "jwe-enc", "jwe-crypto", "jwe-jwk", "version", "__proto__",
);
const policyConfig = fc.dictionary(knownKeys, fc.oneof(anyValue, fc.constantFrom("HS256", "RS256", "none", "dir", "A128GCM", "iss.claim", "$(request.path)", "https://127.0.0.1:1/x")), { maxKeys: 8 });
const varName = fc.constantFrom("iss.claim", "sub.claim", "x", "message.body", "message.headers.X-A", "message.status.code", "__proto__", "request.verb");
const template = fc.oneof(fc.string(), fc.constantFrom("$(request.path)", "$(x)$(x)", "$(", "$()", "$(env.ORIGIN_URL)/a", "$(message.body)"));
/** Well-formed policies with random values: they pass validation more often, so they reach the runtime. */
const wellFormedStep = fc.oneof(
  fc.record({ "set-variable": fc.record({ actions: fc.array(fc.record({ set: varName, value: fc.oneof(template, anyValue), type: fc.constantFrom("any", "string", "number", "boolean") }), { maxLength: 3 }) }) }),
  fc.record({ throw: fc.record({ name: fc.string({ minLength: 1 }), message: template }) }),
  fc.record({ invoke: fc.record({ "target-url": template, timeout: fc.constantFrom(1, 2) }) }),
  fc.record({
    "jwt-generate": fc.record({
      "jws-alg": fc.constantFrom("HS256", "RS256", "ES256", "none"),
      "jws-crypto": fc.constantFrom("HMAC_SECRET_FUZZ", "NOPE"),
      "jws-jwk": fc.constantFrom("x", "sub.claim"),
      "private-claims": fc.constantFrom("x", "message.body"),
      "aud-claim": fc.constantFrom("x,sub.claim", "x"),
      jwt: varName,
    }),
  }),
);
const step = fc.oneof(wellFormedStep, wellFormedStep, fc.tuple(policyName, policyConfig).map(([name, config]) => ({ [name]: config })));
const definition = fc.record({
  swagger: fc.constantFrom("2.0", "2.0", "2.0", "3.0", undefined as unknown as string),
  basePath: fc.constantFrom("/f", "/f", "/f", "f", "/", undefined as unknown as string),
  "x-ibm-configuration": fc.oneof(
    { weight: 1, arbitrary: anyValue },
    { weight: 6, arbitrary: fc.record({ assembly: fc.record({ execute: fc.array(step, { maxLength: 4 }), catch: fc.oneof(fc.constant(undefined), fc.array(anyValue, { maxLength: 2 })) }) }) },
  ),
});

/** True when the definition has a throw anywhere: its message is the author's text for the client. */
const hasThrow = (def: unknown): boolean => JSON.stringify(def ?? null).includes('"throw"');

describe("fuzzing API definitions", () => {
  it(`a random definition either fails validation with located messages or runs to a defined response (${RUNS_RANDOM} inputs)`, async () => {
    let rejected = 0;
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(definition, fc.string(), async (def, pathTail) => {
        const { apis, problems } = compileApis([{ file: "fuzz.yaml", definition: def }]);
        if (problems.length > 0) {
          rejected++;
          for (const p of problems) {
            expect(p.file).toBe("fuzz.yaml");
            expect(typeof p.path).toBe("string");
            expect(p.message.length).toBeGreaterThan(0);
          }
          return;
        }
        ran++;
        const app = createGateway(apis);
        const res = await app.fetch(new Request(`https://gw.test/f/${encodeURIComponent(pathTail)}`), { ...testEnv, HMAC_SECRET_FUZZ });
        const result = await readAndRecord(safety.output, "fuzz-definitions", res);
        expect(result.status).toBeGreaterThanOrEqual(200);
        expect(result.status).toBeLessThan(600);
        if (result.status === 500) {
          const body = JSON.parse(result.body);
          expect(Object.keys(body)).toEqual(["httpCode", "httpMessage", "moreInformation"]);
          // Without a throw (whose message is the author's own text), only the generic bodies.
          if (!hasThrow(def)) expect(GENERIC_500_BODIES.has(result.body), result.body).toBe(true);
        }
      }),
      { numRuns: RUNS_RANDOM },
    );
    expect(rejected + ran).toBe(RUNS_RANDOM);
    expect(rejected).toBeGreaterThan(0);
    expect(ran).toBeGreaterThan(0);
    print(`fuzz-definitions: random definitions: ${RUNS_RANDOM} inputs: ${rejected} rejected with located messages, ${ran} ran to a defined response`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(safety.logs.filter(isGatewayFault)).toEqual([]);
  });
});

/**
 * jwt-generate shapes: every property drawn from valid and invalid values, keys named from a
 * fixed set of crypto objects (and the same keys as jws-jwk / jwe-jwk variables). A definition
 * either fails the build, or every response is a 200 with exactly the token configured (its
 * algorithms, verified or decrypted with the configured key) or a generic 500; and a
 * configuration whose keys fit its algorithms must produce that token.
 */
describe("fuzzing jwt-generate shapes", () => {
  const JWS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];
  const JWE_ALGS = ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "dir", "A128KW", "A192KW", "A256KW"];
  const JWE_ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"];
  const CEK: Record<string, number> = { "A128CBC-HS256": 32, "A192CBC-HS384": 48, "A256CBC-HS512": 64, A128GCM: 16, A192GCM: 24, A256GCM: 32 };
  const KW: Record<string, number> = { A128KW: 16, A192KW: 24, A256KW: 32 };
  /** Crypto object names: what each holds. */
  const KEYS = ["HS", "RSA", "EC256", "EC384", "EC521", "OCT16", "OCT24", "OCT32", "OCT48", "OCT64"] as const;
  type KeyName = (typeof KEYS)[number];
  const hs = randomBytes(64);
  const octs: Record<string, Uint8Array> = { OCT16: randomBytes(16), OCT24: randomBytes(24), OCT32: randomBytes(32), OCT48: randomBytes(48), OCT64: randomBytes(64) };
  let rsa: SigningPair;
  const ecs: Record<string, SigningPair> = {};
  const env: Record<string, unknown> = {};

  beforeAll(async () => {
    [rsa, ecs.EC256, ecs.EC384, ecs.EC521] = await Promise.all([signingPair("RS256"), signingPair("ES256"), signingPair("ES384"), signingPair("ES512")]) as [SigningPair, SigningPair, SigningPair, SigningPair];
    const b64u = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    Object.assign(env, testEnv, { HS: `0x${hex(hs)}`, RSA: rsa.privatePem, JWK_HS: JSON.stringify({ kty: "oct", k: b64u(hs) }), JWK_RSA: JSON.stringify(rsa.privateJwk) });
    for (const [name, pair] of Object.entries(ecs)) Object.assign(env, { [name]: pair.privatePem, [`JWK_${name}`]: JSON.stringify(pair.privateJwk) });
    for (const [name, bytes] of Object.entries(octs)) Object.assign(env, { [name]: `0x${hex(bytes)}`, [`JWK_${name}`]: JSON.stringify({ kty: "oct", k: b64u(bytes) }) });
    safety.secrets.addBytes("HS", hs).addPem("RSA", rsa.privatePem).addJwk("RSA-jwk", rsa.privateJwk);
    for (const [name, pair] of Object.entries(ecs)) safety.secrets.addPem(name, pair.privatePem).addJwk(`${name}-jwk`, pair.privateJwk);
    for (const [name, bytes] of Object.entries(octs)) safety.secrets.addBytes(name, bytes);
    safety.secrets.addText("HMAC_SECRET_FUZZ", HMAC_SECRET_FUZZ);
  });

  function signingFits(alg: string, key: KeyName): boolean {
    // RFC 7518 §3.2: a secret at least as long as the hash output.
    if (alg.startsWith("HS")) return key === "HS" || (key.startsWith("OCT") && octs[key]!.length >= ({ HS256: 32, HS384: 48, HS512: 64 } as Record<string, number>)[alg]!);
    if (alg.startsWith("RS") || alg.startsWith("PS")) return key === "RSA";
    return key === { ES256: "EC256", ES384: "EC384", ES512: "EC521" }[alg];
  }
  function encryptionFits(alg: string, enc: string, key: KeyName): boolean {
    if (alg.startsWith("RSA")) return key === "RSA";
    const bytes = alg === "dir" ? CEK[enc] : KW[alg];
    return key.startsWith("OCT") && octs[key]!.length === bytes;
  }
  async function verifyKey(alg: string, key: KeyName): Promise<CryptoKey | Uint8Array> {
    if (key === "HS") return hs;
    if (key.startsWith("OCT")) return octs[key]!;
    const pair = key === "RSA" ? rsa : ecs[key]!;
    return (await importJWK(pair.publicJwk as never, alg)) as CryptoKey;
  }
  async function decryptKey(alg: string, key: KeyName): Promise<CryptoKey | Uint8Array> {
    if (key.startsWith("OCT")) return octs[key]!;
    const { alg: _a, key_ops: _k, ...jwk } = rsa.privateJwk as unknown as Record<string, unknown>;
    return (await importJWK(jwk as never, alg)) as CryptoKey;
  }

  /** "fit" is resolved to a key that fits the algorithms; otherwise any key (most do not fit). */
  const keyName = fc.oneof({ weight: 2, arbitrary: fc.constant("fit" as const) }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) });
  function fittingSigningKey(alg: string): KeyName {
    return alg.startsWith("HS") ? "HS" : alg.startsWith("ES") ? (({ ES256: "EC256", ES384: "EC384", ES512: "EC521" }) as Record<string, KeyName>)[alg] ?? "EC256" : "RSA";
  }
  function fittingEncryptionKey(alg: string, enc: string): KeyName {
    if (alg.startsWith("RSA")) return "RSA";
    return (`OCT${alg === "dir" ? CEK[enc] ?? 16 : KW[alg] ?? 16}` as KeyName);
  }
  const shape = fc.record(
    {
      jwsAlg: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...JWS) }, { weight: 1, arbitrary: fc.constantFrom("none", "RS257", "hs256", "") }),
      jwsKey: keyName,
      jwsVia: fc.constantFrom("crypto", "crypto", "jwk", "both"),
      jwe: fc.boolean(),
      jweAlg: fc.oneof({ weight: 16, arbitrary: fc.constantFrom(...JWE_ALGS) }, { weight: 1, arbitrary: fc.constantFrom("RSA-OAEP-512", "none", "") }),
      jweEnc: fc.oneof({ weight: 16, arbitrary: fc.constantFrom(...JWE_ENCS) }, { weight: 1, arbitrary: fc.constantFrom("A512GCM", "") }),
      jweKey: keyName,
      jweVia: fc.constantFrom("crypto", "crypto", "jwk"),
      exp: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 31_622_400 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 31_622_401, 1.5, "60") }),
      jti: fc.oneof({ weight: 20, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom("yes", 1) }),
      version: fc.oneof({ weight: 20, arbitrary: fc.constantFrom("1.0.0", "2.0.0", "2.1.0", undefined) }, { weight: 1, arbitrary: fc.constantFrom("3.0.0", 2) }),
      iss: fc.constantFrom("iss.claim", undefined, "not.set"),
      pc: fc.constantFrom(undefined, "pc", "not.set"),
      kid: fc.constantFrom(undefined, "kid.var"),
      jwt: fc.constantFrom("out.token", "out.token", undefined),
    },
    { requiredKeys: ["jwsAlg", "jwsKey", "jwsVia", "jwe", "jweAlg", "jweEnc", "jweKey", "jweVia", "exp", "jti", "jwt"] },
  );

  it(`a jwt-generate shape fails the build, or mints exactly the configured token, or answers the generic 500 (${RUNS_JWT} inputs)`, async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(shape, fc.boolean(), async (drawn, signed) => {
        const s = {
          ...drawn,
          jwsKey: drawn.jwsKey === "fit" ? fittingSigningKey(drawn.jwsAlg) : drawn.jwsKey,
          jweKey: drawn.jweKey === "fit" ? fittingEncryptionKey(drawn.jweAlg, drawn.jweEnc) : drawn.jweKey,
        };
        const policy: Record<string, unknown> = { "exp-claim": s.exp, "jti-claim": s.jti, "sub-claim": "sub.claim" };
        if (s.version !== undefined) policy.version = s.version;
        if (s.iss !== undefined) policy["iss-claim"] = s.iss;
        if (s.pc !== undefined) policy["private-claims"] = s.pc;
        if (s.jwt !== undefined) policy.jwt = s.jwt;
        if (signed) {
          policy["jws-alg"] = s.jwsAlg;
          if (s.jwsVia !== "jwk") policy["jws-crypto"] = s.jwsKey;
          if (s.jwsVia !== "crypto") policy["jws-jwk"] = "k.sig";
          if (s.kid) policy["custom-kid-value-jws"] = s.kid;
        }
        if (s.jwe) {
          Object.assign(policy, { "jwe-alg": s.jweAlg, "jwe-enc": s.jweEnc }, s.jweVia === "crypto" ? { "jwe-crypto": s.jweKey } : { "jwe-jwk": "k.enc" });
          if (s.kid) policy["custom-kid-value-jwe"] = s.kid;
        }
        const def = {
          swagger: "2.0",
          basePath: "/j",
          "x-ibm-configuration": {
            assembly: {
              execute: [
                {
                  "set-variable": {
                    actions: [
                      { set: "iss.claim", value: "https://issuer.test" },
                      { set: "sub.claim", value: "$(request.headers.x-user)" },
                      { set: "pc", value: '{"scope":"fuzz","sub":"forged"}' },
                      { set: "kid.var", value: "custom-kid" },
                      { set: "k.sig", value: `$(env.JWK_${s.jwsKey})` },
                      { set: "k.enc", value: `$(env.JWK_${s.jweKey})` },
                    ],
                  },
                },
                { "jwt-generate": policy },
                { "set-variable": { actions: [{ set: "message.body", value: s.jwt ? "$(out.token)" : "$(message.headers.authorization)" }] } },
              ],
            },
          },
        };
        const { apis, problems } = compileApis([{ file: "jwt.yaml", definition: def }]);
        const jwsOk = signed && JWS.includes(s.jwsAlg);
        const jweOk = s.jwe && JWE_ALGS.includes(s.jweAlg) && JWE_ENCS.includes(s.jweEnc);
        if (problems.length > 0) {
          tally.add("rejected at build");
          for (const p of problems) expect(p.path.startsWith("x-ibm-configuration.assembly.execute[1].jwt-generate")).toBe(true);
          return;
        }
        // What the build accepted: never an unsigned, unencrypted token.
        expect(jwsOk || jweOk, JSON.stringify(policy)).toBe(true);
        expect(signed && s.jwsAlg === "none" && !jweOk).toBe(false);
        const res = await readAndRecord(safety.output, "fuzz jwt-generate", await createGateway(apis).fetch(new Request("https://gw.test/j", { headers: { "x-user": "fuzz-user" } }), env));
        const fits =
          (!jwsOk || signingFits(s.jwsAlg, s.jwsKey)) &&
          (!jweOk || encryptionFits(s.jweAlg, s.jweEnc, s.jweKey)) &&
          (s.iss === undefined || s.iss === "iss.claim") &&
          s.pc !== "not.set";
        if (res.status !== 200) {
          tally.add("generic 500");
          expect(res.status).toBe(500);
          expect(GENERIC_500_BODIES.has(res.body), res.body).toBe(true);
          expect(fits, `refused a fitting configuration: ${JSON.stringify(policy)}`).toBe(false);
          return;
        }
        tally.add(jwsOk && jweOk ? "nested token" : jweOk ? "JWE token" : "JWS token");
        expect(fits, `minted with a configuration that does not fit: ${JSON.stringify(policy)}`).toBe(true);
        const token = s.jwt ? res.body : res.body.replace(/^Bearer /, "");
        // sub is the policy's, never the private claims' "forged".
        const expectedClaims = { iss: "https://issuer.test", sub: "fuzz-user", ...(s.pc === "pc" ? { scope: "fuzz" } : {}) };
        let jws = token;
        if (jweOk) {
          expect(token.split(".")).toHaveLength(5);
          const header = JSON.parse(partText(token, 0)) as Record<string, unknown>;
          expect(header).toMatchObject({ alg: s.jweAlg, enc: s.jweEnc });
          expect(header.cty).toBe(jwsOk ? "JWT" : undefined);
          if (s.kid) expect(header.kid).toBe("custom-kid");
          // jose has no RSA1_5 (and test/node decrypts it independently): check its shape only.
          if (s.jweAlg === "RSA1_5") return;
          jws = (await decryptJwe(token, await decryptKey(s.jweAlg, s.jweKey), s.jweAlg, s.jweEnc)).plaintext;
          if (!jwsOk) return void expect(JSON.parse(jws)).toMatchObject(expectedClaims);
        }
        expect(jws.split(".")).toHaveLength(3);
        const { header, payload } = await verifyJws(jws, await verifyKey(s.jwsAlg, s.jwsKey), s.jwsAlg);
        expect(JSON.parse(header).alg).toBe(s.jwsAlg);
        if (s.kid) expect(JSON.parse(header).kid).toBe("custom-kid");
        expect(JSON.parse(payload)).toMatchObject(expectedClaims);
      }),
      { numRuns: RUNS_JWT },
    );
    print(`fuzz-definitions: jwt-generate shapes: ${tally.total} inputs: ${tally}`);
    expect(tally.get("JWS token") + tally.get("JWE token") + tally.get("nested token")).toBeGreaterThan(RUNS_JWT / 10);
    expect(safety.logs.filter(isGatewayFault)).toEqual([]);
  });
});

describe("fuzz counterexamples, kept as regression tests", () => {
  it("a jwt-generate version that is an object without a prototype is a located problem, not a crash", () => {
    const version = Object.create(null) as Record<string, unknown>;
    const { problems } = compileApis([
      { file: "v.yaml", definition: { swagger: "2.0", basePath: "/f", "x-ibm-configuration": { assembly: { execute: [{ "jwt-generate": { version } }] } } } },
    ]);
    expect(problems[0]).toEqual({ file: "v.yaml", path: "x-ibm-configuration.assembly.execute[0].jwt-generate.version", message: "expected one of 1.0.0, 2.0.0, 2.1.0, found an object" });
  });
});
