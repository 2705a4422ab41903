/**
 * The mint bench worker, run in workerd by bench/run.ts (through Miniflare). It imports the
 * project's own modules, and times, per case, four ways of producing one token:
 *
 *   policy  jwt-generate's `run(ctx)` over a Context made once (claims from variables to token)
 *   raw     the floor: WebCrypto's own operations on an input of the policy's size
 *   minimal the smallest correct hand-written mint (real claims, real token): the practical floor for JavaScript
 *   jose    jose's SignJWT (+ CompactEncrypt) with a cached CryptoKey
 *   hono    hono/jwt's sign(payload, secret-or-PEM, alg), as a typical Hono worker calls it
 *
 *   GET /info                          setup, clock check, token sizes and one sample token per method
 *   GET /run?case=HS256&method=raw&ms=250   {ops, ms}: runs the method for at least `ms` milliseconds
 */
import { CompactEncrypt, SignJWT, calculateJwkThumbprint, exportJWK, importPKCS8, importSPKI } from "jose";
import { sign as honoSign } from "hono/jwt";
import { Context } from "../../src/assembly/context";
import { compileApis } from "../../src/config/compile-api";
import type { Policy } from "../../src/policies/policy";
import { timeOp, type Op } from "./time-op";
import {
  CASES,
  CLAIMS,
  ENCRYPTION_BINDING,
  JWS_ALG,
  METHODS,
  NESTED_JWE,
  SIGNING_BINDING,
  mintDefinition,
  type BenchCase,
  type BenchMethod,
} from "../lib/definitions";

type Env = Record<string, unknown>;

interface CaseBench {
  ops: Partial<Record<BenchMethod, Op>>;
  /** A token from each method that makes tokens (raw does not). */
  samples: Partial<Record<BenchMethod, string>>;
  /** Why a method is unavailable (policy: the module is not there yet, or it failed). */
  unavailable: Partial<Record<BenchMethod, string>>;
  /** Byte sizes the raw floor works on. */
  sizes: Record<string, number>;
}

const encoder = new TextEncoder();

const SIGN_PARAMS = {
  HS256: { name: "HMAC" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
} as const;

const IMPORT_PARAMS = {
  HS256: { name: "HMAC", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  PS256: { name: "RSA-PSS", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
} as const;

function text(env: Env, name: string): string {
  const v = env[name];
  if (typeof v !== "string") throw new Error(`binding ${name} is missing`);
  return v;
}

function pemBytes(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Fresh claims as a careful hand-written worker computes them per token. */
function claimsNow(): { iss: string; sub: string; aud: string; exp: number; iat: number; jti: string } {
  const now = Math.floor(Date.now() / 1000);
  return { iss: CLAIMS.iss, sub: CLAIMS.sub, aud: CLAIMS.aud, exp: now + CLAIMS.lifetime, iat: now, jti: crypto.randomUUID() };
}

function b64urlLength(n: number): number {
  return Math.ceil((n * 4) / 3);
}

async function setupCase(c: BenchCase, env: Env): Promise<CaseBench> {
  const alg = JWS_ALG[c];
  const secretOrPem = text(env, SIGNING_BINDING[c]);
  const bench: CaseBench = { ops: {}, samples: {}, unavailable: {}, sizes: {} };

  // The CryptoKeys raw and jose use, imported once.
  const signKey =
    alg === "HS256"
      ? await crypto.subtle.importKey("raw", encoder.encode(secretOrPem), IMPORT_PARAMS.HS256, false, ["sign"])
      : await crypto.subtle.importKey("pkcs8", pemBytes(secretOrPem), IMPORT_PARAMS[alg], true, ["sign"]);
  // As jwt-generate: asymmetric crypto objects get their RFC 7638 thumbprint as kid, shared secrets none.
  let kid: string | undefined;
  if (alg !== "HS256") {
    const jwk = await exportJWK(signKey);
    kid = await calculateJwkThumbprint(jwk);
  }
  const encPem = c === "nested" ? text(env, ENCRYPTION_BINDING) : undefined;
  const encKey = encPem ? await importSPKI(encPem, NESTED_JWE.alg) : undefined;
  const encKid = encKey ? await calculateJwkThumbprint(await exportJWK(encKey)) : undefined;

  // jose: SignJWT with the cached key; nested: then CompactEncrypt to the cached public key.
  const header = kid ? { kid, alg } : { alg };
  const joseSign = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader(header)
      .setIssuer(CLAIMS.iss)
      .setSubject(CLAIMS.sub)
      .setAudience(CLAIMS.aud)
      .setIssuedAt(now)
      .setExpirationTime(now + CLAIMS.lifetime)
      .sign(signKey);
  };
  bench.ops.jose = encKey
    ? async () =>
        new CompactEncrypt(encoder.encode(await joseSign()))
          .setProtectedHeader({ alg: NESTED_JWE.alg, enc: NESTED_JWE.enc, kid: encKid, cty: "JWT" })
          .encrypt(encKey)
    : joseSign;

  bench.ops.minimal = minimalMint(alg, signKey, kid, encKey && encKid ? { key: await crypto.subtle.importKey("spki", pemBytes(encPem!), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]), kid: encKid } : undefined);

  // hono: the secret text or the PKCS#8 PEM, imported by hono on each call.
  if (c !== "nested") bench.ops.hono = () => honoSign(claimsNow(), secretOrPem, alg);

  // policy: compile the definition, run set-variable once, then time jwt-generate's run.
  try {
    const { apis, problems, warnings } = compileApis([{ file: `bench-${c}.json`, definition: mintDefinition(c) }]);
    if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("; "));
    void warnings;
    const api = apis[0]!;
    const [setVariable, jwtGenerate] = api.assembly.execute as [Policy, Policy];
    const ctx = new Context(new Request(`https://gateway.example.com${api.basePath}/path`), api, env, "/path");
    await setVariable.run(ctx);
    const op = async () => {
      await jwtGenerate.run(ctx);
    };
    await op(); // the first run imports the key(s) into the cache
    const token = ctx.get("out.token");
    if (typeof token !== "string" || token.split(".").length !== (c === "nested" ? 5 : 3)) throw new Error("no token in out.token");
    bench.ops.policy = op;
    bench.samples.policy = token;
  } catch (e) {
    bench.unavailable.policy = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }

  // raw: the same kind of CryptoKey over inputs of the policy's sizes (jose's when the policy is missing).
  const reference = bench.samples.policy ?? ((await bench.ops.jose!()) as string);
  let signingInputBytes: number;
  let plaintextBytes = 0;
  if (c !== "nested") signingInputBytes = reference.lastIndexOf(".");
  else if (bench.samples.policy) {
    // The JWE hides the JWS: its plaintext is within 16 bytes below the ciphertext's size; take the middle.
    const ciphertextBytes = Math.floor((reference.split(".")[3]!.length * 3) / 4);
    plaintextBytes = ciphertextBytes - 8;
    signingInputBytes = plaintextBytes - 1 - b64urlLength(256);
  } else {
    const inner = await joseSign();
    plaintextBytes = inner.length;
    signingInputBytes = inner.lastIndexOf(".");
  }
  const signInput = new Uint8Array(signingInputBytes).fill(0x61);
  bench.sizes.signingInput = signingInputBytes;
  const sign = () => crypto.subtle.sign(SIGN_PARAMS[alg], signKey, signInput);
  if (c !== "nested") {
    bench.ops.raw = sign;
  } else {
    // Nested: the JWS, then the JWE's operations: RSA-OAEP of a 32-byte CEK, AES-CBC of the JWS, HMAC of the MAC input.
    const aadBytes = reference.split(".")[0]!.length;
    const macInputBytes = aadBytes + 16 + (Math.floor(plaintextBytes / 16) + 1) * 16 + 8;
    Object.assign(bench.sizes, { plaintext: plaintextBytes, aad: aadBytes, macInput: macInputBytes });
    const oaepKey = await crypto.subtle.importKey("spki", pemBytes(encPem!), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    const cek = crypto.getRandomValues(new Uint8Array(32));
    const aesKey = await crypto.subtle.importKey("raw", cek.subarray(16), "AES-CBC", false, ["encrypt"]);
    const macKey = await crypto.subtle.importKey("raw", cek.subarray(0, 16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const plaintext = new Uint8Array(plaintextBytes).fill(0x61);
    const macInput = new Uint8Array(macInputBytes).fill(0x62);
    bench.ops.raw = async () => {
      await sign();
      await crypto.subtle.encrypt({ name: "RSA-OAEP" }, oaepKey, cek);
      await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aesKey, plaintext);
      return crypto.subtle.sign("HMAC", macKey, macInput);
    };
  }

  for (const m of ["minimal", "jose", "hono"] as const) {
    const op = bench.ops[m];
    if (op) bench.samples[m] = (await op()) as string;
  }
  if (!bench.ops.hono) bench.unavailable.hono = "not applicable";
  return bench;
}

type WithToBase64 = Uint8Array & { toBase64(options: { alphabet: "base64url"; omitPadding: boolean }): string };
const b64u = (bytes: Uint8Array): string => (bytes as WithToBase64).toBase64({ alphabet: "base64url", omitPadding: true });

/**
 * The smallest correct mint one would write by hand for this token: the header encoded once, the claims as one
 * template literal (fixed claims pre-serialized), native base64url, one subtle.sign. Nested adds a hand-written
 * RSA-OAEP-256 / A128CBC-HS256 JWE: random CEK and IV, RSA-OAEP of the CEK, AES-CBC, HMAC-SHA-256 tag.
 */
function minimalMint(alg: keyof typeof SIGN_PARAMS, key: CryptoKey, kid: string | undefined, jwe?: { key: CryptoKey; kid: string }): Op {
  const headerB64 = b64u(encoder.encode(JSON.stringify(kid ? { kid, alg } : { alg })));
  const fixed = `{"iss":${JSON.stringify(CLAIMS.iss)},"sub":${JSON.stringify(CLAIMS.sub)},"aud":${JSON.stringify(CLAIMS.aud)},"exp":`;
  const params = SIGN_PARAMS[alg];
  const jws = (): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${headerB64}.${b64u(encoder.encode(`${fixed}${now + CLAIMS.lifetime},"iat":${now},"jti":"${crypto.randomUUID()}"}`))}`;
    return crypto.subtle.sign(params, key, encoder.encode(input)).then((s) => `${input}.${b64u(new Uint8Array(s))}`);
  };
  if (!jwe) return jws;
  const protectedB64 = b64u(encoder.encode(JSON.stringify({ alg: NESTED_JWE.alg, enc: NESTED_JWE.enc, kid: jwe.kid, cty: "JWT" })));
  const aad = encoder.encode(protectedB64);
  const al = new Uint8Array(8);
  new DataView(al.buffer).setUint32(4, aad.length * 8);
  return async () => {
    const plaintext = encoder.encode(await jws());
    const random = crypto.getRandomValues(new Uint8Array(48));
    const cek = random.subarray(0, 32);
    const iv = random.subarray(32);
    const [wrapped, aesKey, macKey] = await Promise.all([
      crypto.subtle.encrypt({ name: "RSA-OAEP" }, jwe.key, cek),
      crypto.subtle.importKey("raw", cek.subarray(16), "AES-CBC", false, ["encrypt"]),
      crypto.subtle.importKey("raw", cek.subarray(0, 16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
    ]);
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aesKey, plaintext));
    const macInput = new Uint8Array(aad.length + iv.length + ciphertext.length + 8);
    macInput.set(aad, 0);
    macInput.set(iv, aad.length);
    macInput.set(ciphertext, aad.length + iv.length);
    macInput.set(al, aad.length + iv.length + ciphertext.length);
    const tag = new Uint8Array(await crypto.subtle.sign("HMAC", macKey, macInput)).subarray(0, 16);
    return `${protectedB64}.${b64u(new Uint8Array(wrapped))}.${b64u(iv)}.${b64u(ciphertext)}.${b64u(tag)}`;
  };
}

let setup: Promise<Record<BenchCase, CaseBench>> | undefined;
function benches(env: Env) {
  setup ??= (async () => {
    const out = {} as Record<BenchCase, CaseBench>;
    for (const c of CASES) out[c] = await setupCase(c, env);
    return out;
  })();
  return setup;
}


/** Checks the clock moves while awaited crypto runs: both clocks, over 2,000 HMAC signatures. */
async function clockCheck(): Promise<{ performanceMs: number; dateMs: number }> {
  const key = await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const data = new Uint8Array(300);
  const p0 = performance.now();
  const d0 = Date.now();
  for (let i = 0; i < 2000; i++) await crypto.subtle.sign("HMAC", key, data);
  return { performanceMs: performance.now() - p0, dateMs: Date.now() - d0 };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    try {
      const all = await benches(env);
      if (url.pathname === "/info") {
        const cases = Object.fromEntries(
          CASES.map((c) => [c, { methods: METHODS.filter((m) => all[c].ops[m]), samples: all[c].samples, unavailable: all[c].unavailable, sizes: all[c].sizes }]),
        );
        return Response.json({ clock: await clockCheck(), cases });
      }
      if (url.pathname === "/run") {
        const c = url.searchParams.get("case") as BenchCase;
        const m = url.searchParams.get("method") as BenchMethod;
        const op = all[c]?.ops[m];
        if (!op) return Response.json({ error: `no ${m} for ${c}` }, { status: 404 });
        return Response.json(await timeOp(op, Number(url.searchParams.get("ms") ?? 250)));
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return Response.json({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) }, { status: 500 });
    }
  },
};
