/**
 * Property-based fuzzing of variable values: what a client sends (query parameters, headers) and
 * what a definition holds (object literals), flowing through set-variable into iss, sub, aud,
 * private claims, custom kids, headers and the invoke target-url. Values include unicode (and lone
 * surrogates), very long strings, nested JSON, `__proto__`/`constructor` keys, CR/LF/NUL, text that
 * looks like a template.
 *
 * The oracle is a model of README's rules: for every input it predicts a token (its exact header
 * and claims JSON, compared byte for byte after verifying or decrypting it) or a failure class;
 * a failure must be exactly the generic API Connect body of that class. Every response and log
 * line goes through the secret-hygiene recorder.
 */
import fc from "fast-check";
import { calculateJwkThumbprint } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../gateway-helpers";
import { GENERIC_500, isGatewayFault, print, useSafety, type ReadResponse } from "./recorder";
import { decryptJwe, definition, hex, jsonFile, partText, randomBytes, signingPair, Tally, verifyJws, type SigningPair } from "./support";

const safety = useSafety("fuzz-variables");
const RUNS_CLAIMS = 300;
const RUNS_INVOKE = 200;

const HMAC = randomBytes(32);
const DIR_KEY = randomBytes(16);
const KW_KEY = randomBytes(32);
let es: SigningPair;
let esThumbprint: string;
const tallies: Record<string, Tally> = {};

beforeAll(async () => {
  es = await signingPair("ES256");
  esThumbprint = await calculateJwkThumbprint(es.publicJwk as never);
  safety.secrets.addBytes("hmac", HMAC).addBytes("dir", DIR_KEY).addBytes("a256kw", KW_KEY).addPem("es256", es.privatePem).addJwk("es256-jwk", es.privateJwk);
});
afterAll(() => {
  for (const [name, t] of Object.entries(tallies)) print(`fuzz-variables: ${name}: ${t.total} inputs: ${t}`);
});

const env = () => ({
  ...testEnv,
  FUZZ_HMAC: `0x${hex(HMAC)}`,
  FUZZ_ES: es.privatePem,
  FUZZ_DIR: `0x${hex(DIR_KEY)}`,
  FUZZ_KW: `0x${hex(KW_KEY)}`,
});

// ---------------------------------------------------------------------------------------------
// Arbitraries
const NASTY = [
  "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty",
  "$(env.FUZZ_HMAC)", "$(request.headers.authorization)", "$(", ")", "$()", "a,b,,c", " , ", ",",
  "\r\n", "\n", "\r", "\0", "\t", "\u2028\u2029", "\ud800", "\udfff", "\uffff", "\u0085", "\u00ff", "\u0100",
  "null", "undefined", "{}", "[]", "true", "0", "-0", "1e400", '"', "\\", "\\u0000", "</script>", "  padded  ", "",
  '{"__proto__":{"x":1}}', '{"iss":"forged"}', "é", "💥", "\u0301",
];
const nasty = fc.constantFrom(...NASTY);
const shortText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.array(fc.oneof(nasty, fc.string({ maxLength: 6 })), { maxLength: 5 }).map((parts) => parts.join("")) },
);
const longText = fc.oneof(
  fc.string({ minLength: 1000, maxLength: 20_000 }),
  fc.string({ unit: "grapheme", minLength: 500, maxLength: 3000 }),
  fc.tuple(nasty, fc.integer({ min: 500, max: 5000 })).map(([s, n]) => (s || "x").repeat(Math.ceil(n / Math.max(1, s.length)))),
);
const text = fc.oneof({ weight: 12, arbitrary: shortText }, { weight: 1, arbitrary: longText });
/** The same shapes with every character above U+007F replaced by `?` (for header values: see the claims test). */
const asciiOnly = (arb: fc.Arbitrary<string>) => arb.map((v) => v.replace(/[^\x00-\x7f]/gu, "?"));

const KEYS = ["__proto__", "constructor", "prototype", "toJSON", "valueOf", "iss", "sub", "aud", "exp", "iat", "jti", "nbf", "", "kid", "alg"];
const key = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...KEYS) }, { weight: 3, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) });
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    shortText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(key, tie("v"), { maxKeys: 5 }),
  ),
})).v;
const objectValue = fc.dictionary(key, jsonValue, { minKeys: 0, maxKeys: 6 });

/** How a value reaches set-variable: a query parameter (text the client sends), or an object literal in the definition. */
const privateClaims = fc.oneof(
  { weight: 2, arbitrary: objectValue.map((o) => ({ mode: "param" as const, text: JSON.stringify(o) })) },
  { weight: 1, arbitrary: text.map((t) => ({ mode: "param" as const, text: t })) },
  { weight: 1, arbitrary: jsonValue.map((v) => ({ mode: "param" as const, text: JSON.stringify(v) ?? "null" })) },
  { weight: 2, arbitrary: fc.oneof(objectValue, jsonValue).filter((v) => typeof v !== "string").map((v) => ({ mode: "literal" as const, value: v })) },
  { weight: 1, arbitrary: fc.constant({ mode: "none" as const }) },
);
const audience = fc.oneof(
  { weight: 3, arbitrary: text.map((t) => ({ mode: "param" as const, text: t })) },
  { weight: 1, arbitrary: fc.array(fc.oneof(shortText, jsonValue), { maxLength: 4 }).map((v) => ({ mode: "literal" as const, value: v as unknown })) },
);

const CONFIGS = ["HS256", "ES256", "dir+A128GCM", "HS256 in A256KW+A128CBC-HS256"] as const;
type Config = (typeof CONFIGS)[number];

// ---------------------------------------------------------------------------------------------
// The model

/** The gateway's text form of a value (README: objects and lists are written as JSON). */
function stringify(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? "";
}

/** What the worker sees for a query parameter: the value after URL encoding and decoding. */
function asSent(value: string): string {
  return new URLSearchParams(new URLSearchParams({ v: value }).toString()).get("v") ?? "";
}

/**
 * A header value as workerd's Headers stores it: CR, LF and NUL are refused (by the gateway, before
 * Headers sees them); leading and trailing spaces and tabs are dropped; anything else is kept
 * (workerd sends characters above U+00FF as UTF-8, and warns about it on its own console).
 */
function headerValue(value: string): string | undefined {
  if (/[\r\n\0]/.test(value)) return undefined;
  return value.replace(/^[\t ]+|[\t ]+$/g, "");
}

type Predicted = { kind: "runtime" } | { kind: "jwt" } | { kind: "token"; claims: (iat: number, jti: string | undefined) => string; kid: string | undefined; header?: string };

interface ClaimsInput {
  config: Config;
  iss: string;
  sub: string;
  aud: { mode: "param"; text: string } | { mode: "literal"; value: unknown };
  pc: { mode: "param"; text: string } | { mode: "literal"; value: unknown } | { mode: "none" };
  kid: string;
  h: string;
  jti: boolean;
  exp: number;
}

function predict(input: ClaimsInput, literal: { aud?: unknown; pc?: unknown }): Predicted {
  const h = asSent(input.h);
  if (/[\r\n\0]/.test(h) || headerValue(h) === undefined) return { kind: "runtime" };
  const iss = asSent(input.iss).trim();
  if (iss === "") return { kind: "jwt" };
  const sub = asSent(input.sub).trim();
  const audValue = input.aud.mode === "param" ? asSent(input.aud.text) : literal.aud;
  const audiences: string[] = [];
  for (const item of Array.isArray(audValue) ? audValue : [audValue]) {
    if (item === undefined || item === null) continue;
    for (const part of stringify(item).split(",")) if (part.trim()) audiences.push(part.trim());
  }
  let extra: Record<string, unknown> | undefined;
  if (input.pc.mode !== "none") {
    let parsed: unknown = input.pc.mode === "literal" ? literal.pc : asSent(input.pc.text);
    if (typeof parsed === "string") {
      if (parsed.trim() === "") return { kind: "jwt" };
      try {
        parsed = JSON.parse(parsed);
      } catch {
        return { kind: "jwt" };
      }
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { kind: "jwt" };
    extra = parsed as Record<string, unknown>;
  }
  const kidText = asSent(input.kid);
  const jwsKid = kidText !== "" ? kidText : input.config === "ES256" ? esThumbprint : undefined;
  return {
    kind: "token",
    kid: jwsKid,
    claims: (iat, jti) => {
      // README's order — iss, sub, aud, exp, iat, jti, then private claims — as written text
      // (an object would move integer-like keys such as "0" to the front).
      const members: [string, unknown][] = [["iss", iss]];
      if (sub) members.push(["sub", sub]);
      if (audiences.length === 1) members.push(["aud", audiences[0]]);
      else if (audiences.length > 1) members.push(["aud", audiences]);
      members.push(["exp", iat + input.exp], ["iat", iat]);
      if (input.jti) members.push(["jti", jti]);
      // The policy owns iss, exp, iat, and sub/aud/jti when configured (sub-claim and aud-claim
      // always are here), even when their value is empty: private claims never supply them.
      const owned = new Set(["iss", "exp", "iat", "sub", "aud", ...(input.jti ? ["jti"] : [])]);
      if (extra) for (const k of Object.keys(extra)) if (!owned.has(k)) members.push([k, extra[k]]);
      return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The API under test

function claimsApi(input: ClaimsInput): Record<string, string> {
  const actions: Record<string, unknown>[] = [
    { set: "iss.claim", value: "$(request.parameters.iss)" },
    { set: "sub.claim", value: "$(request.parameters.sub)" },
    { set: "aud.claim", value: input.aud.mode === "param" ? "$(request.parameters.aud)" : input.aud.value },
    ...(input.pc.mode === "none" ? [] : [{ set: "pc", value: input.pc.mode === "param" ? "$(request.parameters.pc)" : input.pc.value }]),
    { set: "kid", value: "$(request.parameters.kid)" },
    { set: "message.headers.X-Fuzz", value: "$(request.parameters.h)" },
  ];
  const keys: Record<Config, Record<string, unknown>> = {
    HS256: { "jws-alg": "HS256", "jws-crypto": "FUZZ_HMAC", "custom-kid-value-jws": "kid" },
    ES256: { "jws-alg": "ES256", "jws-crypto": "FUZZ_ES", "custom-kid-value-jws": "kid" },
    "dir+A128GCM": { "jwe-alg": "dir", "jwe-enc": "A128GCM", "jwe-crypto": "FUZZ_DIR", "custom-kid-value-jwe": "kid" },
    "HS256 in A256KW+A128CBC-HS256": {
      "jws-alg": "HS256", "jws-crypto": "FUZZ_HMAC", "custom-kid-value-jws": "kid",
      "jwe-alg": "A256KW", "jwe-enc": "A128CBC-HS256", "jwe-crypto": "FUZZ_KW", "custom-kid-value-jwe": "kid",
    },
  };
  return jsonFile("claims", definition("/c", [
    { "set-variable": { actions } },
    {
      "jwt-generate": {
        jwt: "out.token", "iss-claim": "iss.claim", "sub-claim": "sub.claim", "aud-claim": "aud.claim",
        ...(input.pc.mode === "none" ? {} : { "private-claims": "pc" }),
        "jti-claim": input.jti, "exp-claim": input.exp, ...keys[input.config],
      },
    },
    { "set-variable": { actions: [{ set: "message.body", value: "$(out.token)" }] } },
  ]));
}

/** Checks a minted token against the prediction; returns a problem, or "" when it matches. */
async function checkToken(config: Config, token: string, p: Extract<Predicted, { kind: "token" }>, jtiConfigured: boolean): Promise<string> {
  let jwsHeader: string | undefined;
  let payload: string;
  if (config === "HS256" || config === "ES256") {
    const v = await verifyJws(token, config === "HS256" ? HMAC : es.publicKey, config);
    jwsHeader = v.header;
    payload = v.payload;
  } else if (config === "dir+A128GCM") {
    const d = await decryptJwe(token, DIR_KEY, "dir", "A128GCM");
    const expected = JSON.stringify({ alg: "dir", enc: "A128GCM", ...(p.kid === undefined ? {} : { kid: p.kid }) });
    if (d.header !== expected) return `JWE header ${d.header} != ${expected}`;
    payload = d.plaintext;
  } else {
    const d = await decryptJwe(token, KW_KEY, "A256KW", "A128CBC-HS256");
    const expected = JSON.stringify({ alg: "A256KW", enc: "A128CBC-HS256", ...(p.kid === undefined ? {} : { kid: p.kid }), cty: "JWT" });
    if (d.header !== expected) return `JWE header ${d.header} != ${expected}`;
    const v = await verifyJws(d.plaintext, HMAC, "HS256");
    jwsHeader = v.header;
    payload = v.payload;
  }
  if (jwsHeader !== undefined) {
    const alg = config === "ES256" ? "ES256" : "HS256";
    const expected = p.kid === undefined ? `{"alg":"${alg}"}` : JSON.stringify({ kid: p.kid, alg });
    if (jwsHeader !== expected) return `JWS header ${jwsHeader} != ${expected}`;
  }
  const parsed = JSON.parse(payload) as { iat: number; jti?: string };
  if (typeof parsed.iat !== "number" || Math.abs(parsed.iat - Date.now() / 1000) > 120) return `iat ${parsed.iat} is not now`;
  if (jtiConfigured && !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(String(parsed.jti))) return `jti ${parsed.jti} is not a UUID`;
  const expected = p.claims(parsed.iat, jtiConfigured ? parsed.jti : undefined);
  return payload === expected ? "" : `claims differ:\n  got      ${payload.slice(0, 400)}\n  expected ${expected.slice(0, 400)}`;
}

/** The text whose UTF-8 bytes Node read as latin1. */
const fromLatin1Bytes = (s: string) => new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));

function outcomeOf(res: ReadResponse): string {
  if (res.status === 200) return "200 token";
  if (res.body === GENERIC_500.jwt) return "500 Invalid-JWT-Generate";
  if (res.body === GENERIC_500.runtime) return "500 RuntimeError";
  if (res.body === GENERIC_500.connection) return "500 ConnectionError";
  return `${res.status} other`;
}

describe("fuzzing variable values", () => {
  it(`claims: iss, sub, aud, private claims, kid and a header from request data or literals (${RUNS_CLAIMS} inputs)`, async () => {
    const tally = (tallies.claims = new Tally());
    const input = fc.record({
      config: fc.constantFrom(...CONFIGS),
      iss: fc.oneof({ weight: 1, arbitrary: text }, { weight: 3, arbitrary: fc.webUrl() }),
      sub: text,
      aud: audience,
      pc: privateClaims,
      kid: fc.oneof({ weight: 2, arbitrary: fc.constant("") }, { weight: 1, arbitrary: text }),
      // ASCII (CR, LF, NUL and the nasty pieces included): workerd prints a console warning for every non-ASCII
      // header value, which this pool cannot capture; non-ASCII values are tested in test/node/non-ascii-headers.test.ts.
      h: fc.oneof({ weight: 12, arbitrary: fc.string({ maxLength: 30 }) }, { weight: 1, arbitrary: asciiOnly(text) }),
      jti: fc.boolean(),
      exp: fc.integer({ min: 1, max: 31_622_400 }),
    });
    await fc.assert(
      fc.asyncProperty(input, async (inp) => {
        const files = claimsApi(inp as ClaimsInput);
        // The values as the gateway gets them from the definition (after its JSON round trip).
        const actions = (JSON.parse(Object.values(files)[0]!) as { "x-ibm-configuration": { assembly: { execute: [{ "set-variable": { actions: { set: string; value: unknown }[] } }] } } })[
          "x-ibm-configuration"
        ].assembly.execute[0]["set-variable"].actions;
        const literal = { aud: actions.find((a) => a.set === "aud.claim")?.value, pc: actions.find((a) => a.set === "pc")?.value };
        const predicted = predict(inp as ClaimsInput, literal);
        const q = new URLSearchParams({ iss: inp.iss, sub: inp.sub, kid: inp.kid, h: inp.h });
        if (inp.aud.mode === "param") q.set("aud", inp.aud.text);
        if (inp.pc.mode === "param") q.set("pc", inp.pc.text);
        const gw = safety.gateway(files, env());
        const res = await gw.fetch(`/c?${q}`);
        const outcome = outcomeOf(res);
        tally.add(`${outcome}`);
        if (predicted.kind === "runtime") expect(outcome).toBe("500 RuntimeError");
        else if (predicted.kind === "jwt") expect(outcome).toBe("500 Invalid-JWT-Generate");
        else {
          expect(outcome, res.body.slice(0, 300)).toBe("200 token");
          expect(await checkToken(inp.config, res.body, predicted, inp.jti)).toBe("");
          expect(res.headers.get("x-fuzz")).toBe(headerValue(asSent(inp.h)));
          expect(res.headers.get("authorization")).toBeNull();
        }
      }),
      { numRuns: RUNS_CLAIMS },
    );
    expect(tally.get("200 token")).toBeGreaterThan(RUNS_CLAIMS / 5);
    expect(safety.logs.filter(isGatewayFault)).toEqual([]);
  });

  it(`invoke: a header, the target-url path and the subject from request data reach only the configured origin (${RUNS_INVOKE} inputs)`, async () => {
    const tally = (tallies.invoke = new Tally());
    const gw = safety.gateway(
      jsonFile("inv", definition("/i", [
        {
          "set-variable": {
            actions: [
              { set: "iss.claim", value: "https://issuer.test" },
              { set: "sub.claim", value: "$(request.headers.x-user)" },
              { set: "message.headers.X-Fuzz", value: "$(request.parameters.h)" },
            ],
          },
        },
        { "jwt-generate": { "jws-alg": "HS256", "jws-crypto": "FUZZ_HMAC", "sub-claim": "sub.claim" } },
        { invoke: { "target-url": "$(env.ORIGIN_URL)/fuzz/$(request.parameters.t)", timeout: 5 } },
      ])),
      env(),
    );
    const origin = new URL(testEnv.ORIGIN_URL);
    // Header values are ASCII here (see the claims test); byteString covers every printable byte below 0x80.
    const byteString = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
    const input = fc.record({
      h: fc.oneof({ weight: 12, arbitrary: fc.string({ maxLength: 30 }) }, { weight: 1, arbitrary: asciiOnly(shortText) }, { weight: 3, arbitrary: fc.string({ minLength: 500, maxLength: 3000 }) }, { weight: 1, arbitrary: byteString }),
      t: fc.oneof(shortText, fc.constantFrom("..", "../..", "//evil.test/x", "@evil.test", "%2e%2e/%2e%2e", "?x=1#frag", "\\\\evil.test", "http://evil.test/", ":99/x", "%00", "a/../../b")),
      user: fc.oneof({ weight: 10, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: byteString }),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ h, t, user }) => {
        const q = new URLSearchParams({ h, t });
        const res = await gw.fetch(`/i/x?${q}`, { headers: { "x-user": user } });
        const outcome = outcomeOf(res);
        tally.add(outcome);
        const sentH = asSent(h);
        const stored = headerValue(sentH);
        if (stored === undefined) return void expect(outcome).toBe("500 RuntimeError");
        // Node's HTTP parser refuses control characters in header values: the origin answers 400 itself.
        if (/[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(stored)) {
          expect(res.status).toBe(400);
          expect(res.headers.get("x-echo")).toBeNull();
          return;
        }
        expect(outcome, res.body.slice(0, 300)).toBe("200 token");
        const echo = JSON.parse(res.body) as { path: string; headers: Record<string, string> };
        // The request reached the configured origin, under /fuzz/, whatever the client put in t.
        expect(echo.headers.host).toBe(origin.host);
        const target = new URL(`${testEnv.ORIGIN_URL}/fuzz/${asSent(t)}`);
        expect(target.host).toBe(origin.host);
        target.hash = "";
        expect(echo.path).toBe(target.href.slice(target.origin.length));
        // workerd sends header values as UTF-8; Node reads header bytes as latin1.
        expect(fromLatin1Bytes(echo.headers["x-fuzz"] ?? "")).toBe(stored);
        const token = /^Bearer (\S+)$/.exec(echo.headers.authorization ?? "")?.[1] ?? "";
        const { payload } = await verifyJws(token, HMAC, "HS256");
        const sub = (headerValue(user) ?? "").trim();
        const claims = JSON.parse(payload) as Record<string, unknown>;
        expect(claims.sub).toBe(sub === "" ? undefined : sub);
        expect(Object.keys(claims)).toEqual(sub === "" ? ["iss", "exp", "iat"] : ["iss", "sub", "exp", "iat"]);
      }),
      { numRuns: RUNS_INVOKE },
    );
    expect(tally.get("200 token")).toBeGreaterThan(RUNS_INVOKE / 2);
    expect(safety.logs.filter(isGatewayFault)).toEqual([]);
  });
});
