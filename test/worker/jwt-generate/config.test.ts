import { describe, expect, it } from "vitest";
import { compileInline } from "../gateway-helpers";

/** The problems the build reports for one jwt-generate policy given as a YAML flow mapping. */
function problemsOf(policy: string): string[] {
  const { problems } = compileInline({
    "p.yaml": `swagger: "2.0"\ninfo: {title: p, version: 1.0.0}\nbasePath: /p\nx-ibm-configuration:\n  assembly:\n    execute:\n      - jwt-generate: ${policy}\n`,
  });
  return problems.map((p) => `${p.path.replace("x-ibm-configuration.assembly.execute[0].jwt-generate", "@")}: ${p.message}`);
}

describe("jwt-generate properties are validated at build time", () => {
  it("accepts the seed's example with every property", () => {
    expect(
      problemsOf(
        "{title: jwt-generate, iss-claim: iss.claim, exp-claim: 3600, jwt: generated.jwt, jti-claim: true, sub-claim: sub.claim, aud-claim: aud.claim, jws-jwk: jws.jwk, jws-alg: HS256, jws-crypto: jwsCryptoObjectName, jwe-enc: A128CBC-HS256, jwe-jwk: jwe.jwk, jwe-alg: A128KW, jwe-crypto: jweCryptoObjectName, version: 1.0.0, description: d, custom-kid-value-jws: k1, custom-kid-value-jwe: k2, private-claims: pc}",
      ),
    ).toEqual([]);
  });

  it("accepts exp-claim written as a string, as API Connect's editor does", () => {
    expect(problemsOf("{exp-claim: '600', jws-alg: HS256, jws-crypto: k}")).toEqual([]);
  });

  const cases: [string, string, string][] = [
    ["exp-claim below 1", "{exp-claim: 0, jws-alg: HS256, jws-crypto: k}", "@.exp-claim: expected a whole number from 1 to 31622400, found 0"],
    ["exp-claim above 366 days", "{exp-claim: 31622401, jws-alg: HS256, jws-crypto: k}", "@.exp-claim: expected a whole number from 1 to 31622400, found 31622401"],
    ["exp-claim not a whole number", "{exp-claim: 1.5, jws-alg: HS256, jws-crypto: k}", "@.exp-claim: expected a whole number from 1 to 31622400, found number 1.5"],
    ["an unknown jws-alg", "{jws-alg: RS257, jws-crypto: k}", '@.jws-alg: expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (or none with a JWE), found "RS257"'],
    ["jws-alg without a key", "{jws-alg: ES256}", "@.jws-alg: needs a signing key: set jws-crypto (a crypto object name) or jws-jwk (a variable holding a JWK)"],
    ["a key without jws-alg", "{jws-crypto: k}", "@.jws-alg: is required when jws-crypto or jws-jwk is set"],
    ["an unknown jwe-enc", "{jwe-alg: dir, jwe-enc: A128CTR, jwe-crypto: k}", '@.jwe-enc: expected one of A128CBC-HS256, A192CBC-HS384, A256CBC-HS512, A128GCM, A192GCM, A256GCM, found "A128CTR"'],
    ["jwe-alg without jwe-enc", "{jwe-alg: dir, jwe-crypto: k}", "@.jwe-enc: is required when a JWE is configured"],
    ["a JWE without a key", "{jwe-alg: dir, jwe-enc: A128GCM}", "@: a JWE needs an encryption key: set jwe-crypto (a crypto object name) or jwe-jwk (a variable holding a JWK)"],
    ["jti-claim not a boolean", "{jti-claim: yes please, jws-alg: HS256, jws-crypto: k}", '@.jti-claim: expected true or false, found the string "yes please"'],
    ["a variable name over 256 characters", `{iss-claim: ${"v".repeat(257)}, jws-alg: HS256, jws-crypto: k}`, "@.iss-claim: must be at most 256 characters, found 257"],
    ["an unknown version", "{version: 3.0.0, jws-alg: HS256, jws-crypto: k}", '@.version: expected one of 1.0.0, 2.0.0, 2.1.0, found the string "3.0.0"'],
    ["nothing to generate", "{iss-claim: iss.claim}", "@: nothing to generate: configure signing (jws-alg with jws-crypto or jws-jwk), encryption (jwe-alg, jwe-enc with jwe-crypto or jwe-jwk), or both"],
  ];
  for (const [what, policy, expected] of cases) {
    it(`reports ${what}`, () => {
      expect(problemsOf(policy)).toContain(expected);
    });
  }
});

describe("jwt-generate is strict about its keys", () => {
  function build(policy: string) {
    return compileInline({
      "s.yaml": `swagger: "2.0"\ninfo: {title: s, version: 1.0.0}\nbasePath: /s\nx-ibm-configuration:\n  assembly:\n    execute:\n      - jwt-generate: ${policy}\n`,
    });
  }

  it("fails on a misspelt property, with its line and a suggestion", () => {
    const { problems } = build("{exp-claims: 600, jws-alg: HS256, jws-crypto: k}");
    expect(problems.map((p) => [p.path, p.message, p.line])).toEqual([
      ["x-ibm-configuration.assembly.execute[0].jwt-generate.exp-claims", "unknown property 'exp-claims'; did you mean 'exp-claim'?", 7],
    ]);
  });

  it("fails on a template where a variable name is expected, and says how to fix it", () => {
    const { problems } = build("{sub-claim: $(request.headers.x-user), jws-alg: HS256, jws-crypto: k}");
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'x-ibm-configuration.assembly.execute[0].jwt-generate.sub-claim: expects a variable name, not a template ("$(request.headers.x-user)"): set a variable first, e.g. set-variable {set: sub.claim, value: $(request.headers.x-user)}, then write sub-claim: sub.claim',
    ]);
  });

  it("signs only, with a build warning, when jwe-alg/jwe-enc are set without a JWE key (API Connect's editor defaults)", () => {
    const { problems, warnings } = build("{jws-alg: HS256, jws-crypto: k, jwe-alg: RSA-OAEP-256, jwe-enc: A256GCM}");
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      "s.yaml:7: x-ibm-configuration.assembly.execute[0].jwt-generate.jwe-alg: jwe-alg/jwe-enc are set but no JWE key (jwe-crypto or jwe-jwk): the token is signed only, not encrypted, as on API Connect",
    ]);
  });
});
