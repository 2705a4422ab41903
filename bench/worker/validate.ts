/**
 * The validation bench worker, run in workerd by bench/run.ts (through Miniflare). Per case (HS256, ES256,
 * RS256) it times two ways of checking one token with the key already cached:
 *
 *   policy  jwt-validate's `run(ctx)` over a Context made once (token from a variable, iss/aud patterns,
 *           claims into decoded.claims)
 *   jose    jose's own jwtVerify with a cached CryptoKey and the same iss/aud checks, as a careful worker would
 *
 * The token is minted once, by jose, with the bench's signing keys.
 *
 *   GET /info                              {cases: {HS256: {sub}, …}}: the claims each method accepted
 *   GET /run?case=HS256&method=jose&ms=250 {ops, ms}
 */
import { SignJWT, importPKCS8, importSPKI, jwtVerify } from "jose";
import { Context } from "../../src/assembly/context";
import { compileApis } from "../../src/config/compile-api";
import type { Policy } from "../../src/policies/policy";
import { timeOp, type Op } from "./time-op";
import { CLAIMS, SIGNING_BINDING } from "../lib/definitions";

export const VALIDATE_CASES = ["HS256", "ES256", "RS256"] as const;
export type ValidateCase = (typeof VALIDATE_CASES)[number];
export const VALIDATE_METHODS = ["policy", "jose"] as const;
export type ValidateMethod = (typeof VALIDATE_METHODS)[number];
/** The binding holding each case's verification key (public PEM, or the shared secret's text). */
export const VERIFY_BINDING: Record<ValidateCase, string> = { HS256: "BENCH_VERIFY_HS256", ES256: "BENCH_VERIFY_ES256", RS256: "BENCH_VERIFY_RS256" };

type Env = Record<string, unknown>;
const encoder = new TextEncoder();
const ISS = `^${CLAIMS.iss.replace(/[.]/g, "\\.")}$`;

function text(env: Env, name: string): string {
  const v = env[name];
  if (typeof v !== "string") throw new Error(`binding ${name} is missing`);
  return v;
}

async function setupCase(c: ValidateCase, env: Env): Promise<{ ops: Record<ValidateMethod, Op>; subs: Record<ValidateMethod, unknown> }> {
  const signing = text(env, SIGNING_BINDING[c]);
  const verifying = text(env, VERIFY_BINDING[c]);
  const signKey = c === "HS256" ? encoder.encode(signing) : await importPKCS8(signing, c);
  const verifyKey = c === "HS256" ? await crypto.subtle.importKey("raw", encoder.encode(verifying), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]) : await importSPKI(verifying, c);
  const token = await new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: c })
    .setIssuer(CLAIMS.iss)
    .setSubject(CLAIMS.sub)
    .setAudience(CLAIMS.aud)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(signKey);

  const definition = {
    swagger: "2.0",
    info: { title: `bench validate ${c}`, "x-ibm-name": `bench-validate-${c.toLowerCase()}`, version: "1.0.0" },
    basePath: `/validate-${c.toLowerCase()}`,
    "x-ibm-configuration": {
      assembly: { execute: [{ "jwt-validate": { jwt: "in.token", "iss-claim": ISS, "aud-claim": `^${CLAIMS.aud}$`, "jws-crypto": VERIFY_BINDING[c] } }] },
    },
  };
  const { apis, problems } = compileApis([{ file: `bench-validate-${c}.json`, definition }]);
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("; "));
  const api = apis[0]!;
  const [jwtValidate] = api.assembly.execute as [Policy];
  const ctx = new Context(new Request(`https://gateway.example.com${api.basePath}/path`), api, env, "/path");
  ctx.set("in.token", token);

  const ops: Record<ValidateMethod, Op> = {
    policy: async () => {
      await jwtValidate.run(ctx);
    },
    jose: () => jwtVerify(token, verifyKey, { algorithms: [c], issuer: CLAIMS.iss, audience: CLAIMS.aud }),
  };
  await ops.policy(); // the first run imports the key
  const joseResult = await jwtVerify(token, verifyKey, { algorithms: [c], issuer: CLAIMS.iss, audience: CLAIMS.aud });
  return { ops, subs: { policy: ctx.get("decoded.claims.sub"), jose: joseResult.payload.sub } };
}

let setup: Promise<Record<ValidateCase, Awaited<ReturnType<typeof setupCase>>>> | undefined;
function benches(env: Env) {
  setup ??= (async () => {
    const out = {} as Record<ValidateCase, Awaited<ReturnType<typeof setupCase>>>;
    for (const c of VALIDATE_CASES) out[c] = await setupCase(c, env);
    return out;
  })();
  return setup;
}


export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    try {
      const all = await benches(env);
      if (url.pathname === "/info") return Response.json({ cases: Object.fromEntries(VALIDATE_CASES.map((c) => [c, all[c].subs])) });
      if (url.pathname === "/run") {
        const op = all[url.searchParams.get("case") as ValidateCase]?.ops[url.searchParams.get("method") as ValidateMethod];
        if (!op) return Response.json({ error: "unknown case or method" }, { status: 404 });
        return Response.json(await timeOp(op, Number(url.searchParams.get("ms") ?? 250)));
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return Response.json({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }, { status: 500 });
    }
  },
};
