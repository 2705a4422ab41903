import { describe, expect, it } from "vitest";
import { api, gatewayFor, testEnv } from "../gateway-helpers";

/** An API whose response body is the JSON of the given variable references. */
function reflect(vars: string[], extra = "") {
  const fields = vars.map((v) => `"${v}":"$(${v})"`).join(",");
  return gatewayFor(
    {
      "vars.yaml": api(
        "/vars",
        `execute:
  - set-variable:
      actions:
        - set: message.body
          value: '{${fields}}'`,
        extra,
      ),
    },
    { GREETING: "hello from a var", NOT_A_STRING: { nested: true } },
  );
}

describe("runtime variables", () => {
  it("reads the request: headers (any case), parameters, path, verb, uri", async () => {
    const gw = reflect(["request.headers.x-trace-id", "request.headers.X-TRACE-ID", "request.parameters.page", "request.path", "request.verb", "request.uri", "request.search"]);
    const res = await gw.fetch("/vars/orders/9?page=3&q=a", { method: "PUT", headers: { "X-Trace-Id": "abc" }, body: "x" });
    expect(await res.json()).toEqual({
      "request.headers.x-trace-id": "abc",
      "request.headers.X-TRACE-ID": "abc",
      "request.parameters.page": "3",
      "request.path": "/orders/9",
      "request.verb": "PUT",
      "request.uri": "https://gateway.test/vars/orders/9?page=3&q=a",
      "request.search": "?page=3&q=a",
    });
  });

  it("reads the API: name, version, basepath, properties in long and short form", async () => {
    const gw = reflect(["api.name", "api.version", "api.basepath", "api.properties.region", "region"], `  properties:\n    region:\n      value: eu-west\n`);
    expect(await (await gw.fetch("/vars")).json()).toEqual({
      "api.name": "test-api",
      "api.version": "2.1.0",
      "api.basepath": "/vars",
      "api.properties.region": "eu-west",
      region: "eu-west",
    });
  });

  it("reads message headers, status code and reason", async () => {
    const gw = reflect(["message.headers.accept", "message.status.code", "message.status.reason"]);
    const res = await gw.fetch("/vars", { headers: { Accept: "text/csv" } });
    expect(await res.json()).toEqual({ "message.headers.accept": "text/csv", "message.status.code": "200", "message.status.reason": "OK" });
  });

  it("reads env.NAME only for string bindings", async () => {
    const gw = reflect(["env.GREETING", "env.NOT_A_STRING", "env.CRYPTO_OBJECTS", "env.MISSING"]);
    expect(await (await gw.fetch("/vars")).json()).toEqual({ "env.GREETING": "hello from a var", "env.NOT_A_STRING": "", "env.CRYPTO_OBJECTS": "", "env.MISSING": "" });
    expect(testEnv.CRYPTO_OBJECTS).toBeDefined();
  });

  it("resolves an undefined variable to the empty string", async () => {
    const gw = reflect(["no.such.variable", "request.headers.absent"]);
    expect(await (await gw.fetch("/vars")).json()).toEqual({ "no.such.variable": "", "request.headers.absent": "" });
  });

  it("keeps literal text around references and leaves text without $( ) alone", async () => {
    const gw = gatewayFor({
      "t.yaml": api(
        "/t",
        `execute:
  - set-variable:
      actions:
        - set: who
          value: world
        - set: message.body
          value: 'a $(who) b $(who)$(who) c $ (who) $who'`,
      ),
    });
    expect(await (await gw.fetch("/t")).text()).toBe("a world b worldworld c $ (who) $who");
  });

  it("message.body set by a policy is readable back", async () => {
    const gw = gatewayFor({
      "b.yaml": api(
        "/b",
        `execute:
  - set-variable:
      actions:
        - {set: message.body, value: first}
        - {set: message.body, value: '$(message.body)+second'}`,
      ),
    });
    expect(await (await gw.fetch("/b")).text()).toBe("first+second");
  });
});

describe("header variables with names that are not header names", () => {
  it("resolve to the empty string instead of failing", async () => {
    const gw = gatewayFor({
      "h.yaml": api("/h", `execute:\n  - set-variable:\n      actions:\n        - {set: message.body, value: '[$(request.headers.a b)][$(message.headers.x@y z)]'}`),
    });
    const res = await gw.fetch("/h");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("[][]");
  });
});

describe("members of object variables", () => {
  it("reads `name.member.member` inside an object a variable holds, never a prototype's member", async () => {
    const gw = gatewayFor({
      "m.yaml": api(
        "/m",
        `execute:
  - set-variable:
      actions:
        - {set: decoded.claims, value: {sub: alice, groups: [admin, ops], nested: {deep: 1}}}
        - {set: message.body, value: "$(decoded.claims.sub)|$(decoded.claims.groups.1)|$(decoded.claims.nested.deep)|$(decoded.claims.constructor)|$(decoded.claims.missing.x)|$(decoded.claims.sub.length)"}`,
      ),
    });
    expect(await (await gw.fetch("/m")).text()).toBe("alice|ops|1|||");
  });
});
