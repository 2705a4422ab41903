import { describe, expect, it } from "vitest";
import { gatewayFor, testEnv } from "../gateway-helpers";

interface Echo {
  path: string;
  headers: Record<string, string>;
}

// As API Connect exports it: properties with defaults, and per-catalog overrides (plain values).
const orders = `swagger: "2.0"
info: {title: Orders, x-ibm-name: orders, version: 1.0.0}
basePath: /orders
x-ibm-configuration:
  properties:
    target-url:
      value: ${testEnv.ORIGIN_URL}/default
      description: The back end
    region:
      value: eu-west
  catalogs:
    sandbox:
      properties:
        target-url: ${testEnv.ORIGIN_URL}/sandbox
    production:
      properties:
        target-url: ${testEnv.ORIGIN_URL}/production
        region: us-east
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.headers.x-catalog, value: "$(api.catalog.name)"}
            - {set: message.headers.x-region, value: "$(region)|$(api.properties.region)"}
            - {set: message.headers.x-endpoint, value: "$(api.endpoint.address) $(api.endpoint.hostname) $(api.root)"}
      - invoke:
          target-url: $(target-url)$(request.path)
`;

describe("properties and catalogs (APIC_CATALOG)", () => {
  const call = async (catalog: string | undefined) => {
    const gw = gatewayFor({ "orders.yaml": orders }, catalog === undefined ? {} : { APIC_CATALOG: catalog });
    return (await (await gw.fetch("/orders/1")).json()) as Echo;
  };

  it("without APIC_CATALOG the properties' own values apply", async () => {
    const echo = await call(undefined);
    expect(echo.path).toBe("/default/1");
    expect(echo.headers["x-region"]).toBe("eu-west|eu-west");
    expect(echo.headers["x-catalog"]).toBe("");
  });

  it("a catalog's overrides replace the values it names and keep the others", async () => {
    const sandbox = await call("sandbox");
    expect(sandbox.path).toBe("/sandbox/1");
    expect(sandbox.headers["x-region"]).toBe("eu-west|eu-west");
    expect(sandbox.headers["x-catalog"]).toBe("sandbox");
    const production = await call("production");
    expect(production.path).toBe("/production/1");
    expect(production.headers["x-region"]).toBe("us-east|us-east");
  });

  it("a catalog the API does not list uses the defaults; its name is still api.catalog.name", async () => {
    const echo = await call("staging");
    expect(echo.path).toBe("/default/1");
    expect(echo.headers["x-catalog"]).toBe("staging");
  });

  it("api.endpoint.address, api.endpoint.hostname and api.root", async () => {
    expect((await call(undefined)).headers["x-endpoint"]).toBe("https://gateway.test gateway.test /orders");
  });

  it("a catalog entry that is not {properties} or a property that is an object fails the build", () => {
    const bad = orders.replace(`      properties:\n        target-url: ${testEnv.ORIGIN_URL}/sandbox`, "      propertes:\n        target-url: x");
    expect(() => gatewayFor({ "o.yaml": bad })).toThrow(/catalogs\.sandbox\.propertes: unknown property 'propertes'; did you mean 'properties'\?/);
    const obj = orders.replace(`        target-url: ${testEnv.ORIGIN_URL}/sandbox`, "        target-url: {value: x}");
    expect(() => gatewayFor({ "o.yaml": obj })).toThrow(/catalogs\.sandbox\.properties\.target-url: expected the property's value/);
  });
});
