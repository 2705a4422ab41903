import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { Context } from "../../src/assembly/context";
import { PolicyError } from "../../src/assembly/errors";
import { compileApis } from "../../src/config/compile-api";
import { parseApiText } from "../../src/config/parse-source";
import { formatProblem } from "../../src/config/problems";
import { BuildCodeHost } from "../code-host";

/** The first jwt-generate of the assembly's execute, as written in the definition (for its key names and `jwt`). */
function firstJwtGenerate(definition: unknown): Record<string, unknown> | undefined {
  const ibm = (definition as Record<string, unknown> | null)?.["x-ibm-configuration"] as Record<string, unknown> | undefined;
  const steps = (ibm?.assembly as Record<string, unknown> | undefined)?.execute;
  if (!Array.isArray(steps)) return undefined;
  for (const step of steps) {
    const config = (step as Record<string, unknown> | null)?.["jwt-generate"];
    if (config !== undefined) return (config ?? {}) as Record<string, unknown>;
  }
  return undefined;
}

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

/**
 * `edge-jwt mint`: compiles the definition as the build does, then runs its execute steps in Node (WebCrypto) up to
 * and including the first jwt-generate, with `--key` as its crypto object (and `--jwe-key` for encryption).
 * `invoke` and `proxy` steps before it are skipped: nothing is sent anywhere.
 */
export async function runMint(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: "string" },
      key: { type: "string" },
      "jwe-key": { type: "string" },
      header: { type: "string", multiple: true },
      var: { type: "string", multiple: true },
      path: { type: "string" },
    },
  });
  if (!values.api) {
    console.error("edge-jwt mint: --api FILE is required");
    return 2;
  }
  const { source, problem } = parseApiText(values.api, await readFile(values.api, "utf8"));
  if (!source) {
    console.error(problem ? formatProblem(problem) : `${values.api}: not a definition`);
    return 1;
  }
  const { apis, problems } = compileApis([source], new BuildCodeHost());
  if (problems.length > 0 || apis.length === 0) {
    for (const p of problems) console.error(formatProblem(p));
    return 1;
  }
  const api = apis[0]!;
  const raw = firstJwtGenerate(source.definition);
  if (!raw) {
    console.error(`edge-jwt mint: ${values.api} has no jwt-generate in x-ibm-configuration.assembly.execute`);
    return 1;
  }

  const env: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const jwsName = typeof raw["jws-crypto"] === "string" ? raw["jws-crypto"] : undefined;
  const jweName = typeof raw["jwe-crypto"] === "string" ? raw["jwe-crypto"] : undefined;
  if (jwsName) {
    if (!values.key) return missing(`--key FILE (the crypto object '${jwsName}')`);
    env[jwsName] = await readFile(values.key, "utf8");
  }
  if (jweName) {
    const file = values["jwe-key"] ?? (jwsName ? undefined : values.key);
    if (!file) return missing(`--jwe-key FILE (the crypto object '${jweName}')`);
    env[jweName] = await readFile(file, "utf8");
  }
  for (const pair of values.var ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return missing(`--var NAME=VALUE, found '${pair}'`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  const headers = new Headers();
  for (const h of values.header ?? []) {
    const colon = h.indexOf(":");
    if (colon <= 0) return missing(`--header NAME:VALUE, found '${h}'`);
    headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
  }
  const rest = values.path ?? "/";
  const request = new Request(`https://gateway.local${api.basePath}${rest}`, { headers });
  const ctx = new Context(request, api, env, rest);
  try {
    for (const policy of api.assembly.execute) {
      if (policy.kind === "invoke" || policy.kind === "proxy") continue;
      ctx.currentPolicy = policy.title;
      await policy.run(ctx);
      if (policy.kind === "jwt-generate") break;
    }
  } catch (e) {
    if (e instanceof PolicyError) {
      console.error(`edge-jwt mint: ${e.errorName} in ${ctx.currentPolicy}: ${e.message}`);
      return 1;
    }
    throw e;
  }

  const variable = typeof raw.jwt === "string" && raw.jwt.trim() !== "" ? raw.jwt.trim() : undefined;
  const token = variable ? String(ctx.get(variable) ?? "") : (ctx.message.headers.get("authorization") ?? "").replace(/^Bearer /, "");
  if (!token) {
    console.error("edge-jwt mint: the jwt-generate produced no token");
    return 1;
  }
  const parts = token.split(".");
  const decoded =
    parts.length === 3
      ? { kind: "JWS", header: decodePart(parts[0]!), claims: decodePart(parts[1]!) }
      : { kind: "JWE", header: decodePart(parts[0]!), note: "encrypted: the claims are readable only with the recipient's private key" };
  console.log(token);
  console.log(JSON.stringify(decoded, null, 2));
  return 0;
}

function missing(what: string): number {
  console.error(`edge-jwt mint: expected ${what}`);
  return 2;
}
