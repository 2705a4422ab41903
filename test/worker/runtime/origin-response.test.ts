import { describe, expect, it } from "vitest";
import { api, gatewayFor } from "../gateway-helpers";

/** invoke to the echo origin's `/status/201`, then `after` (policies under execute). */
const invokeThen = (after: string) =>
  api(
    "/o",
    `execute:
  - invoke: {target-url: "$(env.ORIGIN_URL)/status/201"}
${after}`,
  );

// The origin's answer goes to the client without a copy while no policy changed it (src/http/responses.ts);
// any change after invoke must still reach the client.
describe("the origin's response after invoke", () => {
  it("goes to the client as the origin sent it when no policy touches it", async () => {
    const gw = gatewayFor({ "o.yaml": invokeThen("") });
    const res = await gw.fetch("/o/x", { method: "POST", body: "payload" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-echo")).toBe("1");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { body: string }).body).toBe("payload");
  });

  it("carries a header, status, reason or body a policy set after invoke", async () => {
    const gw = gatewayFor({
      "o.yaml": invokeThen(`  - set-variable:
      actions:
        - {set: message.headers.x-after, value: "yes"}`),
      "s.yaml": api(
        "/s",
        `execute:
  - invoke: {target-url: "$(env.ORIGIN_URL)/status/201"}
  - set-variable:
      actions:
        - {set: message.status.code, value: 202}
        - {set: message.status.reason, value: Taken}`,
      ),
      "b.yaml": api(
        "/b",
        `execute:
  - invoke: {target-url: "$(env.ORIGIN_URL)/status/201"}
  - set-variable:
      actions:
        - {set: message.body, value: replaced}`,
      ),
    });
    const header = await gw.fetch("/o/x");
    expect(header.status).toBe(201);
    expect(header.headers.get("x-after")).toBe("yes");
    expect(header.headers.get("x-echo")).toBe("1");
    const status = await gw.fetch("/s/x");
    expect(status.status).toBe(202);
    expect(status.statusText).toBe("Taken");
    const body = await gw.fetch("/b/x");
    expect(await body.text()).toBe("replaced");
  });

  it("has no body for HEAD", async () => {
    const gw = gatewayFor({ "o.yaml": invokeThen("") });
    const res = await gw.fetch("/o/x", { method: "HEAD" });
    expect(res.status).toBe(201);
    expect(res.body).toBeNull();
  });
});
