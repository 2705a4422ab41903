/**
 * Property-based fuzzing of key material: truncated, corrupted or garbage PEM, JWKs of the wrong
 * type, with members missing, mangled or added, random bytes and JSON — delivered as a Workers
 * secret, a KV value (a fake KV binding), a JSON var, and as jws-jwk / jwe-jwk variables (text and
 * object). Every outcome must be a defined response:
 *
 * - 200 with a token that verifies (JWS) or decrypts (JWE) with the key the material holds — for
 *   asymmetric keys, the original key pair (a mangled private key must never sign with something
 *   else), and its header kid must name that key;
 * - or 500 with exactly API Connect's generic Invalid-JWT-Generate body.
 *
 * For shared secrets and symmetric JWE keys, README's rules are modelled (JWK oct, 0x-hex, text),
 * so the test predicts success or failure and the exact secret. Every response and log line goes
 * through the secret-hygiene recorder, which holds every original private key and secret.
 */
import fc from "fast-check";
import { calculateJwkThumbprint } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../gateway-helpers";
import { GENERIC_500, isGatewayFault, print, useSafety } from "./recorder";
import {
  b64url, decryptJwe, definition, hex, jsonFile, oaepPair, partText, publicKeyOf, randomBytes, signingPair, Tally, utf8, verifyJws, type SigningPair,
} from "./support";

const safety = useSafety("fuzz-keys");
const RUNS = 400;

type Family = "hs" | "asym" | "rsa-enc" | "sym-enc";
interface Target {
  name: string;
  kind: "jws" | "jwe";
  alg: string;
  enc?: string;
  family: Family;
  /** Symmetric JWE key length. */
  bytes?: number;
}
const TARGETS: Target[] = [
  { name: "HS256", kind: "jws", alg: "HS256", family: "hs" },
  { name: "RS256", kind: "jws", alg: "RS256", family: "asym" },
  { name: "PS256", kind: "jws", alg: "PS256", family: "asym" },
  { name: "ES256", kind: "jws", alg: "ES256", family: "asym" },
  { name: "RSA-OAEP-256+A256GCM", kind: "jwe", alg: "RSA-OAEP-256", enc: "A256GCM", family: "rsa-enc" },
  { name: "A128KW+A128GCM", kind: "jwe", alg: "A128KW", enc: "A128GCM", family: "sym-enc", bytes: 16 },
  { name: "dir+A128GCM", kind: "jwe", alg: "dir", enc: "A128GCM", family: "sym-enc", bytes: 16 },
];

/** RFC 7518 §3.2: an HS256 secret has at least 32 bytes; shorter ones are refused. */
const HS256_MIN_BYTES = 32;

type Delivery = "secret" | "kv" | "json-var" | "var-text" | "var-object";
/** A candidate key: the value as configured, and whose key it still is. */
interface Material {
  value: string | Record<string, unknown> | unknown[] | number | null;
  /** How it was made, for the tally and counterexamples. */
  how: string;
  /** An unmangled form of the target's own key: must work when delivered where that form is accepted. */
  good: boolean;
  /** For RSA encryption, a mangled `n`: a different public key, so only the token's shape is checked. */
  differentKey?: boolean;
}

let rsa: SigningPair;
let ec: SigningPair;
let ec384: SigningPair;
let oaep: Awaited<ReturnType<typeof oaepPair>>;
const HS = randomBytes(32);
const HS_TEXT = `text secret ${hex(randomBytes(16))}`;
const SYM = randomBytes(16);
const thumbprints: Record<string, string> = {};
const tally = new Tally();

beforeAll(async () => {
  [rsa, ec, ec384, oaep] = await Promise.all([signingPair("RS256"), signingPair("ES256"), signingPair("ES384"), oaepPair()]);
  thumbprints.rsa = await calculateJwkThumbprint(rsa.publicJwk as never);
  thumbprints.ec = await calculateJwkThumbprint(ec.publicJwk as never);
  thumbprints.oaep = await calculateJwkThumbprint(oaep.publicJwk as never);
  for (const [label, pair] of [["rsa", rsa], ["ec", ec], ["ec384", ec384]] as const) safety.secrets.addPem(label, pair.privatePem).addJwk(`${label}-jwk`, pair.privateJwk);
  safety.secrets.addJwk("oaep-private-jwk", oaep.privateJwk).addBytes("hs", HS).addText("hs-text", HS_TEXT).addBytes("sym", SYM);
});
afterAll(() => print(`fuzz-keys: ${tally.total} inputs: ${tally}`));

// ---------------------------------------------------------------------------------------------
// Materials

const obj = (jwk: JsonWebKey) => jwk as unknown as Record<string, unknown>;
const octJwk = (bytes: Uint8Array) => ({ kty: "oct", k: b64url(bytes) });
const withNewlines = (pem: string, how: "escaped" | "crlf" | "one-line") =>
  how === "escaped" ? pem.replace(/\n/g, "\\n") : how === "crlf" ? pem.replace(/\n/g, "\r\n") : pem.replace(/\n(?!-----END)/g, "").replace(/-----\n?/g, "-----");

/** The target's own key, in the forms a crypto object or a variable may hold. */
function ownForms(t: Target): { strings: string[]; objects: Record<string, unknown>[] } {
  switch (t.family) {
    case "hs":
      return { strings: [`0x${hex(HS)}`, JSON.stringify(octJwk(HS)), HS_TEXT], objects: [octJwk(HS)] };
    case "asym": {
      const pair = t.alg.startsWith("ES") ? ec : rsa;
      return { strings: [pair.privatePem, JSON.stringify(pair.privateJwk), withNewlines(pair.privatePem, "escaped"), withNewlines(pair.privatePem, "crlf")], objects: [obj(pair.privateJwk)] };
    }
    case "rsa-enc":
      return { strings: [oaep.publicPem, JSON.stringify(oaep.publicJwk), withNewlines(oaep.publicPem, "escaped")], objects: [obj(oaep.publicJwk)] };
    case "sym-enc":
      return { strings: [`0x${hex(SYM)}`, JSON.stringify(octJwk(SYM))], objects: [octJwk(SYM)] };
  }
}

/** Keys of other types or sizes: never usable for the target (RSA ones excluded for RSA encryption, where any RSA key is a key). */
function foreignForms(t: Target): (string | Record<string, unknown>)[] {
  const all: (string | Record<string, unknown>)[] = [
    ec384.privatePem, obj(ec384.privateJwk), ec.publicPem, obj(ec.publicJwk),
    `0x${hex(randomBytes(24))}`, octJwk(randomBytes(0)), { kty: "OKP", crv: "Ed25519", x: b64url(randomBytes(32)), d: b64url(randomBytes(32)) },
    { keys: [] }, { keys: [ec.privateJwk, rsa.privateJwk] },
  ];
  if (t.family !== "asym" || !t.alg.startsWith("ES")) all.push(ec.privatePem, obj(ec.privateJwk));
  if (t.family === "hs" || t.family === "sym-enc" || t.alg.startsWith("ES")) all.push(rsa.privatePem, obj(rsa.privateJwk), oaep.publicPem);
  if (t.family === "asym") all.push(octJwk(HS), `0x${hex(HS)}`);
  if (t.family !== "rsa-enc") all.push(rsa.publicPem);
  return all;
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.integer(),
  fc.constant(null),
  fc.constant(""),
  fc.boolean(),
  fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => b64url(b)),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
const MEMBERS = ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi", "crv", "x", "y", "k", "keys", "kid", "alg", "use", "key_ops", "__proto__", "oth"];
/** Members whose change leaves the key as it was (ignored, or only the kid). */
const HARMLESS = new Set(["alg", "use", "key_ops", "x-junk"]);

function mangledJwk(base: Record<string, unknown>): fc.Arbitrary<Material> {
  const keys = Object.keys(base);
  return fc.oneof(
    fc.subarray(keys, { minLength: 1 }).map((drop) => ({ value: Object.fromEntries(Object.entries(base).filter(([k]) => !drop.includes(k))), how: `jwk without ${drop.join(",")}`, good: false })),
    fc.tuple(fc.constantFrom(...MEMBERS), junk).map(([member, v]) => {
      const value = JSON.parse(JSON.stringify({ ...base })) as Record<string, unknown>;
      Object.defineProperty(value, member, { value: v, enumerable: true, writable: true, configurable: true });
      return { value, how: `jwk ${member}=junk`, good: HARMLESS.has(member), differentKey: member === "n" || member === "e" };
    }),
    fc.constantFrom("RSA", "EC", "oct", "OKP", "", "rsa").map((kty) => ({ value: { ...base, kty }, how: `jwk kty ${kty}`, good: kty === base.kty })),
    fc.constantFrom(...HARMLESS).map((m) => ({ value: { ...base, [m]: m === "key_ops" ? ["verify"] : "RS512" }, how: `jwk +${m}`, good: true })),
    fc.constant({ value: { keys: [base] }, how: "jwk set of one", good: true }),
  );
}

function mangledPem(pem: string, mayChangeKey: boolean): fc.Arbitrary<Material> {
  const bodyStart = pem.indexOf("\n") + 1;
  const bodyEnd = pem.lastIndexOf("-----END");
  const forms: fc.Arbitrary<Material>[] = [
    fc.integer({ min: 0, max: pem.length - 2 }).map((i) => ({ value: pem.slice(0, i), how: "pem truncated", good: pem.slice(0, i).trimEnd() === pem.trimEnd() })),
    fc.tuple(fc.integer({ min: bodyStart, max: bodyEnd - 1 }), fc.integer({ min: 1, max: 200 })).map(([i, n]) => ({ value: pem.slice(0, i) + pem.slice(i + n), how: "pem with a gap", good: false })),
    fc.tuple(fc.integer({ min: bodyStart, max: bodyEnd - 1 }), fc.string({ unit: "binary", minLength: 1, maxLength: 8 })).map(([i, s]) => ({ value: pem.slice(0, i) + s + pem.slice(i), how: "pem with an insertion", good: false })),
    fc.constantFrom("PUBLIC KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "CERTIFICATE", "ENCRYPTED PRIVATE KEY", "X").map((label) => ({ value: pem.replace(/(BEGIN|END) [A-Z ]+-----/g, `$1 ${label}-----`), how: `pem relabelled ${label}`, good: false })),
    fc.constantFrom("escaped", "crlf", "one-line").map((how) => ({ value: withNewlines(pem, how as "escaped"), how: `pem ${how}`, good: true })),
    fc.uint8Array({ minLength: 0, maxLength: 400 }).map((b) => ({ value: `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...b))}\n-----END PRIVATE KEY-----\n`, how: "pem of random bytes", good: false })),
  ];
  // A changed byte in a private key must never produce a token that does not verify with the original
  // public key; in a public key (encryption), it may be a different valid key, so it is left out.
  if (!mayChangeKey) {
    forms.push(
      fc.tuple(fc.integer({ min: bodyStart, max: bodyEnd - 2 }), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")).map(([i, c]) => ({
        value: pem.slice(0, i) + (pem[i] === "\n" ? "\n" : c) + pem.slice(i + 1),
        how: "pem with a changed character",
        good: pem[i] === c || pem[i] === "\n",
      })),
    );
  }
  return fc.oneof(...forms);
}

function materials(t: Target): fc.Arbitrary<Material> {
  const own = ownForms(t);
  const pem = own.strings[0]!.startsWith("-----") ? own.strings[0]! : undefined;
  const list: fc.Arbitrary<Material>[] = [
    fc.constantFrom(...own.strings).map((value) => ({ value, how: "own key (text)", good: true })),
    fc.constantFrom(...own.objects).map((value) => ({ value, how: "own key (object)", good: true })),
    ...own.objects.map((o) => mangledJwk(o)),
    ...own.objects.map((o) => mangledJwk(o).map((m) => ({ ...m, value: JSON.stringify(m.value), how: `${m.how} (text)` }))),
    fc.constantFrom(...foreignForms(t)).map((value) => ({ value, how: "a key of another type", good: false })),
    fc.uint8Array({ maxLength: 600 }).map((b) => ({ value: String.fromCharCode(...b), how: "random bytes", good: false })),
    fc.string({ unit: "binary", maxLength: 200 }).map((value) => ({ value, how: "random text", good: false })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => ({ value: v as Material["value"], how: "random JSON value", good: false })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => ({ value: JSON.stringify(v), how: "random JSON text", good: false })),
    fc.constantFrom("", "   ", "\n", "0x", "0xABC", "0xZZ", "{", "{}", "[]", "null", '{"kty":"oct"}', '{"kty":"oct","k":""}', "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----").map((value) => ({ value, how: "edge text", good: false })),
  ];
  if (pem) list.push(mangledPem(pem, t.family === "rsa-enc"));
  return fc.oneof(...list);
}

/** Where a value of this shape can be put: text in a secret, KV or a variable; an object in a JSON var or a variable. */
function deliveries(m: Material): Delivery[] {
  return typeof m.value === "string" ? ["secret", "kv", "var-text"] : ["json-var", "var-object"];
}

// ---------------------------------------------------------------------------------------------
// The model of README's rules for shared secrets and symmetric keys

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function decodeB64Url(text: unknown): Uint8Array | undefined {
  if (typeof text !== "string" || text === "" || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  try {
    return Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

type Secret = { bytes: Uint8Array; form: "jwk" | "hex" | "text"; kid?: string } | undefined;

function secretFromJwk(jwk: Record<string, unknown>): Secret {
  if (Array.isArray(jwk.keys) && jwk.kty === undefined) return jwk.keys.length === 1 && isObject(jwk.keys[0]) ? secretFromJwk(jwk.keys[0]) : undefined;
  if (jwk.kty !== "oct") return undefined;
  const kid = typeof jwk.kid === "string" && jwk.kid !== "" ? jwk.kid : undefined;
  const bytes = jwk.k === "" ? new Uint8Array(0) : decodeB64Url(jwk.k);
  return bytes ? { bytes, form: "jwk", kid } : undefined;
}

function secretFromText(s: string): Secret {
  const trimmed = s.trim();
  if (trimmed === "" || trimmed.startsWith("-----BEGIN ")) return undefined;
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return isObject(parsed) ? secretFromJwk(parsed) : undefined;
    } catch {
      return undefined;
    }
  }
  if (/^0x/i.test(trimmed)) {
    const h = trimmed.slice(2);
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(h)) return undefined;
    return { bytes: Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16)), form: "hex" };
  }
  return { bytes: utf8(s), form: "text" };
}

/** The shared secret a value holds under a delivery, or undefined when the gateway must refuse it. */
function modelSecret(value: Material["value"], delivery: Delivery): Secret {
  if (delivery === "var-text" || delivery === "var-object") {
    let jwk: unknown = value;
    if (typeof value === "string") {
      try {
        jwk = JSON.parse(value);
      } catch {
        return undefined;
      }
    }
    if (value === "" || value === null || value === undefined) return undefined;
    return isObject(jwk) ? secretFromJwk(jwk) : undefined;
  }
  // A JSON var of null is no binding at all: the name is looked up in KV, where it is not.
  if (value === null) return undefined;
  return secretFromText(typeof value === "string" ? value : JSON.stringify(value));
}

// ---------------------------------------------------------------------------------------------

function keyApi(t: Target, delivery: Delivery, value: Material["value"]): { files: Record<string, string>; env: Record<string, unknown> } {
  const viaVariable = delivery === "var-text" || delivery === "var-object";
  const prefix = t.kind;
  const keyProps = viaVariable ? { [`${prefix}-jwk`]: "fuzz.jwk" } : { [`${prefix}-crypto`]: delivery === "kv" ? "fuzz-kv-key" : "FUZZ_KEY" };
  const algProps = t.kind === "jws" ? { "jws-alg": t.alg } : { "jwe-alg": t.alg, "jwe-enc": t.enc };
  const actions: Record<string, unknown>[] = [{ set: "iss.claim", value: "https://issuer.test" }];
  if (delivery === "var-text") actions.push({ set: "fuzz.jwk", value: "$(env.FUZZ_KEY_TEXT)" });
  if (delivery === "var-object") actions.push({ set: "fuzz.jwk", value });
  const env: Record<string, unknown> = { ...testEnv };
  if (delivery === "secret" || delivery === "json-var") env.FUZZ_KEY = value;
  if (delivery === "var-text") env.FUZZ_KEY_TEXT = value;
  if (delivery === "kv") env.CRYPTO_OBJECTS = { get: async (name: string) => (name === "fuzz-kv-key" ? value : null) };
  const files = jsonFile("keys", definition("/k", [
    { "set-variable": { actions } },
    { "jwt-generate": { jwt: "out.token", ...algProps, ...keyProps } },
    { "set-variable": { actions: [{ set: "message.body", value: "$(out.token)" }] } },
  ]));
  return { files, env };
}

/** The kid a JWK material carries (it wins over a thumbprint). */
function jwkKid(value: Material["value"]): string | undefined {
  let v: unknown = value;
  if (typeof v === "string" && v.trim().startsWith("{")) {
    try {
      v = JSON.parse(v.trim());
    } catch {
      return undefined;
    }
  }
  if (!isObject(v)) return undefined;
  if (Array.isArray(v.keys) && v.kty === undefined && v.keys.length === 1 && isObject(v.keys[0])) v = v.keys[0];
  const kid = (v as Record<string, unknown>).kid;
  return typeof kid === "string" && kid !== "" ? kid : undefined;
}

/** Checks a 200's token; returns a problem or "". */
async function checkToken(t: Target, m: Material, delivery: Delivery, token: string, secret: Secret): Promise<string> {
  const header = JSON.parse(partText(token, 0)) as Record<string, unknown>;
  const viaVariable = delivery === "var-text" || delivery === "var-object";
  if (t.family === "hs") {
    if (!secret || secret.bytes.length < HS256_MIN_BYTES) return "a token from material the model refuses";
    await verifyJws(token, secret.bytes, "HS256");
    return header.kid === secret.kid ? "" : `kid ${String(header.kid)} != ${String(secret.kid)}`;
  }
  if (t.family === "sym-enc") {
    if (!secret || secret.form === "text" || secret.bytes.length !== t.bytes) return "a token from material the model refuses";
    await decryptJwe(token, secret.bytes, t.alg, t.enc!);
    return header.kid === secret.kid ? "" : `kid ${String(header.kid)} != ${String(secret.kid)}`;
  }
  const owner = t.family === "rsa-enc" ? "oaep" : t.alg.startsWith("ES") ? "ec" : "rsa";
  const expectedKid = jwkKid(m.value) ?? (viaVariable ? undefined : thumbprints[owner]);
  if (t.family === "rsa-enc") {
    if (token.split(".").length !== 5) return "not a compact JWE";
    if (m.differentKey) return "";
    await decryptJwe(token, oaep.privateKey, t.alg, t.enc!);
  } else {
    // The original public key, whatever was mangled: a token signed by anything else is a failure.
    await verifyJws(token, await publicKeyOf((t.alg.startsWith("ES") ? ec : rsa).publicJwk, t.alg), t.alg);
  }
  return header.kid === expectedKid ? "" : `kid ${String(header.kid)} != ${String(expectedKid)} (the token must name the key that signed it)`;
}

describe("fuzzing key material", () => {
  it(`every key material, delivered every way, gives a verifying token or the generic 500 (${RUNS} inputs)`, async () => {
    const input = fc
      .constantFrom(...TARGETS)
      .chain((t) => materials(t).chain((m) => fc.constantFrom(...deliveries(m)).map((delivery) => ({ t, m, delivery }))));
    await fc.assert(
      fc.asyncProperty(input, async ({ t, m, delivery }) => {
        const { files, env } = keyApi(t, delivery, m.value);
        const res = await safety.gateway(files, env).fetch("/k");
        const secret = t.family === "hs" || t.family === "sym-enc" ? modelSecret(m.value, delivery) : undefined;
        tally.add(`${res.status}`);
        const describeInput = `${t.name} / ${m.how} / ${delivery}`;
        if (res.status !== 200) {
          expect(res.body, describeInput).toBe(GENERIC_500.jwt);
          expect(res.status).toBe(500);
          // Predicted successes must succeed.
          if (t.family === "hs") expect(secret === undefined || secret.bytes.length < HS256_MIN_BYTES, `${describeInput}: the model expects a token`).toBe(true);
          if (t.family === "sym-enc") expect(secret === undefined || secret.form === "text" || secret.bytes.length !== t.bytes, `${describeInput}: the model expects a token`).toBe(true);
          const pemOnlyAsText = typeof m.value === "string" && m.value.trim().startsWith("-----") && (delivery === "var-text");
          if ((t.family === "asym" || t.family === "rsa-enc") && m.good && !pemOnlyAsText) expect.fail(`${describeInput}: a good key was refused`);
          return;
        }
        expect(await checkToken(t, m, delivery, res.body, secret), describeInput).toBe("");
      }),
      { numRuns: RUNS },
    );
    expect(tally.get("200")).toBeGreaterThan(RUNS / 10);
    expect(tally.get("500")).toBeGreaterThan(RUNS / 10);
    expect(safety.logs.filter(isGatewayFault)).toEqual([]);
  });
});
