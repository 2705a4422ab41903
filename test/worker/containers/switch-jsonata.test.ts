import { describe, expect, it } from "vitest";
import { captureLogs, compileInline, gatewayFor } from "../gateway-helpers";

// A DataPower API Gateway API (gateway: datapower-api-gateway) as API Connect v10 exports it:
// switch conditions in JSONata with API Connect's functions and context variables by name.
const header = (title: string, extra = "") => `swagger: "2.0"
info: {title: ${title}, x-ibm-name: ${title.toLowerCase()}, version: 1.0.0}
basePath: /${title.toLowerCase()}
schemes: [https]
paths:
  /items/{itemId}:
    get: {operationId: getItem, responses: {"200": {description: OK}}}
    post: {operationId: addItem, responses: {"200": {description: OK}}}
  /ping:
    get: {operationId: ping, responses: {"200": {description: OK}}}
x-ibm-configuration:
  type: rest
  phase: realized
  enforced: true
  testable: true
  gateway: datapower-api-gateway
  properties:
    myApi: {value: summary, description: which view}
${extra}  assembly:
    execute:
`;

/** A switch whose case `i` sets `x-case: i`; the body names the case that ran (or `otherwise`). */
function switchApi(title: string, conditions: string[], before = "", extra = ""): string {
  const cases = conditions
    .map(
      (c, i) => `            - condition: ${JSON.stringify(c)}
              execute:
                - set-variable:
                    version: 2.0.0
                    title: case ${i}
                    actions: [{set: message.body, value: "case ${i}", type: string}]`,
    )
    .join("\n");
  return `${header(title, extra)}${before}      - switch:
          version: 2.0.0
          title: switch
          case:
${cases}
            - otherwise:
                - set-variable:
                    version: 2.0.0
                    actions: [{set: message.body, value: otherwise, type: string}]
`;
}

async function ran(gw: ReturnType<typeof gatewayFor>, path: string, init?: RequestInit): Promise<string> {
  const res = await gw.fetch(path, init);
  expect(res.status).toBe(200);
  return res.text();
}

describe("switch with JSONata conditions (datapower-api-gateway)", () => {
  it("$httpVerb(), $operationPath(), $operationID()", async () => {
    const gw = gatewayFor({
      "a.yaml": switchApi("Ops", ["$httpVerb() = 'POST'", "$operationPath() = '/ping'", "$operationID() = 'getItem' and $httpVerb() = 'GET'"]),
    });
    expect(await ran(gw, "/ops/items/1", { method: "POST" })).toBe("case 0");
    expect(await ran(gw, "/ops/ping")).toBe("case 1");
    expect(await ran(gw, "/ops/items/1")).toBe("case 2");
  });

  it("$header(name) is case-insensitive; $queryParameter(name) reads the query only; $urlParameter(name) path then query", async () => {
    const gw = gatewayFor({
      "a.yaml": switchApi("Params", ["$header('X-Region') = 'eu'", "$queryParameter('itemId') = 'q'", "$urlParameter('itemId') = '7'", "$urlParameter('mode') = 'fast'"]),
    });
    expect(await ran(gw, "/params/items/1", { headers: { "x-region": "eu" } })).toBe("case 0");
    expect(await ran(gw, "/params/items/1?itemId=q")).toBe("case 1");
    expect(await ran(gw, "/params/items/7?itemId=q2")).toBe("case 2");
    expect(await ran(gw, "/params/ping?mode=fast")).toBe("case 3");
    expect(await ran(gw, "/params/ping")).toBe("otherwise");
  });

  it("$statusCode() and $apiCtx() read the message and the context", async () => {
    const before = `      - set-variable:
          version: 2.0.0
          actions: [{set: message.status.code, value: "202", type: number}]
`;
    const gw = gatewayFor({ "a.yaml": switchApi("Status", ["$statusCode() = 201", "$apiCtx().request.verb = 'DELETE'", "$statusCode() = 202 and $apiCtx().api.operation.id = 'ping'"], before) });
    const res = await gw.fetch("/status/ping");
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("case 2");
  });

  it("context variables by name: message.body as JSON (the streamed request body, still sent on), plan.name, an API property", async () => {
    const before = `      - set-variable:
          version: 2.0.0
          actions: [{set: plan.name, value: "$(request.headers.x-plan)", type: string}]
`;
    const gw = gatewayFor({
      "a.yaml": switchApi("Vars", ['message.body.metadata.code = "TEST"', 'plan.name = "default-plan"', "myApi = 'summary' and $contains($lowercase($header('x-flag')), 'yes')"], before),
    });
    expect(await ran(gw, "/vars/items/1", { method: "POST", body: JSON.stringify({ metadata: { code: "TEST" } }), headers: { "content-type": "application/json" } })).toBe("case 0");
    expect(await ran(gw, "/vars/items/1", { method: "POST", body: JSON.stringify({ metadata: { code: "PROD" } }), headers: { "x-plan": "default-plan" } })).toBe("case 1");
    expect(await ran(gw, "/vars/ping", { headers: { "x-flag": "YES please" } })).toBe("case 2");
    expect(await ran(gw, "/vars/ping")).toBe("otherwise");
  });

  it("a condition that reads message.body leaves the body for the origin", async () => {
    const api = `${header("Forward")}      - switch:
          version: 2.0.0
          case:
            - condition: message.body.kind = 'order'
              execute:
                - set-variable: {actions: [{set: message.headers.x-kind, value: order}]}
      - invoke:
          version: 2.0.0
          target-url: $(env.ORIGIN_URL)$(request.path)
`;
    const gw = gatewayFor({ "a.yaml": api });
    const sent = JSON.stringify({ kind: "order", lines: [1, 2] });
    const res = await gw.fetch("/forward/items/3", { method: "POST", body: sent, headers: { "content-type": "application/json" } });
    const echo = (await res.json()) as { method: string; path: string; body: string; headers: Record<string, string> };
    expect(echo).toMatchObject({ method: "POST", path: "/items/3", body: sent });
    expect(echo.headers["x-kind"]).toBe("order");
  });

  it("after parse, a condition reads the data parse made (the same as message.body.x in a template)", async () => {
    const before = `      - parse:
          version: 2.0.0
          use-content-type: false
`;
    const gw = gatewayFor({ "a.yaml": switchApi("Parsed", ["message.body.order.id = 9 and $count(message.body.order.lines) = 2"], before) });
    expect(await ran(gw, "/parsed/items/1", { method: "POST", body: '{"order":{"id":9,"lines":["a","b"]}}', headers: { "content-type": "application/json" } })).toBe("case 0");
    expect(await ran(gw, "/parsed/items/1", { method: "POST", body: '{"order":{"id":9,"lines":["a"]}}', headers: { "content-type": "application/json" } })).toBe("otherwise");
  });

  it("paths with predicates navigate the body's data (relative names inside the filter are not context variables)", async () => {
    const before = `      - set-variable:
          actions: [{set: price, value: "1000", type: number}]
`;
    const gw = gatewayFor({ "a.yaml": switchApi("Filter", ["message.body.items[price > 5].sku = 'b'"], before) });
    const items = (skus: [string, number][]) => JSON.stringify({ items: skus.map(([sku, price]) => ({ sku, price })) });
    expect(await ran(gw, "/filter/items/1", { method: "POST", body: items([["a", 1], ["b", 9]]) })).toBe("case 0");
    expect(await ran(gw, "/filter/items/1", { method: "POST", body: items([["a", 9], ["b", 1]]) })).toBe("otherwise");
  });

  it("if runs its execute only when the condition holds; containers nest", async () => {
    const api = `${header("Iffy")}      - if:
          version: 2.0.0
          title: only for pings
          condition: $operationID() = 'ping'
          execute:
            - set-variable:
                version: 2.0.0
                actions: [{set: message.body, value: pong}]
            - if:
                condition: $queryParameter('loud') = 'true'
                execute:
                  - set-variable: {actions: [{set: message.body, value: PONG}]}
`;
    const gw = gatewayFor({ "a.yaml": api });
    expect(await ran(gw, "/iffy/ping")).toBe("pong");
    expect(await ran(gw, "/iffy/ping?loud=true")).toBe("PONG");
    const other = await gw.fetch("/iffy/items/1");
    expect(other.status).toBe(200);
    expect(await other.text()).toBe("");
  });

  it("a case may name operations instead of a condition (v5 exports)", async () => {
    const api = `${header("ByOp")}      - switch:
          case:
            - operations: [ping]
              execute:
                - set-variable: {actions: [{set: message.body, value: by-operation}]}
            - condition: "true"
              execute:
                - set-variable: {actions: [{set: message.body, value: by-condition}]}
`;
    const gw = gatewayFor({ "a.yaml": api });
    expect(await ran(gw, "/byop/ping")).toBe("by-operation");
    expect(await ran(gw, "/byop/items/2")).toBe("by-condition");
  });

  it("an evaluation error is a RuntimeError whose log names the JSONata code, never the request's data", async () => {
    const gw = gatewayFor({ "a.yaml": switchApi("Err", ["$number($header('x-n')) > 1"]) });
    const { result: res, lines } = await captureLogs(() => gw.fetch("/err/ping", { headers: { "x-n": "secret-abc" } }));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Internal Server Error" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: "error",
      api: "err",
      policy: "switch",
      error: "RuntimeError",
      message: "condition failed to evaluate (JSONata D3030) at x-ibm-configuration.assembly.execute[0].switch.case[0].condition",
      caught: false,
    });
    expect(lines[0]).not.toContain("secret-abc");
  });
});

describe("JSONata conditions: build problems name file, path and expression", () => {
  const problems = (text: string) => compileInline({ "bad.yaml": text }).problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);
  const at = "bad.yaml: x-ibm-configuration.assembly.execute[0].switch.case";

  it("a syntax error", () => {
    expect(problems(switchApi("Bad", ["$httpVerb() = "]))).toEqual([`${at}[0].condition: JSONata syntax error at character 14: Unexpected end of expression (S0207) in "$httpVerb() = "`]);
  });

  it("functions API Connect does not offer, and names that are no function at all", () => {
    expect(problems(switchApi("Bad", ["$eval('1') = 1", "$xpath(message.body, '/a') = 'x'", "$storageType(message.body) = 'json'", "$operationId() = 'x'"]))).toEqual([
      `${at}[0].condition: unsupported function $eval() at character 5: API Connect does not support $eval(); in "$eval('1') = 1"`,
      `${at}[1].condition: unsupported function $xpath() at character 6: $xpath() works on XML messages, which the edge gateway does not parse; in "$xpath(message.body, '/a') = 'x'"`,
      `${at}[2].condition: unsupported function $storageType() at character 12: $storageType() reports DataPower's internal storage of a message, which the edge gateway does not have; in "$storageType(message.body) = 'json'"`,
      `${at}[3].condition: unsupported function $operationId() at character 12: not a JSONata function nor one of API Connect's; in "$operationId() = 'x'"`,
    ]);
  });

  it("an empty condition and a misspelt key", () => {
    const text = switchApi("Bad", [""]).replace("            - condition:", "            - conditon: x\n              condition:");
    expect(problems(text)).toEqual([
      `${at}[0].conditon: unknown property 'conditon'; did you mean 'condition'?`,
      `${at}[0].condition: expected a condition (a JSONata expression), found an empty string`,
    ]);
  });
});

describe("v5 JavaScript conditions without the build step", () => {
  it("substitutes $(name) outside and inside quoted strings", async () => {
    const { substituteReferences } = await import("../../../src/conditions/javascript");
    expect(substituteReferences("$(message.status.code) == '200'")).toBe(`$("message.status.code") == '200'`);
    expect(substituteReferences(`'$(request.headers.x-tier)' === "a$( b )c" && \`t$(x)\``)).toBe(`'' + $("request.headers.x-tier") + '' === "a" + $("b") + "c" && \`t\${$("x")}\``);
    expect(substituteReferences(`'it\\'s $(x)'`)).toBe(`'it\\'s ' + $("x") + ''`);
  });

  it("compiled inside the worker at run time (no build), a JavaScript condition is a build problem that says to build", () => {
    const text = switchApi("Js", ["request.verb === 'GET'"]).replace("  gateway: datapower-api-gateway\n", "  gateway: datapower-gateway\n");
    expect(compileInline({ "v5.yaml": text }).problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "x-ibm-configuration.assembly.execute[0].switch.case[0].condition: this code was not compiled into the bundle: run `npm run build:apis` (wrangler does it before dev and deploy) in \"request.verb === 'GET'\"",
    ]);
  });
});
