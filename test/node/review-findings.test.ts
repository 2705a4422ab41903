/**
 * Review findings that need the real build and bundle (Miniflare/workerd over an HTTP port):
 * each test failed before its fix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/run-worker";

let worker: RunningWorker;

const PROTO_API = `swagger: "2.0"
info: {title: Proto, x-ibm-name: proto, version: 1.0.0}
basePath: /proto
x-ibm-configuration:
  properties:
    __proto__: {value: from-the-definition}
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.body, value: "[$(api.properties.__proto__)]"}
`;

const NO_INVOKE_API = `swagger: "2.0"
info: {title: Empty, x-ibm-name: empty, version: 1.0.0}
basePath: /empty
x-ibm-configuration:
  assembly:
    execute: []
`;

const MESSAGE_VARIABLE_API = `swagger: "2.0"
info: {title: Msg, x-ibm-name: msg, version: 1.0.0}
basePath: /msg
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.foo, value: kept}
            - {set: message.body, value: "foo=$(message.foo)"}
`;

const PASS_API = `swagger: "2.0"
info: {title: Pass, x-ibm-name: pass, version: 1.0.0}
basePath: /pass
x-ibm-configuration:
  assembly:
    execute:
      - invoke: {target-url: "$(env.ORIGIN_URL)$(request.path)"}
`;

beforeAll(async () => {
  worker = await startWorker({
    apis: { "proto.yaml": PROTO_API, "empty.yaml": NO_INVOKE_API, "msg.yaml": MESSAGE_VARIABLE_API, "pass.yaml": PASS_API },
  });
}, 60_000);
afterAll(() => worker?.stop());

describe("review findings", () => {
  it("a __proto__ key means in the bundle what the build checked (an own member, not a prototype)", async () => {
    const res = await worker.fetch("/proto/x");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("[from-the-definition]");
  });

  it("set-variable of message.foo can be read back", async () => {
    const res = await worker.fetch("/msg/x");
    expect(await res.text()).toBe("foo=kept");
  });

  it("an assembly without invoke answers a POST with the request body as the response body", async () => {
    const res = await worker.fetch("/empty/x", { method: "POST", body: '{"hello":"edge"}', headers: { "content-type": "application/json" } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toBe('{"hello":"edge"}');
  });

  it("a ..; path segment (a traversal for Tomcat-style origins) is refused with 400 and never reaches the origin", async () => {
    for (const path of ["/pass/a/..;/admin", "/pass/a/%2e%2e;/admin", "/pass/..;jsessionid=1/admin", "/pass/a/.;/b"]) {
      const res = await worker.fetch(path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ httpCode: "400", httpMessage: "Bad Request", moreInformation: "Invalid request path" });
    }
    // An ordinary path with ';' still passes.
    const ok = await worker.fetch("/pass/a;v=1/b");
    expect(ok.status).toBe(200);
  });
});
