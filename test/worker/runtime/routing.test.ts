import { describe, expect, it } from "vitest";
import { api, gatewayFor } from "../gateway-helpers";

const body = (name: string) => `execute:
  - set-variable:
      actions:
        - set: message.body
          value: '{"api":"${name}","path":"$(request.path)"}'`;

const openapi3 = (url: string) => `openapi: 3.0.3
info: {title: Three, x-ibm-name: three, version: 1.0.0}
servers:
  - url: ${url}
paths: {}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - set: message.body
              value: '{"api":"three","path":"$(request.path)"}'
`;

describe("routing by base path", () => {
  const gw = gatewayFor({
    "two.yaml": api("/v2", body("two")),
    "nested.yaml": api("/v2/admin", body("nested")),
    "three.yaml": openapi3("https://api.example.com/v3/orders"),
  });

  it("routes an OpenAPI 2 basePath and gives the rest as request.path", async () => {
    const res = await gw.fetch("/v2/items/7?x=1");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ api: "two", path: "/items/7" });
  });

  it("routes the path of an OpenAPI 3 servers[0].url", async () => {
    const res = await gw.fetch("/v3/orders/42");
    expect(await res.json()).toEqual({ api: "three", path: "/42" });
  });

  it("prefers the longest base path", async () => {
    expect(await (await gw.fetch("/v2/admin/users")).json()).toEqual({ api: "nested", path: "/users" });
  });

  it("matches the base path itself, with an empty request.path", async () => {
    expect(await (await gw.fetch("/v2")).json()).toEqual({ api: "two", path: "" });
  });

  it("does not match a base path in the middle of a segment", async () => {
    const res = await gw.fetch("/v2x/items");
    expect(res.status).toBe(404);
  });

  it("answers an unmatched path with 404 in API Connect's shape", async () => {
    const res = await gw.fetch("/nowhere");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ httpCode: "404", httpMessage: "Not Found", moreInformation: "No resources match requested URI" });
  });

  it("routes OpenAPI 3 with a relative server url", async () => {
    const g = gatewayFor({ "rel.yaml": openapi3("/rel") });
    expect(await (await g.fetch("/rel/a")).json()).toEqual({ api: "three", path: "/a" });
  });
});
