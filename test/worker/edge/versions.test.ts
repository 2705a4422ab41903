import { describe, expect, it } from "vitest";
import { compileInline, gatewayFor } from "../gateway-helpers";
import { compareVersions } from "../../../src/config/versions";

interface Echo {
  path: string;
}

// One file per version, as API Connect exports them: v1 in OpenAPI 2, v2 in OpenAPI 3, one base path.
const v1 = (name = "orders", version = "1.9.0") => `swagger: "2.0"
info: {title: Orders, x-ibm-name: ${name}, version: ${version}}
basePath: /orders
x-ibm-configuration:
  assembly:
    execute:
      - invoke: {target-url: "$(env.ORIGIN_URL)/v1$(request.path)"}
`;
const v2 = `openapi: 3.0.0
info: {title: Orders, x-ibm-name: orders, version: 1.10.0}
servers: [{url: /orders}]
x-ibm-configuration:
  gateway: datapower-api-gateway
  assembly:
    execute:
      - invoke: {target-url: "$(env.ORIGIN_URL)/v2$(request.path)", version: 2.0.0}
`;

describe("versions of one API on one base path", () => {
  it("the highest info.version is served, whatever the file order; the build warns naming the other", async () => {
    for (const files of [{ "orders-1.9.0.yaml": v1(), "orders-1.10.0.yaml": v2 }, { "orders-1.10.0.yaml": v2, "orders-1.9.0.yaml": v1() }]) {
      const { apis, problems, warnings } = compileInline(files);
      expect(problems).toEqual([]);
      expect(apis.map((a) => `${a.name} ${a.version}`)).toEqual(["orders 1.10.0"]);
      expect(warnings).toContain(
        "orders-1.9.0.yaml: orders 1.9.0 is not served: orders-1.10.0.yaml is version 1.10.0 of the same API on the same base path '/orders', and the highest version is served (remove the file you do not want, or give it its own base path)",
      );
      const res = await gatewayFor(files).fetch("/orders/7");
      expect(((await res.json()) as Echo).path).toBe("/v2/7");
    }
  });

  it("two different APIs, or the same version twice, on one base path still fail the build", () => {
    expect(compileInline({ "a.yaml": v1("orders"), "b.yaml": v1("billing", "2.0.0") }).problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      "b.yaml: base path '/orders' is already used by a.yaml",
    ]);
    expect(compileInline({ "a.yaml": v1(), "b.yaml": v1() }).problems.map((p) => `${p.file}: ${p.message}`)).toEqual(["b.yaml: base path '/orders' is already used by a.yaml"]);
  });

  it("versions compare part by part, numerically; a pre-release comes before its release", () => {
    expect(compareVersions("1.10.0", "1.9.0")).toBe(1);
    expect(compareVersions("2.0.0-beta", "2.0.0")).toBe(-1);
    expect(compareVersions("2.0", "2.0.0")).toBe(0);
    expect(compareVersions("1.0.0", "1.0.1")).toBe(-1);
  });
});
