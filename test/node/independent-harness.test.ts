/**
 * The Node harness that runs the real worker (test/support/run-worker.ts): bundled src/index.ts in
 * Miniflare on a real port, definitions run through the project's build step, bindings, KV.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/run-worker";

const passthrough = (basePath: string, name: string, extra = "") => `swagger: "2.0"
info: {title: ${name}, x-ibm-name: ${name}, version: 1.0.0}
basePath: ${basePath}
x-ibm-configuration:
  assembly:
    execute:
${extra}      - invoke: {target-url: "$(env.ORIGIN_URL)$(request.path)"}
`;

describe("run-worker harness", () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker({
      apis: {
        "t.yaml": passthrough("/t", "t"),
        "v.yaml": passthrough("/v", "v", "      - set-variable: {actions: [{set: message.headers.x-bound, value: $(env.MY_VAR)}]}\n"),
      },
      bindings: { MY_VAR: "bound-value" },
      kv: { SOME_KEY: "kv-value" },
    });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it("serves on a real port and forwards to the echo origin", async () => {
    expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${worker.url}/t/hello?x=1`, { headers: { authorization: "Bearer abc" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-echo")).toBe("1");
    const echo = (await res.json()) as { path: string; method: string; headers: Record<string, string> };
    expect(echo.method).toBe("GET");
    expect(echo.path).toMatch(/\/hello$/);
    expect(echo.headers.authorization).toBe("Bearer abc");
  });

  it("passes bindings to the worker", async () => {
    const res = await worker.fetch("/v/x");
    const echo = (await res.json()) as { headers: Record<string, string> };
    expect(echo.headers["x-bound"]).toBe("bound-value");
    expect(worker.bindings.ORIGIN_URL).toBe(worker.originUrl);
  });

  it("prefills the CRYPTO_OBJECTS KV namespace", async () => {
    const ns = await worker.mf.getKVNamespace("CRYPTO_OBJECTS");
    expect(await ns.get("SOME_KEY")).toBe("kv-value");
  });

  it("answers 404 outside the definitions' base paths", async () => {
    const res = await worker.fetch("/nope");
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});

describe("run-worker build step", () => {
  it("fails with the build step's problems for an invalid definition", async () => {
    await expect(startWorker({ apis: { "bad.yaml": "swagger: '2.0'\ninfo: {title: x}\n" } })).rejects.toThrow(/build-apis failed/);
  });
});
