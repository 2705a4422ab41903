/**
 * x-edge: safe claims, typ and extra headers, nbf, x5t#S256/x5c, and the build checks around them.
 * Tokens are verified with jose (our minting does not use jose).
 */
import fc from "fast-check";
import { importSPKI, importX509, jwtVerify, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { captureLogs, compileInline } from "../gateway-helpers";
import { CERT_KEY_PEM, CERT_PEM } from "./fixtures/rsa-certificate";
import { decodePart, keyPairFor, minter } from "./helpers";

const SECRET_HEX = "4a6f686e2053746f6e65206b6e6f7773207468652074727574682061626f7574";
const secretBytes = Uint8Array.from(SECRET_HEX.match(/../g)!.map((h) => parseInt(h, 16)));
const bindings = { HMAC_SECRET: `0x${SECRET_HEX}` };
const HS = "jws-alg: HS256\njws-crypto: HMAC_SECRET";

async function verified(res: Response) {
  const body = await res.text();
  expect(res.status, body).toBe(200);
  const { payload, protectedHeader } = await jwtVerify(body, secretBytes, { algorithms: ["HS256"] });
  return { claims: payload as Record<string, unknown>, header: protectedHeader as Record<string, unknown>, token: body };
}

function problemsOf(policy: string): string[] {
  const { problems } = compileInline({
    "e.yaml": `swagger: "2.0"\ninfo: {title: e, version: 1.0.0}\nbasePath: /e\nx-ibm-configuration:\n  assembly:\n    execute:\n      - jwt-generate: ${policy}\n`,
  });
  return problems.map((p) => `${p.path.replace("x-ibm-configuration.assembly.execute[0].jwt-generate", "@")}: ${p.message}`);
}

describe("x-edge.claims: request data is placed as values, never as JSON text", () => {
  it("renders each claim by its type, after the registered claims", async () => {
    const gw = minter(
      `${HS}\nsub-claim: sub.claim\nx-edge:\n  claims:\n    tenant: $(request.headers.x-tenant)\n    level: {value: $(request.headers.x-level), type: number}\n    beta: {value: "$(request.headers.x-beta)", type: boolean}\n    roles: {value: $(roles), type: json}\n    empty: $(request.headers.x-missing)`,
      { setup: "- {set: sub.claim, value: alice}\n- {set: roles, value: '[\"reader\",\"writer\"]'}", bindings },
    );
    const { claims } = await verified(await gw.fetch("/mint", { headers: { "x-tenant": "acme", "x-level": "3", "x-beta": "true" } }));
    expect(Object.keys(claims)).toEqual(["iss", "sub", "exp", "iat", "tenant", "level", "beta", "roles"]);
    expect(claims).toMatchObject({ tenant: "acme", level: 3, beta: true, roles: ["reader", "writer"] });
  });

  it("a value of the wrong type is a RuntimeError, with no request data in the log", async () => {
    const gw = minter(`${HS}\nx-edge:\n  claims:\n    level: {value: $(request.headers.x-level), type: number}`, { bindings });
    const { result, lines } = await captureLogs(() => gw.fetch("/mint", { headers: { "x-level": "three-secret" } }));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("x-edge.claims.level: the value is not a number");
    expect(lines.join("\n")).not.toContain("three-secret");
  });

  it("hostile header values never add or change a claim (property, fixed seed)", async () => {
    const gw = minter(`${HS}\nsub-claim: sub.claim\naud-claim: aud.claim\nx-edge:\n  claims:\n    tenant: $(request.headers.x-tenant)\n    region: '$(request.headers.x-region)-eu'`, {
      setup: "- {set: sub.claim, value: alice}\n- {set: aud.claim, value: orders}",
      bindings,
    });
    // Header values: printable text rich in JSON syntax (quotes, braces, backslashes, commas, colons).
    const hostile = fc
      .array(fc.oneof(fc.constantFrom('"', "\\", "{", "}", ",", ":", "[", "]", '","admin":true,"x":"', '"}', "\\u0022", "sub", "iss", " "), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 12 })
      .map((parts) => parts.join("").replace(/[^\x20-\x7e]/g, "").trim())
      .filter((s) => s.length > 0);
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (tenant, region) => {
        const { claims } = await verified(await gw.fetch("/mint", { headers: { "x-tenant": tenant, "x-region": region } }));
        expect(Object.keys(claims)).toEqual(["iss", "sub", "aud", "exp", "iat", "tenant", "region"]);
        expect(claims).toMatchObject({ iss: "https://issuer.test", sub: "alice", aud: "orders", tenant, region: `${region}-eu` });
      }),
      { seed: 1414, numRuns: 150 },
    );
  });

  it("private claims never supply an x-edge claim or nbf", async () => {
    const gw = minter(`${HS}\nprivate-claims: pc\nx-edge:\n  nbf: -30\n  claims:\n    tenant: acme`, {
      setup: `- {set: pc, value: '{"tenant":"evil","nbf":1,"other":1}'}`,
      bindings,
    });
    const { claims } = await verified(await gw.fetch("/mint"));
    expect(claims).toMatchObject({ tenant: "acme", other: 1, nbf: (claims.iat as number) - 30 });
    expect(Object.keys(claims)).toEqual(["iss", "exp", "iat", "nbf", "tenant", "other"]);
  });
});

describe("x-edge header parameters and nbf", () => {
  it("sets typ, extra headers (templates) and nbf = iat + offset, verified by jose", async () => {
    const gw = minter(`${HS}\ncustom-kid-value-jws: kid.var\nx-edge:\n  typ: at+jwt\n  nbf: 5\n  headers:\n    x-tenant: $(request.headers.x-tenant)\n    trace: fixed`, {
      setup: "- {set: kid.var, value: k1}",
      bindings,
    });
    const res = await gw.fetch("/mint", { headers: { "x-tenant": 'a"b' } });
    const token = await res.clone().text();
    expect(decodePart(token, 0)).toEqual({ kid: "k1", alg: "HS256", typ: "at+jwt", "x-tenant": 'a"b', trace: "fixed" });
    // jose checks nbf: a token valid only 5 s from now is refused now, accepted with 5 s of tolerance.
    await expect(jwtVerify(token, secretBytes, { typ: "at+jwt" })).rejects.toThrow(/nbf/);
    const { payload } = await jwtVerify(token, secretBytes, { typ: "at+jwt", clockTolerance: 5 });
    expect(payload.nbf).toBe((payload.iat as number) + 5);
  });

  it("adds x5t#S256 (and x5c) for the signing key's certificate", async () => {
    const gw = minter(`jws-alg: RS256\njws-crypto: SIGNER\nx-edge:\n  certificate: SIGNER_CERT\n  x5c: true`, { bindings: { SIGNER: CERT_KEY_PEM, SIGNER_CERT: CERT_PEM } });
    const res = await gw.fetch("/mint");
    const token = await res.text();
    expect(res.status, token).toBe(200);
    const header = decodeProtectedHeader(token);
    const der = Uint8Array.from(atob(CERT_PEM.replace(/-----[^-]+-----|\s/g, "")), (c) => c.charCodeAt(0));
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
    expect(header["x5t#S256"]).toBe(btoa(String.fromCharCode(...expected)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    expect(header.x5c).toEqual([CERT_PEM.replace(/-----[^-]+-----|\s/g, "")]);
    // The certificate in x5c verifies the token (jose reads the key from the X.509).
    const key = await importX509(`-----BEGIN CERTIFICATE-----\n${(header.x5c as string[])[0]}\n-----END CERTIFICATE-----`, "RS256");
    await expect(jwtVerify(token, key)).resolves.toBeTruthy();
  });

  it("refuses a certificate that does not hold the signing key", async () => {
    const other = await keyPairFor("RS256");
    const gw = minter(`jws-alg: RS256\njws-crypto: SIGNER\nx-edge:\n  certificate: SIGNER_CERT`, { bindings: { SIGNER: other.privatePem, SIGNER_CERT: CERT_PEM } });
    const { result, lines } = await captureLogs(() => gw.fetch("/mint"));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("x-edge.certificate 'SIGNER_CERT' does not certify the signing key");
    await importSPKI(other.publicPem, "RS256"); // the other key is a valid key: only the pairing is wrong
  });
});

describe("x-edge is validated at build time", () => {
  const cases: [string, string, string][] = [
    ["a misspelt x-edge key", "{jws-alg: HS256, jws-crypto: k, x-edge: {claimz: {}}}", "@.x-edge.claimz: unknown property 'claimz'; did you mean 'claims'?"],
    ["a claim the policy owns", "{jws-alg: HS256, jws-crypto: k, sub-claim: s, x-edge: {claims: {sub: x}}}", "@.x-edge.claims.sub: 'sub' is a registered claim this policy sets itself (iss, exp, iat, sub); configure it with the policy's own property"],
    ["nbf as a claim with x-edge.nbf", "{jws-alg: HS256, jws-crypto: k, x-edge: {nbf: 0, claims: {nbf: '1'}}}", "@.x-edge.claims.nbf: 'nbf' is a registered claim this policy sets itself (iss, exp, iat, nbf); configure it with the policy's own property"],
    ["an unknown claim type", "{jws-alg: HS256, jws-crypto: k, x-edge: {claims: {a: {value: x, type: date}}}}", '@.x-edge.claims.a.type: expected one of string, number, boolean, json, found "date"'],
    ["a reserved header", "{jws-alg: HS256, jws-crypto: k, x-edge: {headers: {crit: x}}}", "@.x-edge.headers.crit: header parameter 'crit' cannot be set here: critical extensions would oblige every recipient to understand them"],
    ["alg in headers", "{jws-alg: HS256, jws-crypto: k, x-edge: {headers: {alg: none}}}", "@.x-edge.headers.alg: header parameter 'alg' cannot be set here: set by jws-alg / jwe-alg"],
    ["zip in headers", "{jws-alg: HS256, jws-crypto: k, x-edge: {headers: {zip: DEF}}}", "@.x-edge.headers.zip: header parameter 'zip' cannot be set here: compression before encryption leaks the plaintext's length (RFC 8725 §3.6)"],
    ["a certificate with a shared secret", "{jws-alg: HS256, jws-crypto: k, x-edge: {certificate: c}}", "@.x-edge.certificate: needs an asymmetric signing algorithm (RS*, PS*, ES* or EdDSA): a certificate identifies a public key"],
    ["x5c without a certificate", "{jws-alg: RS256, jws-crypto: k, x-edge: {x5c: true}}", "@.x-edge.x5c: needs x-edge.certificate (the crypto object holding the certificate)"],
    ["typ without signing", "{jwe-alg: dir, jwe-enc: A128GCM, jwe-crypto: k, x-edge: {typ: JWT}}", "@.x-edge: typ and headers apply to the JWS header: configure signing (jws-alg with a key)"],
    ["nbf out of range", "{jws-alg: HS256, jws-crypto: k, x-edge: {nbf: 99999999}}", "@.x-edge.nbf: expected a whole number from -31622400 to 31622400, found 99999999"],
    ["the cache with jti-claim", "{jws-alg: HS256, jws-crypto: k, jti-claim: true, x-edge: {cache: {min-remaining: 60}}}", "@.x-edge.cache: a cached token would be sent again with the same jti, and jti-claim: true asks for a fresh one per token; set reuse-jti: true to accept repeated jti values, or remove the cache"],
    ["min-remaining not below exp-claim", "{jws-alg: HS256, jws-crypto: k, exp-claim: 60, x-edge: {cache: {min-remaining: 60}}}", "@.x-edge.cache.min-remaining: expected a whole number from 0 to 59, found 60"],
    ["the cache without min-remaining", "{jws-alg: HS256, jws-crypto: k, x-edge: {cache: {}}}", "@.x-edge.cache.min-remaining: is required"],
  ];
  for (const [what, policy, expected] of cases) {
    it(`reports ${what}`, () => {
      expect(problemsOf(policy)).toContain(expected);
    });
  }

  it("an empty x-edge is no extension; a non-object one is a problem", () => {
    expect(problemsOf("{jws-alg: HS256, jws-crypto: k, x-edge: null}")).toEqual([]);
    expect(problemsOf("{jws-alg: HS256, jws-crypto: k, x-edge: [typ]}")).toEqual(["@.x-edge: expected an object (the x-edge extension), found a list"]);
  });

  it("accepts the cache with jti-claim when reuse-jti says so", () => {
    expect(problemsOf("{jws-alg: HS256, jws-crypto: k, jti-claim: true, x-edge: {cache: {min-remaining: 60, reuse-jti: true}}}")).toEqual([]);
  });

  it("warns when private claims are JSON text interpolating request data inside a string", () => {
    const { problems, warnings } = compileInline({
      "w.yaml": `swagger: "2.0"
info: {title: w, version: 1.0.0}
basePath: /w
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: pc, value: '{"tenant":"$(request.headers.x-tenant)"}'}
            - {set: safe, value: '{"api":"$(api.name)"}'}
      - jwt-generate: {jws-alg: HS256, jws-crypto: k, private-claims: pc}
`,
    });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      "w.yaml:9: x-ibm-configuration.assembly.execute[0].set-variable.actions[0].value: private claims 'pc' are built as JSON text with $(request.headers.x-tenant) inside a string: a value containing a quote can add or change claims; use the policy's x-edge.claims, which places each value as one JSON value (docs/jwt-generate-extensions.md)",
    ]);
  });
});
