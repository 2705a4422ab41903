import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileApis } from "../../../src/config/compile-api";
import { createGateway } from "../../../src/gateway";
import { captureLogs, testEnv } from "../gateway-helpers";

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

describe("fuzzing API definitions", () => {
  it("a random definition either fails validation with located messages or runs to a defined response", async () => {
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
        const { result } = await captureLogs(async () => {
          const res = await app.fetch(new Request(`https://gw.test/f/${encodeURIComponent(pathTail)}`), { ...testEnv, HMAC_SECRET_FUZZ: "fuzz secret" });
          return { status: res.status, body: await res.text() };
        });
        expect(result.status).toBeGreaterThanOrEqual(200);
        expect(result.status).toBeLessThan(600);
        if (result.status === 500) {
          const body = JSON.parse(result.body);
          expect(Object.keys(body)).toEqual(["httpCode", "httpMessage", "moreInformation"]);
        }
      }),
      { numRuns: 400 },
    );
    expect(rejected + ran).toBe(400);
    expect(rejected).toBeGreaterThan(0);
    expect(ran).toBeGreaterThan(0);
    console.log(`fuzz-definitions: ${rejected} rejected with messages, ${ran} ran`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
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
