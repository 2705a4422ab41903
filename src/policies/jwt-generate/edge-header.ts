import type { Context } from "../../assembly/context";
import { runtimeError } from "../../assembly/errors";
import { renderTemplate } from "../../assembly/template";
import { encodeBase64UrlText } from "../../jose/base64url";
import { certificateInfo, resolveCryptoObject, type SigningKey } from "../../keys";
import type { EdgeConfig } from "./edge-config";

/**
 * The JWS protected header with x-edge's parameters: kid, alg, then typ, x5t#S256, x5c, then the extra
 * headers in the order written. Without templated headers, the encoded header is made once per key and kid.
 */
export class EdgeHeader {
  /** `,"typ":"…"` — fixed for the policy. */
  private readonly typFragment: string;
  private readonly memo = new WeakMap<SigningKey, { kid: string | undefined; certificate: string | undefined; encoded: string }>();
  /** The last certificate read, by its text: parsed, hashed and checked against a key once. */
  private certificate: { material: string; key: SigningKey; fragment: string } | undefined;

  constructor(
    private readonly edge: EdgeConfig,
    private readonly alg: string,
  ) {
    this.typFragment = edge.typ === undefined ? "" : `,"typ":${JSON.stringify(edge.typ)}`;
  }

  async encode(kid: string | undefined, key: SigningKey, ctx: Context): Promise<string> {
    const certificate = this.edge.certificate ? await this.certificateFragment(key, ctx) : undefined;
    const dynamic = this.edge.headers.length > 0;
    if (!dynamic) {
      const memo = this.memo.get(key);
      if (memo && memo.kid === kid && memo.certificate === certificate) return memo.encoded;
    }
    let json = kid === undefined ? `{"alg":${JSON.stringify(this.alg)}` : `{"kid":${JSON.stringify(kid)},"alg":${JSON.stringify(this.alg)}`;
    json += this.typFragment + (certificate ?? "");
    for (const header of this.edge.headers) {
      const value = renderTemplate(header.template, ctx);
      if (value !== "") json += `,${JSON.stringify(header.name)}:${JSON.stringify(value)}`;
    }
    const encoded = encodeBase64UrlText(json + "}");
    if (!dynamic) this.memo.set(key, { kid, certificate, encoded });
    return encoded;
  }

  /** `,"x5t#S256":"…"[,"x5c":["…"]]`, after checking the certificate holds the signing key's public key. */
  private async certificateFragment(key: SigningKey, ctx: Context): Promise<string> {
    const config = this.edge.certificate!;
    const material = await resolveCryptoObject(config.name, ctx.env);
    const last = this.certificate;
    if (last && last.material === material && last.key === key) return last.fragment;
    const label = `x-edge.certificate '${config.name}'`;
    const info = await certificateInfo(material, label);
    if (info.thumbprint === undefined || info.thumbprint !== key.thumbprint) {
      throw runtimeError(`${label} does not certify the signing key (its public key differs)`);
    }
    let fragment = `,"x5t#S256":${JSON.stringify(info.x5tS256)}`;
    if (config.x5c) fragment += `,"x5c":[${JSON.stringify(info.x5c)}]`;
    this.certificate = { material, key, fragment };
    return fragment;
  }
}
