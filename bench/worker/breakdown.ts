/**
 * `npm run bench -- --breakdown`: where the policy's time goes, stage by stage, in workerd. Each stage of
 * jwt-generate's hot path is timed alone (µs per call, best of several batches) next to the whole
 * `run(ctx)`, with the inputs the policy really uses. It imports src internals on purpose, so it is kept
 * apart from the main bench (a refactor may break this file, never `npm run bench`).
 */
import { Context } from "../../src/assembly/context";
import { compileApis } from "../../src/config/compile-api";
import { encodeBase64Url, encodeBase64UrlText } from "../../src/jose/base64url";
import { SIGN_PARAMS, signCompact } from "../../src/jose/sign";
import { getEncryptionKey, getSigningKey, resolveCryptoObject } from "../../src/keys";
import type { Policy } from "../../src/policies/policy";
import { claimsJson as buildClaimsJson, ownedClaims } from "../../src/policies/jwt-generate/claims";
import { encryptPrepared, prepareJwe } from "../../src/jwe";
import { kidFor } from "../../src/policies/jwt-generate/keys";
import type { JwtGenerateConfig } from "../../src/policies/jwt-generate/config";
import { ENCRYPTION_BINDING, JWS_ALG, NESTED_JWE, SIGNING_BINDING, mintDefinition, type BenchCase } from "../lib/definitions";

type Env = Record<string, unknown>;


async function batch(fn: () => unknown, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  return performance.now() - t0;
}

/**
 * µs per call: the best of `batches` batches (the least disturbed by other load), each batch long
 * enough (≥ 40 ms) that workerd's coarse clock (1 ms steps) does not matter.
 */
async function perCall(fn: () => unknown, batches = 7): Promise<number> {
  let n = 8;
  while ((await batch(fn, n)) < 40) n *= 2;
  let best = Infinity;
  for (let b = 0; b < batches; b++) best = Math.min(best, ((await batch(fn, n)) * 1000) / n);
  return best;
}

/** A plain TS copy of the config jwt-generate compiles (the policy keeps its own private). */
function configFor(c: BenchCase): JwtGenerateConfig {
  return {
    title: "jwt-generate",
    jwtVariable: "out.token",
    jti: true,
    issVariable: "iss.claim",
    subVariable: "sub.claim",
    audVariables: ["aud.claim"],
    expSeconds: 300,
    jws: { alg: JWS_ALG[c], key: { kind: "crypto", name: SIGNING_BINDING[c] } },
  };
}

async function breakdown(c: BenchCase, env: Env): Promise<Record<string, number>> {
  const { apis, problems } = compileApis([{ file: `bench-${c}.json`, definition: mintDefinition(c) }]);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("; "));
  const api = apis[0]!;
  const [setVariable, jwtGenerate] = api.assembly.execute as [Policy, Policy];
  const ctx = new Context(new Request(`https://gateway.example.com${api.basePath}/path`), api, env, "/path");
  await setVariable.run(ctx);
  await jwtGenerate.run(ctx);
  const token = ctx.get("out.token") as string;

  const config = configFor(c);
  const alg = config.jws!.alg;
  const source = config.jws!.key;
  const material = await resolveCryptoObject((source as { name: string }).name, env);
  const key = await getSigningKey(material, alg, "label");
  const now = Math.floor(Date.now() / 1000);
  const owned = ownedClaims(config);
  const claimsJson = buildClaimsJson(config, owned, ctx, now);
  const payloadB64 = encodeBase64UrlText(claimsJson);
  const kid = kidFor(source, key, undefined, ctx);
  const headerB64 = encodeBase64UrlText(kid === undefined ? `{"alg":"${alg}"}` : JSON.stringify({ kid, alg }));
  const signingInput = new TextEncoder().encode(`${headerB64}.${payloadB64}`);
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN_PARAMS[alg], key.key, signingInput));
  const signatureB64 = encodeBase64Url(signature);
  if (c !== "nested" && `${headerB64}.${payloadB64}.${signatureB64}` .length !== token.length) throw new Error("breakdown inputs do not match the policy's token");
  const nativeB64 = (bytes: Uint8Array) => (bytes as Uint8Array & { toBase64(o: object): string }).toBase64({ alphabet: "base64url", omitPadding: true });
  const encoder = new TextEncoder();

  const out: Record<string, number> = {};
  out["policy run(ctx), whole"] = await perCall(() => jwtGenerate.run(ctx));
  // The least any JS implementation does per token: claims text, two encodes, two base64url, one sign.
  const iss = ctx.get("iss.claim") as string;
  const sub = ctx.get("sub.claim") as string;
  const aud = ctx.get("aud.claim") as string;
  const headerDot = `${headerB64}.`;
  const minimalMint = async () => {
    const t = Math.floor(Date.now() / 1000);
    const json = `{"iss":${JSON.stringify(iss)},"sub":${JSON.stringify(sub)},"aud":${JSON.stringify(aud)},"exp":${t + 300},"iat":${t},"jti":"${crypto.randomUUID()}"}`;
    const input = headerDot + nativeB64(encoder.encode(json));
    const sig = await crypto.subtle.sign(SIGN_PARAMS[alg], key.key, encoder.encode(input));
    return `${input}.${nativeB64(new Uint8Array(sig))}`;
  };
  out["minimal JS mint of the JWS (ideal floor for JS)"] = await perCall(minimalMint);
  out["crypto.subtle.sign alone"] = await perCall(() => crypto.subtle.sign(SIGN_PARAMS[alg], key.key, signingInput));
  out["signCompact (sign + concat + encode sig)"] = await perCall(() => signCompact(alg, key.key, headerB64, payloadB64));
  out["  resolveCryptoObject"] = await perCall(() => resolveCryptoObject((source as { name: string }).name, env));
  out["  getSigningKey (cache hit)"] = await perCall(() => getSigningKey(material, alg, "label"));
  out["kidFor"] = await perCall(() => kidFor(source, key, undefined, ctx));
  out["claimsJson (incl. randomUUID)"] = await perCall(() => buildClaimsJson(config, owned, ctx, now));
  out["  crypto.randomUUID"] = await perCall(() => crypto.randomUUID());
  out[`encodeBase64UrlText(claims) [${claimsJson.length} chars]`] = await perCall(() => encodeBase64UrlText(claimsJson));
  out[`  alt: native toBase64(encode(claims))`] = await perCall(() => nativeB64(encoder.encode(claimsJson)));
  out[`encodeBase64Url(signature) [${signature.length} bytes]`] = await perCall(() => encodeBase64Url(signature));
  out[`  alt: native toBase64(signature)`] = await perCall(() => nativeB64(signature));
  out[`TextEncoder.encode(signing input) [${signingInput.length} bytes]`] = await perCall(() => encoder.encode(`${headerB64}.${payloadB64}`));
  out["Date.now"] = await perCall(() => Date.now());
  out["ctx.get (one variable)"] = await perCall(() => ctx.get("iss.claim"));
  out["ctx.set (the token variable)"] = await perCall(() => ctx.set("out.token", token));
  if (c !== "nested") return out;

  // Nested: the JWE around the JWS.
  const encSource = { kind: "crypto", name: ENCRYPTION_BINDING } as const;
  const encMaterial = await resolveCryptoObject(ENCRYPTION_BINDING, env);
  const encKey = await getEncryptionKey(encMaterial, NESTED_JWE.alg, NESTED_JWE.enc, "label");
  if (encKey.family !== "RSA-OAEP") throw new Error("expected an RSA-OAEP key");
  const prepared = prepareJwe({ alg: NESTED_JWE.alg, enc: NESTED_JWE.enc, kid: kidFor(encSource, encKey, undefined, ctx), cty: "JWT" });
  const jws = await signCompact(alg, key.key, headerB64, payloadB64);
  const plaintext = encoder.encode(jws);
  const cek = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const aesKey = await crypto.subtle.importKey("raw", cek.subarray(16), "AES-CBC", false, ["encrypt"]);
  const macKey = await crypto.subtle.importKey("raw", cek.subarray(0, 16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aesKey, plaintext));
  const macInput = new Uint8Array(prepared.aad.length + 16 + ciphertext.length + 8);
  out["encryptPrepared (the whole JWE)"] = await perCall(() => encryptPrepared(plaintext, prepared, encKey));
  out["  getEncryptionKey (cache hit)"] = await perCall(() => getEncryptionKey(encMaterial, NESTED_JWE.alg, NESTED_JWE.enc, "label"));
  out["  RSA-OAEP encrypt of the CEK"] = await perCall(() => crypto.subtle.encrypt({ name: "RSA-OAEP" }, encKey.key, cek));
  out["  importKey AES-CBC + HMAC (per token: fresh CEK)"] = await perCall(() =>
    Promise.all([
      crypto.subtle.importKey("raw", cek.subarray(16), "AES-CBC", false, ["encrypt"]),
      crypto.subtle.importKey("raw", cek.subarray(0, 16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
    ]),
  );
  out[`  AES-CBC encrypt [${plaintext.length} bytes]`] = await perCall(() => crypto.subtle.encrypt({ name: "AES-CBC", iv }, aesKey, plaintext));
  out[`  HMAC [${macInput.length} bytes]`] = await perCall(() => crypto.subtle.sign("HMAC", macKey, macInput));
  out[`  encodeBase64Url(ciphertext) [${ciphertext.length} bytes]`] = await perCall(() => encodeBase64Url(ciphertext));
  out[`    alt: native toBase64(ciphertext)`] = await perCall(() => nativeB64(ciphertext));
  out[`  TextEncoder.encode(JWS) [${jws.length} bytes]`] = await perCall(() => encoder.encode(jws));
  return out;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const c = (new URL(request.url).searchParams.get("case") ?? "HS256") as BenchCase;
    try {
      return Response.json(await breakdown(c, env));
    } catch (e) {
      return Response.json({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) }, { status: 500 });
    }
  },
};
