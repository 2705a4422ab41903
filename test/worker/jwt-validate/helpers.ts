import { api, captureLogs, gatewayFor } from "../gateway-helpers";

const indent = (text: string, n: number) => text.trim().split("\n").map((l) => " ".repeat(n) + l).join("\n");

/**
 * A gateway with one API at /v whose response body is the validated claims (`decoded.claims`, or
 * the policy's output-claims) as JSON. `policy`: the jwt-validate properties as YAML lines.
 */
export function validator(policy: string, opts: { setup?: string; bindings?: Record<string, unknown>; catchYaml?: string; output?: string } = {}) {
  const assembly = `execute:
${opts.setup ? `  - set-variable:\n      actions:\n${indent(opts.setup, 8)}\n` : ""}  - jwt-validate:
${indent(policy, 6)}
  - set-variable:
      actions:
        - {set: message.body, value: $(${opts.output ?? "decoded.claims"})}
${opts.catchYaml ? `catch:\n${opts.catchYaml}` : ""}`;
  const gw = gatewayFor({ "validate.yaml": api("/v", assembly) }, opts.bindings);
  return {
    ...gw,
    /** GET /v/x with `Authorization: Bearer <token>` (or the headers given). */
    send: (token: string | undefined, headers: Record<string, string> = {}) =>
      gw.fetch("/v/x", { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } }),
  };
}

/** A refused request: status, parsed body and the log lines it wrote. */
export async function refused(run: () => Promise<Response>): Promise<{ status: number; body: unknown; logs: string[] }> {
  const { result, lines } = await captureLogs(async () => {
    const res = await run();
    return { status: res.status, body: await res.json() };
  });
  return { ...result, logs: lines };
}

/** The `message` of the one error log line. */
export function loggedDetail(logs: string[]): string {
  const errors = logs.map((l) => JSON.parse(l) as { level: string; message: string }).filter((l) => l.level === "error");
  if (errors.length !== 1) throw new Error(`expected one error log line, got ${logs.length}: ${logs.join("\n")}`);
  return errors[0]!.message;
}

export const UNAUTHORIZED = { httpCode: "401", httpMessage: "Unauthorized", moreInformation: "Invalid-JWT-Validate" };
