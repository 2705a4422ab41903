/**
 * v5 (DataPower Gateway) JavaScript conditions in the real worker: the build step compiles each
 * condition into the bundle (Workers refuse eval), and switch/if run them in workerd. One worker
 * serves every API below.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApis, startWorker, type RunningWorker } from "../support/run-worker";

/** A v5 definition (no `gateway`, or `datapower-gateway`) whose assembly is `execute` (YAML, 4 spaces in). */
function v5(name: string, execute: string, gateway = "  gateway: datapower-gateway\n"): string {
  return `swagger: "2.0"
info: {title: ${name}, x-ibm-name: ${name}, version: 1.0.0}
basePath: /${name}
paths:
  /ping:
    get: {operationId: ping, responses: {"200": {description: 200 OK}}}
  /orders/{id}:
    get: {operationId: getOrder, responses: {"200": {description: 200 OK}}}
    post: {operationId: updateOrder, responses: {"200": {description: 200 OK}}}
x-ibm-configuration:
  enforced: true
  testable: true
  phase: realized
${gateway}  assembly:
    execute:
${execute}`;
}

/** A v5 switch (policy version 1.0.0) whose case `i` answers `case i`. */
function switchOf(conditions: string[]): string {
  const cases = conditions
    .map(
      (c, i) => `          - condition: ${JSON.stringify(c)}
            execute:
              - set-variable:
                  version: 1.0.0
                  actions: [{set: message.body, value: "case ${i}"}]`,
    )
    .join("\n");
  return `      - switch:
          version: 1.0.0
          title: switch
          case:
${cases}
          - otherwise:
              - set-variable:
                  version: 1.0.0
                  actions: [{set: message.body, value: otherwise}]
`;
}

const APIS: Record<string, string> = {
  // The two operation forms IBM's page on v5 switch conditions gives.
  "ops.yaml": v5("ops", switchOf(["((request.verb==='GET')&&(api.operation.path==='/ping'))", "((api.operation.id=='updateOrder'))", "request.parameters.id === '7'"])),
  // No `gateway` at all: JavaScript too.
  "unset.yaml": v5("unset", switchOf(["request.headers['x-tier'] === 'gold' && api.operation.id === 'ping'"]), ""),
  // apim.getvariable on a variable a policy may or may not have set.
  "apim.yaml": v5(
    "apim",
    `      - if:
          version: 1.0.0
          condition: request.headers['x-credential'] !== undefined
          execute:
            - set-variable:
                version: 1.0.0
                actions: [{set: oidc-credential, value: "$(request.headers.x-credential)"}]
${switchOf(["apim.getvariable('oidc-credential') !== undefined"])}`,
  ),
  // After invoke, on the origin's status: the $(…) form, inside and outside quotes, and the bare form.
  "status.yaml": v5(
    "status",
    `      - invoke:
          version: 1.0.0
          target-url: $(env.ORIGIN_URL)$(request.path)
      - switch:
          version: 1.0.0
          case:
          - condition: "$(message.status.code) == '200' && '$(request.headers.x-tier)' === 'gold'"
            execute:
              - set-variable: {actions: [{set: message.headers.x-route, value: gold-200}]}
          - condition: message.status.code===200
            execute:
              - set-variable: {actions: [{set: message.headers.x-route, value: plain-200}]}
`,
  ),
  // A condition that throws at run time, caught by the assembly's catch.
  "throws.yaml": v5(
    "throws",
    `${switchOf(["request.headers['x-missing'].length > 0"])}    catch:
      - errors: [JavaScriptError]
        execute:
          - set-variable: {actions: [{set: message.body, value: "caught $(error.name)"}, {set: message.status.code, value: 503}]}
`,
  ),
};

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker({ apis: APIS });
});
afterAll(async () => {
  await worker?.stop();
});

const body = async (path: string, init?: RequestInit) => {
  const res = await worker.fetch(path, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
};

describe("v5 JavaScript conditions (datapower-gateway)", () => {
  it("((request.verb==='GET')&&(api.operation.path==='/ping')) and ((api.operation.id=='…')), path parameters", async () => {
    expect(await body("/ops/ping")).toMatchObject({ status: 200, text: "case 0" });
    expect((await body("/ops/orders/1", { method: "POST", body: "{}" })).text).toBe("case 1");
    expect((await body("/ops/orders/7")).text).toBe("case 2");
    expect((await body("/ops/orders/8")).text).toBe("otherwise");
  });

  it("applies when x-ibm-configuration.gateway is unset; headers by bracket, case-insensitive", async () => {
    expect((await body("/unset/ping", { headers: { "X-Tier": "gold" } })).text).toBe("case 0");
    expect((await body("/unset/ping")).text).toBe("otherwise");
  });

  it("apim.getvariable('oidc-credential') !== undefined (if, then switch)", async () => {
    expect((await body("/apim/ping", { headers: { "x-credential": "c-1" } })).text).toBe("case 0");
    expect((await body("/apim/ping")).text).toBe("otherwise");
  });

  it('"$(message.status.code) == \'200\'" and $(…) inside a quoted string, after invoke; message.status.code===200', async () => {
    const gold = await body("/status/orders/3", { headers: { "x-tier": "gold" } });
    expect(gold.status).toBe(200);
    expect(gold.headers.get("x-route")).toBe("gold-200");
    expect((JSON.parse(gold.text) as { path: string }).path).toBe("/orders/3");
    expect((await body("/status/orders/3", { headers: { "x-tier": "silver" } })).headers.get("x-route")).toBe("plain-200");
  });

  it("a condition that throws is a JavaScriptError a catch handles; the log names its class and path only", async () => {
    const before = worker.logs.length;
    expect(await body("/throws/ping", { headers: { "x-other": "secret-value" } })).toMatchObject({ status: 503, text: "caught JavaScriptError" });
    const lines = worker.logs.slice(before).filter((l) => l.includes('"api":"throws"'));
    expect(lines.map((l) => JSON.parse(l.slice(l.indexOf("{"))) as unknown)).toEqual([
      { level: "error", api: "throws", policy: "switch", error: "JavaScriptError", message: "condition threw TypeError at x-ibm-configuration.assembly.execute[0].switch.case[0].condition", caught: true },
    ]);
  });
});

describe("v5 JavaScript conditions: build problems", () => {
  it("a syntax error fails the build with file, line, path and position", async () => {
    const dir = await mkdtemp(join(tmpdir(), "conditions-js-"));
    try {
      const bad = v5("bad", switchOf(["((request.verb==='GET')&&(api.operation.path==='/ping')", "request.verb === === 'GET'", "request.verb === 'GET'"]));
      const failure = await buildApis({ "bad.yaml": bad }, dir).then(
        () => "",
        (e: Error) => e.message,
      );
      const at = "x-ibm-configuration.assembly.execute[0].switch.case";
      expect(failure).toContain(`apis/bad.yaml:21: ${at}[0].condition: JavaScript syntax error at the end of the code: Unexpected token in "((request.verb==='GET')&&(api.operation.path==='/ping')"`);
      expect(failure).toContain(`apis/bad.yaml:26: ${at}[1].condition: JavaScript syntax error at line 1, column 18: Unexpected token in "request.verb === === 'GET'"`);
      expect(failure).not.toContain(`${at}[2]`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
