import type { Context } from "../../assembly/context";
import { encodeBase64UrlText } from "../../jose/base64url";
import { signCompact } from "../../jose/sign";
import { claimsHead, privateClaimsJson } from "./claims";
import type { JwtGenerateConfig } from "./config";
import { edgeClaimsJson } from "./edge-claims";
import type { EdgeConfig } from "./edge-config";
import { EdgeHeader } from "./edge-header";
import type { JweEncrypter } from "./encrypter";
import type { JwsSigner } from "./signer";
import { cacheKey, keyIdentity, tokenCache } from "./token-cache";

/**
 * Mints for a policy that has `x-edge`: the same claims and keys as the plain path, plus x-edge's claims,
 * nbf, header parameters and token cache. Kept apart so a policy without x-edge runs the plain path unchanged.
 */
export class EdgeMinter {
  private readonly header: EdgeHeader | undefined;
  /** Private claims never supply x-edge's claims or nbf either. */
  private readonly owned: ReadonlySet<string>;

  constructor(
    private readonly config: JwtGenerateConfig,
    private readonly edge: EdgeConfig,
    owned: ReadonlySet<string>,
    private readonly signer: JwsSigner | undefined,
    private readonly encrypter: JweEncrypter | undefined,
    /** Names this policy inside the isolate-wide token cache. */
    private readonly policyId: string,
  ) {
    this.header = config.jws ? new EdgeHeader(edge, config.jws.alg) : undefined;
    const all = new Set(owned);
    for (const claim of edge.claims) all.add(claim.name);
    if (edge.nbfOffset !== undefined) all.add("nbf");
    this.owned = all;
  }

  async mint(ctx: Context, nowSeconds: number): Promise<string> {
    const { config, edge, signer, encrypter } = this;
    const head = claimsHead(config, ctx);
    const tail = edgeClaimsJson(edge.claims, ctx) + privateClaimsJson(config, this.owned, ctx);
    const signingKey = signer ? await signer.key(ctx) : undefined;
    const jwsHeader = signer && signingKey && this.header ? await this.header.encode(signer.kid(signingKey, ctx), signingKey, ctx) : "";
    const encryptionKey = encrypter ? await encrypter.key(ctx) : undefined;
    const jwe = encrypter && encryptionKey ? encrypter.header(encryptionKey, ctx) : undefined;

    let key: string | undefined;
    if (edge.cache) {
      key = await cacheKey([
        this.policyId, head, tail, jwsHeader, jwe?.protectedB64 ?? "",
        signingKey ? keyIdentity(signingKey) : "", encryptionKey ? keyIdentity(encryptionKey) : "",
      ]);
      const cached = tokenCache.get(key, nowSeconds, edge.cache.minRemaining);
      if (cached !== undefined) return cached;
    }

    const exp = nowSeconds + config.expSeconds;
    let claims = `${head},"exp":${exp},"iat":${nowSeconds}`;
    if (edge.nbfOffset !== undefined) claims += `,"nbf":${nowSeconds + edge.nbfOffset}`;
    if (config.jti) claims += `,"jti":"${crypto.randomUUID()}"`;
    let token = claims + tail + "}";
    if (config.jws && signingKey) token = await signCompact(config.jws.alg, signingKey.key, jwsHeader, encodeBase64UrlText(token));
    if (encrypter && encryptionKey && jwe) token = await encrypter.encryptWith(token, jwe, encryptionKey);
    if (key !== undefined) tokenCache.set(key, token, exp);
    return token;
  }
}
