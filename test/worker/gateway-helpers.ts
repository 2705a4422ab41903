import { env } from "cloudflare:test";
import { vi } from "vitest";
import { compileApis } from "../../src/config/compile-api";
import { parseApiText } from "../../src/config/parse-source";
import { createGateway } from "../../src/gateway";

export const testEnv = env as unknown as Record<string, unknown> & { ORIGIN_URL: string; CRYPTO_OBJECTS: KVNamespace };

/** Compiles inline definitions (file name → YAML or JSON text); throws listing the problems. */
export function compileInline(files: Record<string, string>) {
  const sources = Object.entries(files).map(([file, text]) => {
    const { source, problem } = parseApiText(file, text);
    if (problem) throw new Error(`${problem.file}: ${problem.message}`);
    return source!;
  });
  return compileApis(sources);
}

/** A gateway over inline definitions, driven like the deployed worker: `gw.fetch("/base/x", init)`. */
export function gatewayFor(files: Record<string, string>, bindings: Record<string, unknown> = {}) {
  const { apis, problems } = compileInline(files);
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join("\n"));
  const app = createGateway(apis);
  const allBindings = { ...testEnv, ...bindings };
  return {
    app,
    fetch: async (path: string, init?: RequestInit): Promise<Response> => app.fetch(new Request(`https://gateway.test${path}`, init), allBindings),
  };
}

/** A minimal OpenAPI 2 definition with the given assembly (YAML, indented under `assembly:`). */
export function api(basePath: string, assembly: string, extra = ""): string {
  return `swagger: "2.0"
info: {title: Test API, x-ibm-name: test-api, version: 2.1.0}
basePath: ${basePath}
x-ibm-configuration:
${extra}  assembly:
${assembly
  .split("\n")
  .map((l) => "    " + l)
  .join("\n")}
`;
}

/** Collects console.error / console.warn lines while `fn` runs. */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const err = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
  const warn = vi.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
  try {
    return { result: await fn(), lines };
  } finally {
    err.mockRestore();
    warn.mockRestore();
  }
}
