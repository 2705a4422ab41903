import type { Context } from "../../assembly/context";
import { encodeBase64UrlText } from "../../jose/base64url";
import { signCompactThen } from "../../jose/sign";
import { getSigningKey, type SigningKey } from "../../keys";
import type { JwtGenerateConfig } from "./config";
import { kidFor, KeyLoader } from "./keys";

/** Signs claims for one policy: its key loader, and its encoded headers, made once per key. */
export class JwsSigner {
  private readonly loader: KeyLoader<SigningKey>;
  /** Encoded header per key, when the kid comes from the key alone (no custom-kid variable). */
  private readonly headers = new WeakMap<SigningKey, string>();

  constructor(private readonly jws: NonNullable<JwtGenerateConfig["jws"]>) {
    this.loader = new KeyLoader(jws.key, "jws-jwk", (material, label, password) => getSigningKey(material, jws.alg, label, password));
  }

  /** The compact JWS of `claims` (JSON text). */
  sign(claims: string, ctx: Context): Promise<string> {
    return this.signThen(claims, ctx, (token) => token);
  }

  /**
   * Signs `claims`, then hands the token to `onToken` in the same promise reaction; every failure
   * (loading the key, signing) goes to `onError`. A key already held is used at once, with no hop.
   */
  signThen<T>(claims: string, ctx: Context, onToken: (token: string) => T, onError?: (e: unknown) => never): Promise<T> {
    const key = this.loader.load(ctx);
    if (!(key instanceof Promise)) return this.signWith(key, claims, ctx, onToken, onError);
    return key.then((loaded) => {
      try {
        return this.signWith(loaded, claims, ctx, onToken, onError);
      } catch (e) {
        if (onError) onError(e);
        throw e;
      }
    }, onError);
  }

  /** The key for this request (the x-edge path, which needs the key before the claims are signed). */
  key(ctx: Context): SigningKey | Promise<SigningKey> {
    return this.loader.load(ctx);
  }

  /** The header's kid for `key` in this request. */
  kid(key: SigningKey, ctx: Context): string | undefined {
    return kidFor(this.jws.key, key, this.jws.kidVariable, ctx);
  }

  private signWith<T>(key: SigningKey, claims: string, ctx: Context, onToken: (token: string) => T, onError?: (e: unknown) => never): Promise<T> {
    return signCompactThen(this.jws.alg, key.key, this.header(key, ctx), encodeBase64UrlText(claims), onToken, onError);
  }

  /** The last key's header, checked before the WeakMap: a policy's key seldom changes. */
  private last: { key: SigningKey; header: string } | undefined;

  private header(key: SigningKey, ctx: Context): string {
    if (this.jws.kidVariable) return encodeHeader(kidFor(this.jws.key, key, this.jws.kidVariable, ctx), this.jws.alg);
    if (this.last?.key === key) return this.last.header;
    let header = this.headers.get(key);
    if (header === undefined) {
      header = encodeHeader(kidFor(this.jws.key, key, undefined, ctx), this.jws.alg);
      this.headers.set(key, header);
    }
    this.last = { key, header };
    return header;
  }
}

/** API Connect's JWS header: kid (when there is one), then alg; no typ. */
function encodeHeader(kid: string | undefined, alg: string): string {
  return encodeBase64UrlText(kid === undefined ? `{"alg":"${alg}"}` : JSON.stringify({ kid, alg }));
}
