/** Build-time validation of jwt-validate's properties: exact messages, with file and path. */
import { describe, expect, it } from "vitest";
import { api, compileInline } from "../gateway-helpers";
import { translatePcre } from "../../../src/policies/jwt-validate/pcre";

const AT = "x-ibm-configuration.assembly.execute[0].jwt-validate";

function problems(policy: string): string[] {
  const text = api("/v", `execute:\n  - jwt-validate:\n${policy.trim().split("\n").map((l) => "      " + l).join("\n")}`);
  return compileInline({ "v.yaml": text }).problems.map((p) => `${p.path}: ${p.message}`);
}
function warnings(policy: string): string[] {
  const text = api("/v", `execute:\n  - jwt-validate:\n${policy.trim().split("\n").map((l) => "      " + l).join("\n")}`);
  return compileInline({ "v.yaml": text }).warnings;
}

describe("jwt-validate configuration", () => {
  it("accepts every documented property (1.0.0 and 2.0.0)", () => {
    for (const version of ["1.0.0", "2.0.0"]) {
      expect(problems(`version: ${version}
title: check
description: checks the token
jwt: request.headers.x-token
output-claims: my.claims
iss-claim: ^https://idp\\.example$
aud-claim: (?i)^orders$
jws-crypto: VERIFY
jws-jwk: verify.jwk
jwe-crypto: DECRYPT
jwe-jwk: decrypt.jwk`)).toEqual([]);
    }
  });

  it("an unknown property fails with a did-you-mean hint", () => {
    expect(problems(`jws-crypto: K\nout-claims: x`)).toEqual([`${AT}.out-claims: unknown property 'out-claims'; did you mean 'output-claims'?`]);
  });

  it("a version it does not know", () => {
    expect(problems(`jws-crypto: K\nversion: 2.1.0`)).toEqual([`${AT}.version: expected one of 1.0.0, 2.0.0, found the string "2.1.0"`]);
  });

  it("no key at all", () => {
    expect(problems(`jwt: my.token`)).toEqual([`${AT}: needs a key: set jws-crypto or jws-jwk (verification), jwe-crypto or jwe-jwk (decryption), or x-edge.jwks-url`]);
  });

  it("a template where a variable name is expected", () => {
    expect(problems(`jws-crypto: K\njwt: $(request.headers.x-token)`)).toEqual([
      `${AT}.jwt: expects a variable name, not a template: write the variable's name (e.g. request.headers.x-token), without $( )`,
    ]);
  });

  it("output-claims into a read-only namespace", () => {
    expect(problems(`jws-crypto: K\noutput-claims: request.claims`)).toEqual([`${AT}.output-claims: must name a variable of your own (e.g. decoded.claims), found "request.claims"`]);
  });

  it("a PCRE construct JavaScript cannot express fails the build, naming it", () => {
    expect(problems(`jws-crypto: K\niss-claim: ^(?>a+)b$`)).toEqual([`${AT}.iss-claim: PCRE pattern "^(?>a+)b$" is not supported by JavaScript RegExp: atomic groups (?>…)`]);
    expect(problems(`jws-crypto: K\naud-claim: "[[:alpha:]]+"`)).toEqual([
      `${AT}.aud-claim: PCRE pattern "[[:alpha:]]+" is not supported by JavaScript RegExp: POSIX character classes such as [[:alpha:]]: use [A-Za-z] and the like`,
    ]);
  });

  it("only a decryption key: a warning that unsigned tokens are accepted", () => {
    expect(warnings(`jwe-crypto: K`).join("\n")).toMatch(/only a decryption key is set .* tokens are accepted unsigned/);
  });

  it("x-edge.jwks-url: https only, strict keys, not together with jws-crypto", () => {
    expect(problems(`x-edge: {jwks-url: "http://idp.example/jwks"}`)).toEqual([`${AT}.x-edge.jwks-url: expected an https:// URL, found the string "http://idp.example/jwks"`]);
    expect(problems(`x-edge: {jwks-url: "https://idp.example/jwks", jwks-timout: 2}`)).toEqual([`${AT}.x-edge.jwks-timout: unknown property 'jwks-timout'; did you mean 'jwks-timeout'?`]);
    expect(problems(`jws-crypto: K\nx-edge: {jwks-url: "https://idp.example/jwks"}`)).toEqual([
      `${AT}.x-edge.jwks-url: set either jws-crypto/jws-jwk or x-edge.jwks-url, not both: one source of verification keys`,
    ]);
    expect(problems(`x-edge: {jwks-url: "https://idp.example/jwks", jwks-timeout: 2, jwks-max-age: 300}`)).toEqual([]);
  });
});

describe("PCRE to JavaScript RegExp", () => {
  const ok = (pattern: string) => {
    const r = translatePcre(pattern);
    if ("problem" in r) throw new Error(r.problem);
    return r.regex;
  };
  it("translates what RegExp can express", () => {
    expect(ok("(?i)^ORDERS$").test("orders")).toBe(true);
    expect(ok("^\\Qhttps://a.b/c?d\\E$").test("https://a.b/c?d")).toBe(true);
    expect(ok("^\\Qhttps://a.b/c?d\\E$").test("https://aXb/c?d")).toBe(false);
    expect(ok("^(?P<host>[a-z]+)\\.(?P=host)$").test("ab.ab")).toBe(true);
    expect(ok("^a(?#comment)b$").test("ab")).toBe(true);
    expect(ok("^[]a]+$").test("]a]")).toBe(true);
    expect(ok("^\\x{41}$").test("A")).toBe(true);
    expect(ok("^\\p{Lu}+$").test("ÄB")).toBe(true);
    // Unanchored, as in PCRE: a match anywhere.
    expect(ok("issuer").test("https://issuer.example")).toBe(true);
  });
  it("refuses each construct it cannot express", () => {
    const refusals: Record<string, RegExp> = {
      "a++": /possessive/, "a{2}+": /possessive/, "(?>a)": /atomic/, "(?R)": /recursion/, "(?1)": /recursion/, "(?&n)": /recursion/,
      "(?(1)a|b)": /conditional/, "(?|a|b)": /branch reset/, "(*SKIP)a": /verbs/, "a(?i)b": /inline option/, "[[:digit:]]": /POSIX/,
      "\\Aabc": /use \^/, "abc\\z": /use \$/, "abc\\Z": /use \$/, "\\h": /horizontal/, "\\R": /newline/, "a\\Kb": /reset match/, "(": /not a valid/,
    };
    for (const [pattern, why] of Object.entries(refusals)) {
      const r = translatePcre(pattern);
      expect("problem" in r ? r.problem : "accepted", pattern).toMatch(why);
    }
  });
});
