import { describe, expect, it } from "vitest";
import { api, captureLogs, gatewayFor, testEnv } from "../gateway-helpers";

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  bodyLength: number;
  bodySha256: string;
}

const proxy = (target: string, extra = "") =>
  gatewayFor({
    "p.yaml": api(
      "/p",
      `execute:
  - invoke:
      target-url: ${target}
${extra}`,
    ),
  });

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("invoke", () => {
  it("forwards method, path, query, headers and body; the origin's response becomes the message", async () => {
    const gw = proxy("$(env.ORIGIN_URL)$(request.path)$(request.search)");
    const res = await gw.fetch("/p/orders/1?expand=lines", { method: "PATCH", headers: { "X-Custom": "yes", "Content-Type": "application/json" }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-echo")).toBe("1");
    const echo = (await res.json()) as Echo;
    expect(echo.method).toBe("PATCH");
    expect(echo.path).toBe("/orders/1?expand=lines");
    expect(echo.headers["x-custom"]).toBe("yes");
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.body).toBe('{"a":1}');
  });

  it("streams a 1 MiB POST byte-identical to the origin", async () => {
    const payload = new Uint8Array(1024 * 1024);
    for (let i = 0; i < payload.length; i += 65536) crypto.getRandomValues(payload.subarray(i, i + 65536));
    const gw = proxy("$(env.ORIGIN_URL)/upload");
    const res = await gw.fetch("/p", { method: "POST", body: payload, headers: { "content-type": "application/octet-stream" } });
    const echo = (await res.json()) as Echo;
    expect(echo.bodyLength).toBe(payload.length);
    expect(echo.bodySha256).toBe(await sha256Hex(payload));
  });

  it("uses the configured verb instead of the request's", async () => {
    const gw = proxy("$(env.ORIGIN_URL)/v", "      verb: DELETE");
    const echo = (await (await gw.fetch("/p", { method: "GET" })).json()) as Echo;
    expect(echo.method).toBe("DELETE");
  });

  it("passes an origin's 5xx through as the message", async () => {
    const gw = proxy("$(env.ORIGIN_URL)/status/503");
    const res = await gw.fetch("/p");
    expect(res.status).toBe(503);
    expect(((await res.json()) as Echo).path).toBe("/status/503");
  });

  // A refused connection (ConnectionError, its log line, stop-on-error going on) is tested through the real
  // worker in test/node/safety-faults.test.ts, which collects workerd's own output about the failed subrequest.
  it("raises ConnectionError when the origin is slower than timeout", async () => {
    const gw = proxy("$(env.ORIGIN_URL)/slow/3000", "      timeout: 1");
    const started = Date.now();
    const { result, lines } = await captureLogs(() => gw.fetch("/p"));
    expect(result.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(2900);
    expect(lines.join("\n")).toContain("did not answer within 1 s");
  });

  it("raises ConnectionError for a target-url that is not http(s)", async () => {
    const gw = proxy("$(no.such.var)/x");
    const { result, lines } = await captureLogs(() => gw.fetch("/p"));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("does not resolve to an http(s) URL");
  });

  it("keeps 200 concurrent requests' variables apart", async () => {
    const gw = gatewayFor({
      "c.yaml": api(
        "/c",
        `execute:
  - set-variable:
      actions:
        - {set: who, value: '$(request.headers.x-user)'}
        - {set: message.headers.X-User-Seen, value: '$(who)'}
  - invoke:
      target-url: $(env.ORIGIN_URL)/user/$(who)`,
      ),
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const res = await gw.fetch("/c", { headers: { "x-user": `user-${i}` } });
        const echo = (await res.json()) as Echo;
        return echo.path === `/user/user-${i}` && echo.headers["x-user-seen"] === `user-${i}`;
      }),
    );
    expect(results.filter((ok) => !ok)).toHaveLength(0);
    expect(testEnv.ORIGIN_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
