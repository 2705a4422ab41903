/**
 * The safety suites' view of the gateway, inside workerd: every response body and every console
 * line goes through an OutputRecorder, and every secret a suite configures goes into a
 * SecretRegistry, so `expectNoLeaks()` can prove that no secret reached a client or a log.
 *
 * Other suites can use it the same way:
 *
 *   const safety = useSafety();                 // in a describe or at file level: hooks record the console
 *   safety.secrets.addPem("k", pem);
 *   const gw = safety.gateway({ "a.yaml": api(...) }, env);
 *   const r = await gw.fetch("/a");             // { status, statusText, headers, body } — body is text
 *   // afterAll (installed by useSafety) fails the file when a secret leaked.
 *
 * Console lines are recorded and not printed; `print` is the real console.log for summaries.
 */
import { afterAll, beforeAll, expect, vi } from "vitest";
import { compileInline, testEnv } from "../gateway-helpers";
import { createGateway } from "../../../src/gateway";
import { OutputRecorder, SecretRegistry, type Leak } from "./hygiene";

export { OutputRecorder, SecretRegistry, type Leak } from "./hygiene";

/** The real console.log, captured before any spy: for a suite's own summary lines. */
export const print: (...args: unknown[]) => void = console.log.bind(console);

/** A response read to the end, so its body can be recorded and checked. */
export interface ReadResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
}

/** The bodies of uncaught errors: API Connect's shape with the generic message only. */
export const GENERIC_500 = {
  jwt: JSON.stringify({ httpCode: "500", httpMessage: "Invalid-JWT-Generate", moreInformation: "Invalid-JWT-Generate" }),
  runtime: JSON.stringify({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Internal Server Error" }),
  connection: JSON.stringify({ httpCode: "500", httpMessage: "URL Open error", moreInformation: "Could not connect to endpoint" }),
} as const;
export const GENERIC_500_BODIES: ReadonlySet<string> = new Set(Object.values(GENERIC_500));

/** Log lines of gateway faults (an exception no policy turned into a PolicyError). */
export const isGatewayFault = (line: string) => line.includes('"error":"GatewayError"');

export interface Safety {
  secrets: SecretRegistry;
  output: OutputRecorder;
  /** Console lines recorded since the suite started (also in `output`). */
  logs: string[];
  /** A gateway over inline definitions whose responses are read and recorded. `env` is used as given (mutable). */
  gateway(files: Record<string, string>, env?: Record<string, unknown>): SafeGateway;
  /** Fails the current test when a registered secret appears in any recorded text. */
  expectNoLeaks(): void;
  leaks(): Leak[];
}

export interface SafeGateway {
  fetch(path: string, init?: RequestInit): Promise<ReadResponse>;
  /** The bindings the gateway runs with: mutate them to remove or rotate a secret between requests. */
  env: Record<string, unknown>;
}

/** Reads and records a gateway response. */
export async function readAndRecord(output: OutputRecorder, where: string, res: Response): Promise<ReadResponse> {
  const body = await res.text();
  output.recordResponse(where, res, body);
  return { status: res.status, statusText: res.statusText, headers: res.headers, body };
}

/**
 * Installs, for the enclosing file or describe: console capture (log/info/warn/error/debug go to
 * the recorder, not the terminal) and an afterAll that fails when a secret leaked.
 */
export function useSafety(label = "safety"): Safety {
  const secrets = new SecretRegistry();
  const output = new OutputRecorder();
  const logs: string[] = [];
  const spies: { mockRestore(): void }[] = [];

  beforeAll(() => {
    registerEnvSecrets(secrets, testEnv);
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          const line = args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ");
          logs.push(line);
          output.record(`console.${method}`, line);
        }),
      );
    }
  });
  afterAll(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
    const leaks = output.leaks(secrets);
    print(`${label}: hygiene checked ${output.texts.length} texts (${output.chars} chars) against ${secrets.labels().length} secrets: ${leaks.length} leaks`);
    expect(leaks, "secrets found in responses or logs").toEqual([]);
  });

  return {
    secrets,
    output,
    logs,
    leaks: () => output.leaks(secrets),
    expectNoLeaks: () => expect(output.leaks(secrets), "secrets found in responses or logs").toEqual([]),
    gateway(files, env = { ...testEnv }) {
      const { apis, problems } = compileInline(files);
      if (problems.length > 0) throw new Error(problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join("\n"));
      const app = createGateway(apis);
      return {
        env,
        fetch: async (path, init) => readAndRecord(output, `${init?.method ?? "GET"} ${path.slice(0, 200)}`, await app.fetch(new Request(`https://gateway.test${path}`, init), env)),
      };
    },
  };
}

/** Registers the private keys and hex secrets among string bindings (e.g. the demo keys from .dev.vars). */
export function registerEnvSecrets(secrets: SecretRegistry, env: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== "string") continue;
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) secrets.addPem(`env.${name}`, value);
    else if (/^0x[0-9a-f]{32,}$/i.test(value.trim())) secrets.addText(`env.${name}`, value);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
