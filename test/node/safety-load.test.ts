/**
 * Load at a size that fits CI: 3,000 requests at concurrency 50 through the real worker
 * (Miniflare/workerd) over HS256, ES256 and ES256 nested in RSA-OAEP-256/A256GCM. The origin
 * verifies every token and checks its sub (and a private claim) is the requesting client's own;
 * every response, token and worker log line is checked for the run's secrets.
 * Larger runs: `npm run load -- --requests 50000 --concurrency 200` (test/load/cli.ts).
 */
import { describe, expect, it } from "vitest";
import { parseArgs } from "../load/cli";
import { formatReport, passed, runLoad } from "../load/load";

describe("load with verification", () => {
  it("3,000 requests at concurrency 50: 0 errors, 0 mismatches, 0 leaks", async () => {
    const report = await runLoad({ requests: 3000, concurrency: 50, maxMs: 90_000 });
    console.log(formatReport(report));
    expect(report.sent).toBe(3000);
    expect(report.answered).toBe(3000);
    expect(report.errorKinds).toEqual({});
    expect(report.errors).toBe(0);
    expect(report.mismatches).toBe(0);
    expect(report.tokensVerified).toBe(3000);
    expect(report.hygiene.leaks).toEqual([]);
    expect(report.hygiene.texts).toBeGreaterThanOrEqual(6000);
    for (const alg of ["HS256", "ES256", "nested"]) expect(report.byAlg[alg]?.answered).toBe(1000);
    expect(passed(report)).toBe(true);
  });

  it("negative control: requests carrying another request's id are counted as mismatches", async () => {
    const report = await runLoad({ requests: 300, concurrency: 20, algs: ["HS256"], injectMismatchesEvery: 10, maxMs: 60_000 });
    expect(report.errors).toBe(0);
    expect(report.mismatches).toBe(30);
    expect(passed(report)).toBe(false);
  });

  it("the load command's arguments", () => {
    expect(parseArgs(["--requests", "50000", "--concurrency", "200"])).toMatchObject({ requests: 50000, concurrency: 200, algs: ["HS256", "ES256", "nested"] });
    expect(parseArgs(["--algs", "HS256,nested"]).algs).toEqual(["HS256", "nested"]);
    expect(() => parseArgs(["--requests", "0"])).toThrow(/positive integer/);
    expect(() => parseArgs(["--algs", "RS256"])).toThrow(/expected some of/);
  });
});
