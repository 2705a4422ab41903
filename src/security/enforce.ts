import type { CompiledApi } from "../assembly/api";
import type { Bindings, Context } from "../assembly/context";
import { logError, logWarning } from "../assembly/log";
import { apicErrorResponse } from "../http/responses";
import type { ClientIdentity } from "./app-record";
import type { Alternative, CredentialSource, SecurityPlan } from "./plan";
import { AppRegistry, RegistryError } from "./registry";
import { removeParams, verifyClient } from "./verify";

/** The Workers var that lets APIs with unenforceable schemes run: API names, comma- or space-separated, or `*`. */
export const UNENFORCED_VAR = "UNENFORCED_SECURITY";

/** API Connect's answer to a missing, unknown, disabled or unsubscribed client ID, or a wrong secret. */
export const invalidClientResponse = () => apicErrorResponse(401, "Unauthorized", "Invalid client id or secret.");
/** The answer when the only way in is a scheme the edge cannot check (fail closed). */
export const securityChecksResponse = () =>
  apicErrorResponse(401, "Unauthorized", "Cannot pass the security checks that are required by the target API or operation, Enable debug headers for more details.");
const internalErrorResponse = () => apicErrorResponse(500, "Internal Server Error", "Internal Server Error");

type Outcome = { ok: true; client: ClientIdentity | undefined } | { ok: false };

/**
 * Enforces each API's security requirements before its assembly runs. One per gateway (per isolate):
 * it holds the application cache and remembers which acknowledgements it has already logged.
 */
export class SecurityGate {
  #acknowledgedFor: string | undefined;
  #acknowledged: ReadonlySet<string> = new Set();

  constructor(
    private readonly apis: readonly CompiledApi[],
    readonly registry: AppRegistry = new AppRegistry(),
  ) {}

  /**
   * Checks the request in `ctx` (its operation already matched). Returns the refusal to send, or
   * undefined after setting `ctx.client` and removing the credential headers from the message.
   */
  async enforce(ctx: Context, env: Bindings): Promise<Response | undefined> {
    const plan = ctx.api.security?.planFor(ctx.operation);
    if (!plan) return undefined;
    const acknowledgedApis = this.acknowledged(env);
    const acknowledged = acknowledgedApis.has(ctx.api.name) || acknowledgedApis.has("*");
    let outcome: Outcome;
    try {
      outcome = await this.evaluate(plan, ctx, env, acknowledged);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      logError({ api: ctx.api.name, policy: "security", error: e.kind === "unbound" ? "ConfigurationError" : "RuntimeError", message: e.message, caught: false });
      return internalErrorResponse();
    }
    if (!outcome.ok) return plan.hasApiKeys ? invalidClientResponse() : securityChecksResponse();
    ctx.client = outcome.client;
    for (const name of plan.credentialHeaders) ctx.message.headers.delete(name);
    // Credentials in the query would reach the origin through `$(request.search)`; the client's own URL is untouched.
    if (plan.credentialParams.length > 0) removeParams(ctx.url, plan.credentialParams);
    return undefined;
  }

  private async evaluate(plan: SecurityPlan, ctx: Context, env: Bindings, acknowledged: boolean): Promise<Outcome> {
    for (const alt of plan.alternatives) {
      if (alt.unenforced.length > 0 && !acknowledged) continue;
      const outcome = await this.check(alt, ctx, env);
      if (outcome.ok) return outcome;
    }
    return { ok: false };
  }

  /** One alternative. A client ID read twice in one request is one KV read: the registry caches settled answers. */
  private async check(alt: Alternative, ctx: Context, env: Bindings): Promise<Outcome> {
    if (!alt.clientId) return { ok: true, client: undefined };
    const id = read(ctx, alt.clientId);
    if (!id) return { ok: false };
    let secret: string | undefined;
    if (alt.secret) {
      secret = read(ctx, alt.secret);
      if (!secret) return { ok: false };
    }
    const client = await verifyClient(this.registry, env.APPS, ctx.api.name, id, secret);
    return client ? { ok: true, client } : { ok: false };
  }

  /**
   * The APIs whose unenforceable schemes the operator acknowledged, from `UNENFORCED_SECURITY`. Read once
   * per value of the var; each time it changes (first, at the isolate's first request) one warning per
   * acknowledged API is logged.
   */
  private acknowledged(env: Bindings): ReadonlySet<string> {
    const raw = typeof env[UNENFORCED_VAR] === "string" ? (env[UNENFORCED_VAR] as string) : "";
    if (raw === this.#acknowledgedFor) return this.#acknowledged;
    const names = new Set(raw.split(/[\s,]+/).filter((n) => n !== ""));
    this.#acknowledgedFor = raw;
    this.#acknowledged = names;
    for (const api of this.apis) {
      const unenforced = api.security?.unenforced ?? [];
      if (unenforced.length === 0 || !(names.has("*") || names.has(api.name))) continue;
      logWarning({
        api: api.name,
        message: `security scheme${unenforced.length > 1 ? "s" : ""} ${unenforced.join(", ")} not enforced at the edge (acknowledged by ${UNENFORCED_VAR}): requests that need only ${unenforced.length > 1 ? "them" : "it"} run unchecked`,
      });
    }
    return names;
  }
}

/** A credential from the request: a header, or a query parameter. Empty counts as missing. */
function read(ctx: Context, source: CredentialSource): string | undefined {
  const value = source.in === "header" ? ctx.request.headers.get(source.name) : ctx.url.searchParams.get(source.name);
  return value === null || value === "" ? undefined : value;
}

