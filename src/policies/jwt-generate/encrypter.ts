import type { Context } from "../../assembly/context";
import { encryptPrepared, prepareJwe, type EncryptionKey, type JweHeader, type PreparedJwe } from "../../jwe";
import { getEncryptionKey } from "../../keys";
import type { JwtGenerateConfig } from "./config";
import { kidFor, KeyLoader } from "./keys";

const encoder = new TextEncoder();

/** Encrypts for one policy: its key loader, and its prepared JWE headers, made once per key. */
export class JweEncrypter {
  private readonly loader: KeyLoader<EncryptionKey>;
  private readonly prepared = new WeakMap<EncryptionKey, PreparedJwe>();

  constructor(
    private readonly jwe: NonNullable<JwtGenerateConfig["jwe"]>,
    /** Nested: the plaintext is a signed JWT, marked with cty "JWT" (RFC 7519 §5.2). */
    private readonly nested: boolean,
  ) {
    this.loader = new KeyLoader(jwe.key, "jwe-jwk", (material, label) => getEncryptionKey(material, jwe.alg, jwe.enc, label));
  }

  async encrypt(plaintext: string, ctx: Context): Promise<string> {
    const key = await this.loader.load(ctx);
    return encryptPrepared(encoder.encode(plaintext), this.header(key, ctx), key);
  }

  /** The key for this request (the x-edge path). */
  key(ctx: Context): EncryptionKey | Promise<EncryptionKey> {
    return this.loader.load(ctx);
  }

  /** Encrypts with a key and header already chosen (the x-edge path). */
  encryptWith(plaintext: string, prepared: PreparedJwe, key: EncryptionKey): Promise<string> {
    return encryptPrepared(encoder.encode(plaintext), prepared, key);
  }

  header(key: EncryptionKey, ctx: Context): PreparedJwe {
    const make = (kid: string | undefined) => {
      const header: JweHeader = { alg: this.jwe.alg, enc: this.jwe.enc, kid, cty: this.nested ? "JWT" : undefined };
      return prepareJwe(header);
    };
    if (this.jwe.kidVariable) return make(kidFor(this.jwe.key, key, this.jwe.kidVariable, ctx));
    let prepared = this.prepared.get(key);
    if (prepared === undefined) {
      prepared = make(kidFor(this.jwe.key, key, undefined, ctx));
      this.prepared.set(key, prepared);
    }
    return prepared;
  }
}
