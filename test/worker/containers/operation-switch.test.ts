import { describe, expect, it } from "vitest";
import { captureLogs, compileInline, gatewayFor } from "../gateway-helpers";

// As API Connect v10 exports it (DataPower API Gateway, policy version 2.0.0): cases by operationId,
// by {verb, path}, several operations per case, and an otherwise.
const orders = `swagger: "2.0"
info: {title: Orders, x-ibm-name: orders, version: 1.0.0}
basePath: /orders
paths:
  /:
    get: {operationId: listOrders, responses: {"200": {description: OK}}}
    post: {operationId: createOrder, responses: {"201": {description: Created}}}
  /{id}:
    get: {operationId: getOrder, responses: {"200": {description: OK}}}
    delete: {responses: {"204": {description: Deleted}}}
  /{id}/lines:
    get: {operationId: getLines, responses: {"200": {description: OK}}}
x-ibm-configuration:
  gateway: datapower-api-gateway
  assembly:
    execute:
      - operation-switch:
          version: 2.0.0
          title: route by operation
          case:
            - operations: [listOrders, getOrder]
              execute:
                - set-variable:
                    version: 2.0.0
                    actions: [{set: message.headers.x-branch, value: read}]
            - operations:
                - {verb: post, path: /}
                - {verb: DELETE, path: "/{id}"}
              execute:
                - set-variable:
                    version: 2.0.0
                    actions: [{set: message.headers.x-branch, value: write}]
          otherwise:
            - set-variable:
                version: 2.0.0
                actions: [{set: message.headers.x-branch, value: other}]
      - invoke:
          version: 2.0.0
          target-url: $(env.ORIGIN_URL)$(request.path)
`;

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
}

describe("operation-switch", () => {
  const gw = gatewayFor({ "orders.yaml": orders });
  const origin = async (path: string, init?: RequestInit) => {
    const res = await gw.fetch(path, init);
    expect(res.status).toBe(200);
    return (await res.json()) as Echo;
  };

  it("runs the case that lists the operation by operationId", async () => {
    expect((await origin("/orders")).headers["x-branch"]).toBe("read");
    const got = await origin("/orders/42");
    expect(got.headers["x-branch"]).toBe("read");
    expect(got.path).toBe("/42");
  });

  it("runs the case that lists the operation as {verb, path} (verb in any case)", async () => {
    expect((await origin("/orders", { method: "POST", body: "{}" })).headers["x-branch"]).toBe("write");
    const deleted = await origin("/orders/42", { method: "DELETE" });
    expect(deleted).toMatchObject({ method: "DELETE", path: "/42" });
    expect(deleted.headers["x-branch"]).toBe("write");
  });

  it("runs otherwise for an operation no case lists", async () => {
    expect((await origin("/orders/42/lines")).headers["x-branch"]).toBe("other");
  });

  it("accepts otherwise written as the last case entry, and runs nothing when there is none", async () => {
    const lastCase = orders.replace("          otherwise:\n", "            - otherwise:\n").replace(/\n {12}- set-variable:\n {16}version: 2.0.0\n {16}actions: \[\{set: message.headers.x-branch, value: other\}\]/, "\n                - set-variable:\n                    actions: [{set: message.headers.x-branch, value: other}]");
    const gw2 = gatewayFor({ "orders.yaml": lastCase });
    const res = await gw2.fetch("/orders/1/lines");
    expect(((await res.json()) as Echo).headers["x-branch"]).toBe("other");

    const none = orders.replace(/ {10}otherwise:\n(.*\n){3}/, "");
    const gw3 = gatewayFor({ "orders.yaml": none });
    const bare = (await (await gw3.fetch("/orders/1/lines")).json()) as Echo;
    expect(bare.headers["x-branch"]).toBeUndefined();
    expect(bare.path).toBe("/1/lines");
  });

  it("nests: a branch is an assembly like the top level (here a throw caught by the API's catch)", async () => {
    const nested = `swagger: "2.0"
info: {title: Nest, x-ibm-name: nest, version: 1.0.0}
basePath: /nest
paths:
  /a: {get: {operationId: a}}
  /b: {get: {operationId: b}}
x-ibm-configuration:
  assembly:
    execute:
      - operation-switch:
          case:
            - operations: [a]
              execute:
                - operation-switch:
                    case:
                      - operations: [{verb: get, path: /a}]
                        execute:
                          - throw: {name: NotHere, message: nested, error-status-code: 409}
    catch:
      - errors: [NotHere]
        execute:
          - set-variable: {actions: [{set: message.body, value: "caught $(error.name) from $(api.operation.id)"}]}
`;
    const gw4 = gatewayFor({ "nest.yaml": nested });
    const { result: a, lines } = await captureLogs(() => gw4.fetch("/nest/a"));
    expect(a.status).toBe(409);
    expect(await a.text()).toBe("caught NotHere from a");
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ level: "error", api: "nest", policy: "throw", error: "NotHere", message: "nested", caught: true }]);
    const b = await gw4.fetch("/nest/b");
    expect(b.status).toBe(200);
  });
});

describe("operation-switch: build problems", () => {
  const problems = (text: string) => compileInline({ "bad.yaml": text }).problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);

  it("names an operationId, path or verb that the definition does not declare", () => {
    const bad = orders
      .replace("[listOrders, getOrder]", "[listOrder, getOrder]")
      .replace("{verb: post, path: /}", "{verb: put, path: /}")
      .replace('{verb: DELETE, path: "/{id}"}', '{verb: DELETE, path: "/{orderId}"}');
    expect(problems(bad)).toEqual([
      "bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.case[0].operations[0]: no operation has operationId 'listOrder'; operationIds: listOrders, createOrder, getOrder, getLines",
      "bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.case[1].operations[0].verb: path '/' declares no PUT operation; it declares GET, POST",
      'bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.case[1].operations[1].path: no path the string "/{orderId}" under \'paths\'; paths: /, /{id}, /{id}/lines',
    ]);
  });

  it("validates a branch like the top level: unknown policies and misspelt keys, located inside the case", () => {
    const bad = orders.replace("      - operation-switch:\n          version", "      - operation-switch:\n          otherwize: []\n          version").replace("actions: [{set: message.headers.x-branch, value: read}]", "actoins: []");
    expect(problems(bad)).toEqual([
      "bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.otherwize: unknown property 'otherwize'; did you mean 'otherwise'?",
      expect.stringContaining("bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.case[0].execute[0].set-variable"),
    ]);
  });

  it("refuses operations when the definition declares no paths, and otherwise given twice", () => {
    const noPaths = `swagger: "2.0"
info: {title: X, x-ibm-name: x, version: 1.0.0}
basePath: /x
x-ibm-configuration:
  assembly:
    execute:
      - operation-switch:
          case:
            - operations: [getX]
              execute: []
            - otherwise: []
          otherwise: []
`;
    expect(problems(noPaths)).toEqual([
      "bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.otherwise: 'otherwise' is given twice (also at x-ibm-configuration.assembly.execute[0].operation-switch.case[1].otherwise)",
      "bad.yaml: x-ibm-configuration.assembly.execute[0].operation-switch.case[0].operations[0]: this case selects operations, but the definition declares none under 'paths'",
    ]);
  });
});
