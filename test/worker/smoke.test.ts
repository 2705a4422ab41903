import { env } from "cloudflare:test";
import { expect, it } from "vitest";
it("reaches origin", async () => {
  const r = await fetch((env as any).ORIGIN_URL + "/x", { method: "POST", body: "abc" });
  const j: any = await r.json();
  expect(j.body).toBe("abc");
  const t0 = performance.now();
  await crypto.subtle.digest("SHA-256", new Uint8Array(10));
  await expect(fetch((env as any).REFUSED_URL)).rejects.toThrow();
});
