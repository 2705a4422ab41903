import { describe, expect, it } from "vitest";
import { api, captureLogs, gatewayFor } from "../gateway-helpers";

const withCatch = (execute: string, catches: string) =>
  gatewayFor({ "e.yaml": api("/e", `execute:\n${execute}\ncatch:\n${catches}`) });

const thrower = (name: string, extra = "") => `  - throw:\n      name: ${name}\n      message: 'detail for $(request.parameters.who)'\n${extra}`;

describe("throw and catch", () => {
  it("answers an uncaught throw with its status, reason and message in API Connect's shape", async () => {
    const gw = gatewayFor({ "t.yaml": api("/t", `execute:\n${thrower("QuotaError", "      error-status-code: 429\n      error-status-reason: Too Many Requests")}`) });
    const { result, lines } = await captureLogs(() => gw.fetch("/t?who=bob"));
    expect(result.status).toBe(429);
    expect(result.statusText).toBe("Too Many Requests");
    expect(await result.json()).toEqual({ httpCode: "429", httpMessage: "Too Many Requests", moreInformation: "detail for bob" });
    expect(JSON.parse(lines[0]!)).toEqual({ level: "error", api: "test-api", policy: "throw", error: "QuotaError", message: "detail for bob", caught: false });
  });

  it("runs the catch entry that names the error, with error.* variables", async () => {
    const gw = withCatch(
      thrower("ConnectionError"),
      `  - errors: [RuntimeError]
    execute:
      - set-variable: {actions: [{set: message.body, value: wrong}]}
  - errors: [ValidateError, ConnectionError]
    execute:
      - set-variable:
          actions:
            - {set: message.status.code, value: 503}
            - {set: message.body, value: '$(error.name): $(error.message)'}
  - default:
      - set-variable: {actions: [{set: message.body, value: default}]}`,
    );
    const { result, lines } = await captureLogs(() => gw.fetch("/e?who=amy"));
    expect(result.status).toBe(503);
    expect(await result.text()).toBe("ConnectionError: detail for amy");
    expect(JSON.parse(lines[0]!).caught).toBe(true);
  });

  it("falls back to default when no entry names the error", async () => {
    const gw = withCatch(thrower("OddError"), `  - errors: [RuntimeError]\n    execute: []\n  - default:\n      - set-variable: {actions: [{set: message.body, value: 'default caught $(error.name)'}]}`);
    const { result } = await captureLogs(() => gw.fetch("/e"));
    expect(result.status).toBe(500);
    expect(await result.text()).toBe("default caught OddError");
  });

  it("answers uncaught when no entry matches and there is no default", async () => {
    const gw = withCatch(thrower("OddError"), `  - errors: [RuntimeError]\n    execute: []`);
    const { result } = await captureLogs(() => gw.fetch("/e"));
    expect(result.status).toBe(500);
    expect(await result.json()).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "detail for " });
  });

  it("stops the assembly at the failing policy", async () => {
    const gw = gatewayFor({
      "s.yaml": api("/s", `execute:\n${thrower("RuntimeError")}\n  - set-variable: {actions: [{set: message.body, value: reached}]}\ncatch:\n  - default: []`),
    });
    const { result } = await captureLogs(() => gw.fetch("/s"));
    expect(await result.text()).not.toContain("reached");
  });

  it("gives a RuntimeError's detail to the log only, never the body", async () => {
    const gw = gatewayFor({ "r.yaml": api("/r", `execute:\n  - set-variable: {actions: [{set: message.status.code, value: 'secret-ish-999'}]}`) });
    const { result, lines } = await captureLogs(() => gw.fetch("/r"));
    const body = await result.text();
    expect(JSON.parse(body)).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Internal Server Error" });
    expect(body).not.toContain("secret-ish");
    expect(lines.join("\n")).toContain("message.status.code must be an HTTP status");
  });
});
