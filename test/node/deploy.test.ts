/**
 * What a user's `wrangler deploy` ships: the default configuration bundles apis/ only — never the demo
 * (examples/demo/, `--env demo`), its vars or its 127.0.0.1 origin. Runs the real `wrangler deploy --dry-run`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/run-worker";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Text only the demo definitions put in a bundle (minified or not: they are string data). */
const DEMO_MARKS = ["jwt-demo", "demo-nested", "Echo passthrough", "127.0.0.1:8790", "DEMO_SIGNING_KEY"];

async function dryRun(...extra: string[]): Promise<{ bundle: string; output: string }> {
  const out = await mkdtemp(join(tmpdir(), "deploy-dry-run-"));
  dirs.push(out);
  const { stdout, stderr } = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out, ...extra], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  const js = (await readdir(out)).filter((f) => f.endsWith(".js"));
  const bundle = (await Promise.all(js.map((f) => readFile(join(out, f), "utf8")))).join("\n");
  return { bundle, output: stdout + stderr };
}

describe("wrangler deploy --dry-run", () => {
  it("of the default configuration contains no demo API, demo var or demo origin", async () => {
    const { bundle, output } = await dryRun();
    expect(bundle.length).toBeGreaterThan(1000);
    for (const demo of DEMO_MARKS) expect(bundle).not.toContain(demo);
    expect(output).not.toContain("DEMO_ORIGIN");
  }, 120_000);

  it("of --env demo does contain them (so the check above can fail)", async () => {
    const { bundle, output } = await dryRun("--env", "demo");
    for (const demo of DEMO_MARKS) expect(bundle).toContain(demo);
    expect(output).toContain("DEMO_ORIGIN");
  }, 120_000);
});
