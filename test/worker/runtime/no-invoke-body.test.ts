import { describe, expect, it } from "vitest";
import { api, gatewayFor, testEnv } from "../gateway-helpers";

/** What wrangler dev's middleware does after the handler returns: read whatever of the request body is unread. */
async function drainLikeWranglerDev(request: Request): Promise<void> {
  if (request.body !== null && !request.bodyUsed) {
    const reader = request.body.getReader();
    while (!(await reader.read()).done) {}
  }
}

describe("an assembly without invoke", () => {
  it("answers a POST with the request body, even when the host drains unread request bodies after the handler", async () => {
    const gw = gatewayFor({ "e.yaml": api("/e", "execute: []") });
    const request = new Request("https://gateway.test/e/x", { method: "POST", body: '{"hello":"edge"}' });
    const res = await gw.app.fetch(request, testEnv);
    await drainLikeWranglerDev(request);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"hello":"edge"}');
  });
});
