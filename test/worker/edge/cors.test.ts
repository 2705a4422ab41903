import { describe, expect, it } from "vitest";
import { gatewayFor } from "../gateway-helpers";

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
}

// OpenAPI 3 as API Connect v10 exports it, CORS on, one GET operation and a client-ID requirement.
const v10 = (enabled: string) => `openapi: 3.0.0
info: {title: Catalog, x-ibm-name: catalog, version: 1.0.0}
servers:
  - url: /catalog
x-ibm-configuration:
  type: rest
  phase: realized
  enforced: true
  testable: true
  gateway: datapower-api-gateway
${enabled}  assembly:
    execute:
      - invoke:
          version: 2.0.0
          title: invoke
          target-url: $(env.ORIGIN_URL)$(request.path)
paths:
  /items/{id}:
    get:
      operationId: getItem
      responses: {'200': {description: ok}}
    put:
      operationId: putItem
      responses: {'200': {description: ok}}
`;

const PREFLIGHT = { origin: "https://app.example", "access-control-request-method": "PUT", "access-control-request-headers": "content-type, x-trace" };

describe("CORS (x-ibm-configuration.cors)", () => {
  const on = gatewayFor({ "catalog.yaml": v10("  cors:\n    enabled: true\n") });
  const off = gatewayFor({ "catalog.yaml": v10("  cors:\n    enabled: false\n") });
  const absent = gatewayFor({ "catalog.yaml": v10("") });

  it("answers a preflight before operations: an undeclared OPTIONS is 200 with the path's verbs, not 405", async () => {
    const res = await on.fetch("/catalog/items/7", { method: "OPTIONS", headers: PREFLIGHT });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET,PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type, x-trace");
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Global-Transaction-ID");
    expect(res.headers.get("vary")).toBe("Origin");
  });

  it("a preflight for a path no operation declares is still 404", async () => {
    const res = await on.fetch("/catalog/nothing", { method: "OPTIONS", headers: PREFLIGHT });
    expect(res.status).toBe(404);
  });

  it("adds CORS headers to a cross-origin response, keeping what the origin received unchanged", async () => {
    const res = await on.fetch("/catalog/items/7", { headers: { origin: "https://app.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("x-echo")).toBe("1");
    const echo = (await res.json()) as Echo;
    expect(echo.path).toBe("/items/7");
    expect(echo.headers.origin).toBe("https://app.example");
  });

  it("adds them to the gateway's own error answers too (405 of an undeclared verb)", async () => {
    const res = await on.fetch("/catalog/items/7", { method: "DELETE", headers: { origin: "https://app.example" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  it("a same-origin request (no Origin) gets no CORS headers", async () => {
    const res = await on.fetch("/catalog/items/7");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  for (const [name, gw] of [["false", off], ["absent", absent]] as const) {
    it(`cors ${name}: no CORS headers, and the undeclared OPTIONS is API Connect's 405`, async () => {
      const pre = await gw.fetch("/catalog/items/7", { method: "OPTIONS", headers: PREFLIGHT });
      expect(pre.status).toBe(405);
      expect(pre.headers.get("access-control-allow-origin")).toBeNull();
      const res = await gw.fetch("/catalog/items/7", { headers: { origin: "https://app.example" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.headers.get("access-control-expose-headers")).toBeNull();
    });
  }

  it("v5 style (OpenAPI 2, no paths): the preflight allows the requested method; security does not run for it", async () => {
    const gw = gatewayFor({
      "v5.yaml": `swagger: "2.0"
info: {title: Legacy, x-ibm-name: legacy, version: 1.0.0}
basePath: /legacy
securityDefinitions:
  clientID: {type: apiKey, in: header, name: X-IBM-Client-Id}
security: [{clientID: []}]
x-ibm-configuration:
  cors: {enabled: true}
  assembly:
    execute:
      - invoke: {target-url: "$(env.ORIGIN_URL)/x"}
`,
    });
    const pre = await gw.fetch("/legacy/anything", { method: "OPTIONS", headers: { ...PREFLIGHT, "access-control-request-method": "POST" } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get("access-control-allow-methods")).toBe("POST");
    // The same path without preflight headers is a normal request: the client-ID requirement refuses it.
    const plain = await gw.fetch("/legacy/anything", { method: "OPTIONS", headers: { origin: "https://app.example" } });
    expect(plain.status).not.toBe(200);
    expect(plain.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  it("a misspelled key under cors fails the build", () => {
    expect(() => gatewayFor({ "c.yaml": v10("  cors:\n    enable: true\n") })).toThrow(/x-ibm-configuration\.cors\.enable: unknown property 'enable'; did you mean 'enabled'\?/);
  });
});
