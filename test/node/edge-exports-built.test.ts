/**
 * CORS, catalogs, parse, invoke's properties, activity-log, proxy and versions through the real built worker
 * (build step, esbuild bundle, workerd), with definitions written as API Connect exports them: v10 OpenAPI 3
 * for the DataPower API Gateway, and v5 OpenAPI 2 for the DataPower Gateway (v5 compatible).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Server } from "node:http";
import { portOf, startEchoOrigin } from "../../scripts/echo-origin";
import { startWorker, type RunningWorker } from "../support/run-worker";

const ORDERS_V10 = `openapi: 3.0.3
info:
  title: Orders
  x-ibm-name: orders
  version: 2.0.0
servers:
  - url: https://api.example.com/orders
paths:
  /:
    post: {operationId: createOrder, responses: {"201": {description: Created}}}
  /{id}:
    get: {operationId: getOrder, responses: {"200": {description: OK}}}
x-ibm-configuration:
  type: rest
  phase: realized
  enforced: true
  testable: true
  cors:
    enabled: true
  gateway: datapower-api-gateway
  properties:
    target-url:
      value: http://127.0.0.1:9/unreachable
      description: The back end
  catalogs:
    production:
      properties:
        target-url: $ORIGIN
  assembly:
    execute:
      - parse:
          version: 2.1.0
          title: parse
          parse-settings-reference:
            default: apic-default-parsesettings
      - set-variable:
          version: 2.0.0
          title: set-variable
          actions:
            - {set: message.headers.x-customer, value: $(message.body.customer.id), type: string}
            - {set: message.headers.x-catalog, value: $(api.catalog.name), type: string}
      - invoke:
          version: 2.3.0
          title: invoke
          backend-type: detect
          header-control:
            type: blocklist
            values: ['^X-Internal-']
          parameter-control:
            type: allowlist
            values: ['^expand$']
          timeout: 60
          verb: keep
          chunked-uploads: true
          persistent-connection: true
          cache-response: protocol
          cache-putpost-response: false
          cache-ttl: 900
          stop-on-error: [ConnectionError]
          target-url: $(target-url)$(request.path)
          inject-proxy-headers: true
          decompress: false
`;

const LEGACY_V5 = `swagger: "2.0"
info:
  title: Legacy
  x-ibm-name: legacy
  version: 1.0.0
schemes: [https]
basePath: /legacy
consumes: [application/json]
produces: [application/json]
paths:
  /ping:
    get:
      responses:
        "200": {description: OK}
x-ibm-configuration:
  enforced: true
  testable: true
  phase: realized
  cors:
    enabled: true
  assembly:
    execute:
      - activity-log:
          title: activity-log
          content: activity
          error-content: payload
      - proxy:
          title: proxy
          timeout: 60
          verb: keep
          cache-response: protocol
          cache-ttl: 900
          target-url: $ORIGIN/legacy$(request.path)
`;

const inventory = (version: string, tag: string) => `swagger: "2.0"
info: {title: Inventory, x-ibm-name: inventory, version: ${version}}
basePath: /inventory
x-ibm-configuration:
  assembly:
    execute:
      - set-variable: {actions: [{set: message.body, value: "${tag}"}]}
`;

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

describe("API Connect exports through the built worker: CORS, catalogs, parse, invoke, activity-log, proxy, versions", () => {
  let w: RunningWorker;
  let server: Server;
  beforeAll(async () => {
    // Catalog property values are used as written (no $(…) inside them), so the definitions name the origin's
    // address: start it first, then the worker with it as ORIGIN_URL (run-worker then starts no origin of its own).
    server = await startEchoOrigin();
    const own = `http://127.0.0.1:${portOf(server)}`;
    w = await startWorker({
      apis: {
        "orders_2.0.0.yaml": ORDERS_V10.replace("$ORIGIN", own),
        "legacy_1.0.0.yaml": LEGACY_V5.replace("$ORIGIN", own),
        "inventory_1.2.0.yaml": inventory("1.2.0", "one-two"),
        "inventory_1.10.0.yaml": inventory("1.10.0", "one-ten"),
      },
      bindings: { APIC_CATALOG: "production", ORIGIN_URL: own },
    });
  });
  afterAll(async () => {
    await w?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("v10: the catalog's target-url, parse into data, header and parameter control, proxy headers, CORS", async () => {
    const res = await w.fetch("/orders/?expand=lines&debug=1", {
      method: "POST",
      body: '{"customer": {"id": "c-7"}}',
      headers: { "content-type": "application/json", origin: "https://shop.example", "x-internal-trace": "t", "x-keep": "k" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    const echo = (await res.json()) as Echo;
    expect(echo.path).toBe("/?expand=lines");
    expect(echo.body).toBe('{"customer": {"id": "c-7"}}');
    expect(echo.headers["x-customer"]).toBe("c-7");
    expect(echo.headers["x-catalog"]).toBe("production");
    expect(echo.headers["x-internal-trace"]).toBeUndefined();
    expect(echo.headers["x-keep"]).toBe("k");
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
  });

  it("v10: a preflight for an operation that declares no OPTIONS is answered, not 405", async () => {
    const res = await w.fetch("/orders/42", { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "GET" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET");
  });

  it("v5: proxy forwards, activity-log logs the request without its secrets", async () => {
    const res = await w.fetch("/legacy/ping?token=s3cr3t", { headers: { authorization: "Bearer s3cr3t" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).path).toBe("/legacy/ping");
    await new Promise((r) => setTimeout(r, 100));
    const activity = w.logs.filter((l) => l.includes('"event":"activity"'));
    expect(activity.map((l) => JSON.parse(l.slice(l.indexOf("{"))))).toContainEqual({ level: "info", event: "activity", api: "legacy", verb: "GET", path: "/ping", operation: "/ping" });
    expect(w.logs.join("\n")).not.toContain("s3cr3t");
  });

  it("two versions of one API on one base path: the highest is served", async () => {
    expect(await (await w.fetch("/inventory")).text()).toBe("one-ten");
    expect(w.logs.join("\n")).toContain("apis/inventory_1.2.0.yaml: inventory 1.2.0 is not served: apis/inventory_1.10.0.yaml is version 1.10.0");
  });
});
