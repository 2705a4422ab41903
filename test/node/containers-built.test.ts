/**
 * operation-switch, switch and if through the real built worker (build step, esbuild bundle with
 * jsonata's minified build, workerd): an OpenAPI 3 definition as API Connect v10 exports it for the
 * DataPower API Gateway, and what the origin receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/run-worker";

const STORE = `openapi: 3.0.3
info:
  title: Store
  x-ibm-name: store
  version: 2.0.0
servers:
  - url: https://api.example.com/store
paths:
  /orders:
    get: {operationId: listOrders, responses: {"200": {description: OK}}}
    post: {operationId: createOrder, responses: {"201": {description: Created}}}
  /orders/{orderId}:
    parameters:
      - {name: orderId, in: path, required: true, schema: {type: string}}
    get: {operationId: getOrder, responses: {"200": {description: OK}}}
  /health:
    get: {operationId: health, responses: {"200": {description: OK}}}
x-ibm-configuration:
  type: rest
  phase: realized
  enforced: true
  testable: true
  cors: {enabled: false}
  gateway: datapower-api-gateway
  properties:
    region: {value: eu}
  assembly:
    execute:
      - operation-switch:
          version: 2.0.0
          title: operation-switch
          case:
            - operations: [health]
              execute:
                - set-variable:
                    version: 2.0.0
                    actions: [{set: message.body, value: '{"up":true}', type: string}]
            - operations:
                - {verb: post, path: /orders}
              execute:
                - switch:
                    version: 2.0.0
                    title: by order kind
                    case:
                      - condition: message.body.kind = 'rush' and region = 'eu'
                        execute:
                          - set-variable:
                              version: 2.0.0
                              actions: [{set: message.headers.x-lane, value: rush, type: string}]
                    otherwise:
                      - set-variable:
                          version: 2.0.0
                          actions: [{set: message.headers.x-lane, value: normal, type: string}]
                - invoke:
                    version: 2.0.0
                    target-url: $(env.ORIGIN_URL)$(request.path)
          otherwise:
            - if:
                version: 2.0.0
                condition: $operationID() = 'getOrder' and $urlParameter('orderId') = '0'
                execute:
                  - throw: {version: 2.0.0, name: NoSuchOrder, message: order 0 does not exist, error-status-code: 404}
            - invoke:
                version: 2.0.0
                target-url: $(env.ORIGIN_URL)$(request.path)$(request.search)
`;

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker({ apis: { "store.yaml": STORE } });
});
afterAll(async () => {
  await worker?.stop();
});

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

describe("containers in the built worker (OpenAPI 3, datapower-api-gateway)", () => {
  it("operation-switch by operationId answers without the origin", async () => {
    const res = await worker.fetch("/store/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ up: true });
  });

  it("operation-switch by {verb, path}, then a JSONata switch on the JSON body; the origin gets the body and the header", async () => {
    const rush = JSON.stringify({ kind: "rush", items: 2 });
    const res = await worker.fetch("/store/orders", { method: "POST", body: rush, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo).toMatchObject({ method: "POST", path: "/orders", body: rush });
    expect(echo.headers["x-lane"]).toBe("rush");
    const plain = (await (await worker.fetch("/store/orders", { method: "POST", body: '{"kind":"slow"}' })).json()) as Echo;
    expect(plain.headers["x-lane"]).toBe("normal");
  });

  it("otherwise: an if with API Connect's functions throws for order 0; other orders reach the origin", async () => {
    const missing = await worker.fetch("/store/orders/0");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ httpCode: "404", httpMessage: "NoSuchOrder", moreInformation: "order 0 does not exist" });
    const found = (await (await worker.fetch("/store/orders/12?expand=lines")).json()) as Echo;
    expect(found).toMatchObject({ method: "GET", path: "/orders/12?expand=lines" });
    expect(found.headers["x-lane"]).toBeUndefined();
  });

  it("405 for a verb the path does not declare, 404 for a path no operation declares", async () => {
    const wrongVerb = await worker.fetch("/store/health", { method: "DELETE" });
    expect(wrongVerb.status).toBe(405);
    expect(wrongVerb.headers.get("allow")).toBe("GET");
    expect((await worker.fetch("/store/unknown")).status).toBe(404);
  });
});
