import { describe, expect, it } from "vitest";
import { api, captureLogs, compileInline, gatewayFor } from "../gateway-helpers";

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

// v10 style (DataPower API Gateway), as exported: parse with the default settings reference, then a
// set-variable that reads members of the parsed body.
const parseV10 = (extraParse = "", after = "") => `openapi: 3.0.0
info: {title: Orders, x-ibm-name: orders, version: 2.0.0}
servers: [{url: /orders}]
x-ibm-configuration:
  gateway: datapower-api-gateway
  assembly:
    execute:
      - parse:
          version: 2.1.0
          title: parse
          parse-settings-reference:
            default: apic-default-parsesettings
${extraParse}      - set-variable:
          version: 2.0.0
          actions:
            - {set: message.headers.x-order-id, value: "$(message.body.order.id)", type: string}
            - {set: message.headers.x-first-line, value: "$(message.body.order.lines.0.sku)", type: string}
${after}paths:
  /:
    post: {operationId: createOrder, responses: {'200': {description: ok}}}
`;

describe("parse", () => {
  it("parses the request's JSON so later policies read message.body.a.b; the origin receives the same bytes", async () => {
    const gw = gatewayFor({ "o.yaml": parseV10("", "      - invoke: {target-url: \"$(env.ORIGIN_URL)/in\"}\n") });
    const sent = '{"order": {"id": 42, "lines": [{"sku": "A-1"}]}}';
    const res = await gw.fetch("/orders", { method: "POST", body: sent, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.headers["x-order-id"]).toBe("42");
    expect(echo.headers["x-first-line"]).toBe("A-1");
    expect(echo.body).toBe(sent);
  });

  it("parses the origin's response after invoke", async () => {
    const gw = gatewayFor({
      "p.yaml": api(
        "/p",
        `execute:
  - invoke: {target-url: "$(env.ORIGIN_URL)/from-origin"}
  - parse: {}
  - set-variable:
      actions:
        - {set: message.headers.x-seen-path, value: "$(message.body.path)"}
        - {set: message.headers.x-seen-method, value: "$(message.body.method)"}`,
      ),
    });
    const res = await gw.fetch("/p/x", { method: "PUT", body: "{}" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-seen-path")).toBe("/from-origin");
    expect(res.headers.get("x-seen-method")).toBe("PUT");
    expect(((await res.json()) as Echo).path).toBe("/from-origin");
  });

  it("a request body that is not JSON is a 400, the detail only in the log", async () => {
    const gw = gatewayFor({ "o.yaml": parseV10() });
    const { result, lines } = await captureLogs(() => gw.fetch("/orders", { method: "POST", body: '{"order": ' }));
    expect(result.status).toBe(400);
    expect(await result.json()).toEqual({ httpCode: "400", httpMessage: "Bad Request", moreInformation: "The message body is not valid JSON" });
    expect(lines.join("\n")).toMatch(/"policy":"parse","error":"RuntimeError","message":"parse: the body is not valid JSON \(SyntaxError\)"/);
  });

  it("XML is a clear error, not a silent pass: by Content-Type with use-content-type, and by content", async () => {
    const gw = gatewayFor({ "o.yaml": parseV10("          use-content-type: true\n") });
    const byType = await captureLogs(() => gw.fetch("/orders", { method: "POST", body: "{}", headers: { "content-type": "application/xml" } }));
    expect(byType.result.status).toBe(400);
    expect(byType.lines.join("\n")).toContain("Content-Type application/xml is XML, and parse reads JSON only at the edge");
    const byContent = await captureLogs(() => gw.fetch("/orders", { method: "POST", body: "<order id='1'/>" }));
    expect(byContent.result.status).toBe(400);
    expect(byContent.lines.join("\n")).toContain("the body is XML");
  });

  it("literal settings with document type xml fail the build; the settings object name is a warning", () => {
    const literal = `          parse-settings-reference:\n            literal: '{"ParseSettings": {"document_type": "xml"}}'\n`;
    const bad = compileInline({ "x.yaml": parseV10().replace("          parse-settings-reference:\n            default: apic-default-parsesettings\n", literal) });
    expect(bad.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "x-ibm-configuration.assembly.execute[0].parse.parse-settings-reference.literal: document type xml: parse reads JSON only at the edge (XML is not parsed; see docs/policies-edge.md)",
    ]);
    const ok = compileInline({ "x.yaml": parseV10() });
    expect(ok.problems).toEqual([]);
    expect(ok.warnings.join("\n")).toContain("parse-settings-reference.default: accepted but not applied at the edge");
  });

  it("an empty body fails unless warn-on-empty-input; output to another variable keeps message.body as it was", async () => {
    const empty = gatewayFor({ "o.yaml": parseV10() });
    const { result } = await captureLogs(() => empty.fetch("/orders", { method: "POST" }));
    expect(result.status).toBe(400);
    const tolerant = gatewayFor({ "o.yaml": parseV10("          warn-on-empty-input: true\n") });
    expect((await tolerant.fetch("/orders", { method: "POST" })).status).toBe(200);
    const toVar = gatewayFor({
      "v.yaml": api(
        "/v",
        `execute:
  - parse: {output: parsed}
  - set-variable:
      actions:
        - {set: message.headers.x-a, value: "$(parsed.body.a)"}
        - {set: message.headers.x-raw, value: "$(message.body.a)"}`,
      ),
    });
    const res = await toVar.fetch("/v", { method: "POST", body: '{"a": "b"}' });
    expect(res.headers.get("x-a")).toBe("b");
    expect(res.headers.get("x-raw")).toBe("");
  });

  it("a misspelled parse property fails the build with a hint", () => {
    const { problems } = compileInline({ "x.yaml": parseV10("          use-content-typ: true\n") });
    expect(problems.map((p) => p.message)).toEqual(["unknown property 'use-content-typ'; did you mean 'use-content-type'?"]);
  });
});

describe("activity-log and log", () => {
  // v5 style (DataPower Gateway, OpenAPI 2): activity-log first in the assembly, as the v5 editor puts it.
  const v5 = (content: string) =>
    api(
      "/v5",
      `execute:
  - activity-log:
      title: activity-log
      content: ${content}
      error-content: payload
  - invoke: {target-url: "$(env.ORIGIN_URL)/v5$(request.path)"}`,
    ).replace('info: {title: Test API, x-ibm-name: test-api, version: 2.1.0}', 'info: {title: Legacy, x-ibm-name: legacy, version: 1.0.0}');

  it("logs one line with API, verb and path — never headers, query or payload, even for content: payload", async () => {
    const { apis, problems, warnings } = compileInline({ "v5.yaml": v5("payload") });
    expect(problems).toEqual([]);
    expect(apis).toHaveLength(1);
    expect(warnings.join("\n")).toContain("activity-log.content: 'payload' is logged as 'activity' at the edge");
    expect(warnings.join("\n")).toContain("activity-log.error-content: accepted but not applied at the edge");
    const gw = gatewayFor({ "v5.yaml": v5("payload") });
    const logs: string[] = [];
    const original = console.log;
    console.log = (...a: unknown[]) => void logs.push(a.map(String).join(" "));
    let res: Response;
    try {
      res = await gw.fetch("/v5/items/1?apikey=s3cr3t-query", { method: "POST", body: "s3cr3t-body", headers: { authorization: "Bearer s3cr3t-token", "x-api-key": "s3cr3t-header" } });
    } finally {
      console.log = original;
    }
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).body).toBe("s3cr3t-body");
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0] as string)).toEqual({ level: "info", event: "activity", api: "legacy", verb: "POST", path: "/items/1", operation: "" });
    expect(logs.join("\n")).not.toMatch(/s3cr3t/);
  });

  it("content: none logs nothing", async () => {
    const gw = gatewayFor({ "v5.yaml": v5("none") });
    const logs: string[] = [];
    const original = console.log;
    console.log = (...a: unknown[]) => void logs.push(a.map(String).join(" "));
    try {
      expect((await gw.fetch("/v5/x")).status).toBe(200);
    } finally {
      console.log = original;
    }
    expect(logs).toEqual([]);
  });

  it("log (API Gateway analytics) is accepted with a warning naming it, and does nothing", async () => {
    const file = api("/l", `execute:\n  - log: {version: 2.1.0, title: log, mode: gather-only, log-level: default}\n  - invoke: {target-url: "$(env.ORIGIN_URL)/l"}`);
    const { problems, warnings } = compileInline({ "l.yaml": file });
    expect(problems).toEqual([]);
    expect(warnings.join("\n")).toMatch(/execute\[0\]\.log: policy 'log' does nothing at the edge/);
    expect((await gatewayFor({ "l.yaml": file }).fetch("/l")).status).toBe(200);
  });
});
