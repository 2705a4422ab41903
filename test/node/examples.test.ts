/** Every folder of examples/ builds as the build step builds apis/: no problem, and the APIs it says. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileApis } from "../../src/config/compile-api";
import { BuildCodeHost } from "../../scripts/code-host";
import { readApiDirectory } from "../../scripts/read-apis";
import { PROJECT_ROOT } from "../support/run-worker";

const EXPECTED: Record<string, string[]> = {
  demo: ["jwt-demo-nested", "jwt-demo", "echo"],
  orders: ["orders"],
  "partner-nested": ["partner-shipments"],
  "internal-hmac": ["inventory"],
  "catalog-routes": ["catalog"],
};

describe("examples/", () => {
  it("has the folders the README lists", async () => {
    const dirs = (await readdir(join(PROJECT_ROOT, "examples"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const name of Object.keys(EXPECTED)) expect(dirs).toContain(name);
  });

  for (const [folder, names] of Object.entries(EXPECTED)) {
    it(`${folder} builds without problems`, async () => {
      const { sources, problems: read } = await readApiDirectory(join(PROJECT_ROOT, "examples", folder));
      const { apis, problems } = compileApis(sources, new BuildCodeHost());
      expect([...read, ...problems]).toEqual([]);
      expect(apis.map((a) => a.name)).toEqual(names);
    });
  }
});
