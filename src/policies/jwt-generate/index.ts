import { PolicyError } from "../../assembly/errors";
import type { Context } from "../../assembly/context";
import type { Policy, PolicyCompiler } from "../policy";
import { claimsJson, memoizedClaimsHead, ownedClaims } from "./claims";
import { readJwtGenerateConfig, type JwtGenerateConfig } from "./config";
import { EdgeMinter } from "./edge-mint";
import { JweEncrypter } from "./encrypter";
import { JwsSigner } from "./signer";

export const ERROR_MESSAGE_VARIABLE = "jwt-generate.error-message";

/** The detail of a failure, for the log and `jwt-generate.error-message`: our own messages, or an error's class. */
function detailOf(e: unknown): string {
  if (e instanceof PolicyError) return e.message;
  if (e instanceof Error && ["KeyError", "JweError"].includes(e.name)) return e.message;
  if (e instanceof Error) return `jwt-generate failed: ${e.name}${e.name === "OperationError" || e.name === "DataError" ? ` (${e.message})` : ""}`;
  return "jwt-generate failed";
}

/**
 * `jwt-generate`: builds the claims, signs (JWS), encrypts (JWE) or both (nested), and puts
 * the token in `Authorization: Bearer …` or in the variable named by `jwt`.
 * Everything that does not depend on the request is prepared here, once.
 */
export const compileJwtGenerate: PolicyCompiler = (raw, path, reader, scope) => {
  const config = readJwtGenerateConfig(raw, path, reader);
  if (!config) return undefined;
  if (config.jwe?.alg === "RSA1_5") {
    scope.warnings.push(`${path}: jwe-alg RSA1_5 is deprecated (RFC 8725 §3.2 advises against RSAES-PKCS1-v1_5); prefer RSA-OAEP-256`);
  }
  const owned = ownedClaims(config);
  const head = memoizedClaimsHead(config);
  const signer = config.jws ? new JwsSigner(config.jws) : undefined;
  if (config.jws?.key.kind === "crypto") {
    // Published by the JWKS; a crypto object signing under two algorithms is published without `alg` ("").
    const { name } = config.jws.key;
    const before = scope.signingKeys?.get(name);
    scope.signingKeys?.set(name, before === undefined || before === config.jws.alg ? config.jws.alg : "");
  }
  const encrypter = config.jwe ? new JweEncrypter(config.jwe, signer !== undefined) : undefined;
  if (config.edge) return edgePolicy(config, new EdgeMinter(config, config.edge, owned, signer, encrypter, `${scope.file}#${path}`));
  return {
    kind: "jwt-generate",
    title: config.title,
    // A promise chain rather than an async function: the fastest tokens (HS256, ~3 µs) feel every hop.
    run(ctx) {
      let token: string | Promise<string>;
      try {
        token = claimsJson(config, owned, ctx, Math.floor(Date.now() / 1000), head);
        // Signed only (the common case): the token is delivered in the signature's own reaction.
        if (signer && !encrypter) {
          return signer.signThen(token, ctx, (minted) => deliver(config, minted, ctx), (e: unknown) => {
            throw fail(e, ctx);
          });
        }
        if (signer) token = signer.sign(token, ctx);
        if (encrypter) token = Promise.resolve(token).then((signed) => encrypter.encrypt(signed, ctx));
      } catch (e) {
        return Promise.reject(fail(e, ctx));
      }
      if (typeof token === "string") {
        deliver(config, token, ctx);
        return Promise.resolve();
      }
      return token.then(
        (minted) => deliver(config, minted, ctx),
        (e: unknown) => {
          throw fail(e, ctx);
        },
      );
    },
  };
};

function fail(e: unknown, ctx: Context): PolicyError {
  const detail = detailOf(e);
  ctx.set(ERROR_MESSAGE_VARIABLE, detail);
  return new PolicyError("RuntimeError", detail, { status: 500, reason: "Invalid-JWT-Generate", publicMessage: "Invalid-JWT-Generate" });
}

function deliver(config: JwtGenerateConfig, token: string, ctx: Context): void {
  if (config.jwtVariable) ctx.set(config.jwtVariable, token);
  else ctx.message.headers.set("Authorization", `Bearer ${token}`);
}

/** A policy with x-edge: the same error handling and delivery, minted by EdgeMinter. */
function edgePolicy(config: JwtGenerateConfig, minter: EdgeMinter): Policy {
  return {
    kind: "jwt-generate",
    title: config.title,
    async run(ctx) {
      let token: string;
      try {
        token = await minter.mint(ctx, Math.floor(Date.now() / 1000));
      } catch (e) {
        throw fail(e, ctx);
      }
      deliver(config, token, ctx);
    },
  };
}
