/**
 * `GET /.well-known/jwks.json` (the var JWKS_PATH moves it; an empty JWKS_PATH turns it off):
 * the public keys of every crypto object a jwt-generate `jws-crypto` names, in any API, plus every
 * key of a JWK Set held there (rotation, docs/keys.md). Origins verify our tokens with it.
 *
 * - Keys come through the same key-source memo as signing (src/keys/resolve.ts), so the JWKS and
 *   the tokens of one isolate change together.
 * - The body is rebuilt only when some crypto object's text changed (compared by identity, then
 *   value); a settled body is kept, never a pending one.
 * - A crypto object that is missing or broken is left out and logged (once per change of the
 *   texts); the endpoint still answers. Shared secrets are never published.
 * - `Cache-Control: public, max-age=JWKS_MAX_AGE` (default 300 s) and a strong ETag; If-None-Match → 304.
 */
import { logWarning } from "../assembly/log";
import type { CompiledApi } from "../assembly/api";
import { encodeBase64Url } from "../jose/base64url";
import { passwordFor, resolveCryptoObject } from "../keys";
import { publicJwks, type PublicJwk } from "../keys/public-jwk";

export const DEFAULT_JWKS_PATH = "/.well-known/jwks.json";
/** Seconds an origin (or a CDN) may cache the JWKS (var JWKS_MAX_AGE). Counts in the rotation waits. */
export const DEFAULT_JWKS_MAX_AGE = 300;

/** The path the JWKS is served at, or undefined when JWKS_PATH is set to the empty string. */
export function jwksPath(env: Record<string, unknown>): string | undefined {
  const configured = env.JWKS_PATH;
  if (typeof configured !== "string") return DEFAULT_JWKS_PATH;
  return configured === "" ? undefined : configured;
}

interface Built {
  texts: Array<string | undefined>;
  body: string;
  etag: string;
}

export class JwksEndpoint {
  /** Crypto object name → its jws-alg ("" when APIs sign with it under different algorithms). */
  private readonly names: ReadonlyMap<string, string>;
  private last: Built | undefined;

  constructor(apis: readonly CompiledApi[]) {
    const names = new Map<string, string>();
    for (const api of apis) {
      for (const [name, alg] of api.signingKeys ?? []) {
        const before = names.get(name);
        names.set(name, before === undefined || before === alg ? alg : "");
      }
    }
    this.names = names;
  }

  async respond(request: Request, env: Record<string, unknown>): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const built = await this.build(env);
    const headers = new Headers({
      "cache-control": `public, max-age=${maxAge(env)}`,
      etag: built.etag,
      "content-type": "application/jwk-set+json",
    });
    if (matches(request.headers.get("if-none-match"), built.etag)) return new Response(null, { status: 304, headers });
    return new Response(request.method === "HEAD" ? null : built.body, { status: 200, headers });
  }

  private async build(env: Record<string, unknown>): Promise<Built> {
    const names = [...this.names.keys()];
    const problems: string[] = [];
    const texts = await Promise.all(
      names.map((name) =>
        resolveCryptoObject(name, env).catch((e: unknown) => {
          // KeyError messages name the object and the problem, never key material.
          problems.push(e instanceof Error && e.name === "KeyError" ? e.message : `crypto object '${name}' could not be read`);
          return undefined;
        }),
      ),
    );
    const last = this.last;
    if (last && last.texts.length === texts.length && last.texts.every((t, i) => t === texts[i])) return last;

    const keys: PublicJwk[] = [];
    const kids = new Set<string>();
    for (const [i, text] of texts.entries()) {
      if (text === undefined) continue;
      const name = names[i]!;
      try {
        const published = await publicJwks(text, this.names.get(name) ?? "", `crypto object '${name}'`, passwordFor(name, env));
        problems.push(...published.skipped);
        for (const key of published.keys) {
          if (kids.has(key.kid)) continue; // the same key named twice
          kids.add(key.kid);
          keys.push(key);
        }
      } catch (e) {
        problems.push(e instanceof Error && e.name === "KeyError" ? e.message : `crypto object '${name}' could not be published`);
      }
    }
    for (const problem of problems) logWarning({ message: `JWKS: ${problem}; left out` });
    const body = JSON.stringify({ keys });
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
    const built = { texts, body, etag: `"${encodeBase64Url(digest)}"` };
    this.last = built;
    return built;
  }
}

function maxAge(env: Record<string, unknown>): number {
  const raw = env.JWKS_MAX_AGE;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_JWKS_MAX_AGE;
}

/** RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly. */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
