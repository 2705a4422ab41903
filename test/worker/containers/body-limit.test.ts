import { describe, expect, it } from "vitest";
import { captureLogs, gatewayFor } from "../gateway-helpers";
import { MAX_BUFFERED_BODY_BYTES } from "../../../src/assembly/body";

// A condition on message.body reads the request's stream into memory: bounded, as parse is, so one
// large upload cannot take the isolate's memory (shared with every other request it serves).
const API = `swagger: "2.0"
info: {title: Big, x-ibm-name: big, version: 1.0.0}
basePath: /big
x-ibm-configuration:
  gateway: datapower-api-gateway
  assembly:
    execute:
      - switch:
          version: 2.0.0
          case:
            - condition: message.body.kind = 'order'
              execute:
                - set-variable: {actions: [{set: message.body, value: order, type: string}]}
          otherwise:
            - set-variable: {actions: [{set: message.body, value: other, type: string}]}
`;

describe("a condition reading message.body", () => {
  const gw = gatewayFor({ "big.yaml": API });

  it("reads a body up to the limit", async () => {
    const body = JSON.stringify({ kind: "order", pad: "x".repeat(MAX_BUFFERED_BODY_BYTES - 100) });
    const res = await gw.fetch("/big", { method: "POST", body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("order");
  });

  it("refuses a larger body with 413, without reading it whole", async () => {
    const body = JSON.stringify({ kind: "order", pad: "x".repeat(MAX_BUFFERED_BODY_BYTES) });
    const { result, lines } = await captureLogs(async () => {
      const res = await gw.fetch("/big", { method: "POST", body });
      return { status: res.status, json: await res.json() };
    });
    expect(result).toEqual({ status: 413, json: { httpCode: "413", httpMessage: "Payload Too Large", moreInformation: "The message body is too large" } });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", api: "big", error: "RuntimeError", message: `condition: the message body is larger than ${MAX_BUFFERED_BODY_BYTES} bytes` });
  });
});
