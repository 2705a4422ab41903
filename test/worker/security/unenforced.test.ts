import { beforeAll, describe, expect, it } from "vitest";
import { captureLogs, compileInline, gatewayFor } from "../gateway-helpers";
import { ORDERS, registerApp } from "./helpers";

const CHECKS = {
  httpCode: "401",
  httpMessage: "Unauthorized",
  moreInformation: "Cannot pass the security checks that are required by the target API or operation, Enable debug headers for more details.",
};

describe("schemes the edge cannot enforce fail closed", () => {
  let app: Awaited<ReturnType<typeof registerApp>>;
  beforeAll(async () => {
    app = await registerApp("oauth client");
  });

  it("the build warns, naming the API, the operation and the scheme", () => {
    const { warnings, problems } = compileInline({ "orders.yaml": ORDERS });
    expect(problems).toEqual([]);
    expect(warnings).toContain(
      "orders.yaml:18: paths./oauth.get.security: API 'orders', operation GET /oauth (tokenOnly): security scheme 'oauth' (oauth2) cannot be enforced at the edge; its requests are refused (401) unless the Workers var UNENFORCED_SECURITY lists 'orders' (or '*')",
    );
    expect(warnings.some((w) => w.includes("operation GET /oauth-and-id:") && w.includes("'oauth' (oauth2)"))).toBe(true);
    // Operations that use only apiKey schemes get no warning.
    expect(warnings.filter((w) => w.includes("cannot be enforced"))).toHaveLength(2);
  });

  it("unacknowledged: an OAuth operation is refused with API Connect's 401, whatever the request carries", async () => {
    const gw = gatewayFor({ "orders.yaml": ORDERS }, { UNENFORCED_SECURITY: "inventory" });
    for (const headers of [{}, { Authorization: "Bearer anything" }, { "X-IBM-Client-Id": app.id }] as Record<string, string>[]) {
      const res = await gw.fetch("/orders/oauth", { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(CHECKS);
    }
    // OAuth AND a client ID: the client ID alone does not open it.
    const both = await gw.fetch("/orders/oauth-and-id", { headers: { "X-IBM-Client-Id": app.id } });
    expect(both.status).toBe(401);
  });

  it("acknowledged by name or '*': the operation runs, its apiKey part still enforced, and one warning per API is logged", async () => {
    for (const ack of ["orders", "inventory, orders", "*"]) {
      const gw = gatewayFor({ "orders.yaml": ORDERS, "other.yaml": ORDERS.replace("x-ibm-name: orders", "x-ibm-name: other").replace("basePath: /orders", "basePath: /other") }, { UNENFORCED_SECURITY: ack });
      const { result, lines } = await captureLogs(async () => {
        const open = await gw.fetch("/orders/oauth");
        const noId = await gw.fetch("/orders/oauth-and-id");
        const withId = await gw.fetch("/orders/oauth-and-id", { headers: { "X-IBM-Client-Id": app.id } });
        await gw.fetch("/orders/oauth");
        return [open.status, noId.status, withId.status];
      });
      expect(result, ack).toEqual([200, 401, 200]);
      const warnings = lines.filter((l) => l.includes('"level":"warn"'));
      const expected = ack === "*" ? ["orders", "other"] : ["orders"];
      expect(warnings.map((l) => (JSON.parse(l) as { api: string }).api).sort(), ack).toEqual(expected);
      expect(JSON.parse(warnings[0]!)).toMatchObject({
        level: "warn",
        message: "security scheme 'oauth' (oauth2) not enforced at the edge (acknowledged by UNENFORCED_SECURITY): requests that need only it run unchecked",
      });
    }
  });

  it("an API with no paths: its API-level security applies to every request", async () => {
    const def = `swagger: "2.0"
info: {title: Flat, x-ibm-name: flat, version: 1.0.0}
basePath: /flat
securityDefinitions:
  basicAuth: {type: basic, x-ibm-authentication-registry: ldap}
  id: {type: apiKey, in: header, name: X-IBM-Client-Id}
security: [{id: []}, {basicAuth: []}]
x-ibm-configuration:
  assembly:
    execute:
      - set-variable: {actions: [{set: message.body, value: "hi $(client.app.name)"}]}
`;
    const { warnings } = compileInline({ "flat.yaml": def });
    expect(warnings).toContain(
      "flat.yaml:7: security: API 'flat', every request (no paths): security scheme 'basicAuth' (basic) cannot be enforced at the edge; its requests are refused (401) unless the Workers var UNENFORCED_SECURITY lists 'flat' (or '*')",
    );
    const gw = gatewayFor({ "flat.yaml": def });
    const refused = await gw.fetch("/flat/anything", { headers: { Authorization: "Basic dTpw" } });
    expect(refused.status).toBe(401);
    // A requirement the edge can check is still an alternative: its client passes.
    const res = await gw.fetch("/flat/anything", { headers: { "X-IBM-Client-Id": app.id } });
    expect(await res.text()).toBe("hi oauth client");
  });

  it("build problems: an undefined scheme, a secret without an ID, a placement other than header or query, a typo in a scheme", () => {
    const def = (security: string, schemes = "") => `swagger: "2.0"
info: {title: Bad, x-ibm-name: bad, version: 1.0.0}
basePath: /bad
securityDefinitions:
  id: {type: apiKey, in: header, name: X-IBM-Client-Id}
  secret: {type: apiKey, in: header, name: X-IBM-Client-Secret}
${schemes}security: ${security}
x-ibm-configuration: {assembly: {execute: []}}
`;
    const messages = (text: string) => compileInline({ "bad.yaml": text }).problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages(def("[{nope: []}]"))).toEqual(["security[0].nope: security scheme 'nope' is not defined; defined: id, secret"]);
    expect(messages(def("[{secret: []}]"))).toEqual([
      "security[0]: a client secret is checked against a client ID's application: this requirement names a secret scheme but no client ID scheme",
    ]);
    expect(messages(def("[{c: []}]", "  c: {type: apiKey, in: cookie, name: id}\n"))).toEqual(['securityDefinitions.c.in: expected one of header, query, found "cookie"', "security[0].c: security scheme 'c' is not defined; defined: id, secret"]);
    expect(messages(def("[{id: []}]", "  t: {type: apiKey, in: header, nmae: X}\n"))[0]).toBe("securityDefinitions.t.nmae: unknown property 'nmae'; did you mean 'name'?");
    expect(messages(def("{id: []}"))).toEqual(["security: expected a list of security requirements ({SCHEME: []}), found an object"]);
  });
});
