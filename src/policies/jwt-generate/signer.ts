import type { Context } from "../../assembly/context";
import { encodeBase64UrlText } from "../../jose/base64url";
import { signCompact } from "../../jose/sign";
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
    const key = this.loader.load(ctx);
    // A key already held is used at once: no promise hop before the signature.
    return key instanceof Promise ? key.then((loaded) => this.signWith(loaded, claims, ctx)) : this.signWith(key, claims, ctx);
  }

  /** The key for this request (the x-edge path, which needs the key before the claims are signed). */
  key(ctx: Context): SigningKey | Promise<SigningKey> {
    return this.loader.load(ctx);
  }

  /** The header's kid for `key` in this request. */
  kid(key: SigningKey, ctx: Context): string | undefined {
    return kidFor(this.jws.key, key, this.jws.kidVariable, ctx);
  }

  private signWith(key: SigningKey, claims: string, ctx: Context): Promise<string> {
    return signCompact(this.jws.alg, key.key, this.header(key, ctx), encodeBase64UrlText(claims));
  }

  private header(key: SigningKey, ctx: Context): string {
    if (this.jws.kidVariable) return encodeHeader(kidFor(this.jws.key, key, this.jws.kidVariable, ctx), this.jws.alg);
    let header = this.headers.get(key);
    if (header === undefined) {
      header = encodeHeader(kidFor(this.jws.key, key, undefined, ctx), this.jws.alg);
      this.headers.set(key, header);
    }
    return header;
  }
}

/** API Connect's JWS header: kid (when there is one), then alg; no typ. */
function encodeHeader(kid: string | undefined, alg: string): string {
  return encodeBase64UrlText(kid === undefined ? `{"alg":"${alg}"}` : JSON.stringify({ kid, alg }));
}
