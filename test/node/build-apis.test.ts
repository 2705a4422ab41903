import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dirs: string[] = [];

/** Runs the real build step over a folder holding the given files; returns exit code and output. */
async function build(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "apis-"));
  dirs.push(dir);
  const apisDir = join(dir, "apis");
  await run("mkdir", ["-p", apisDir]);
  for (const [name, text] of Object.entries(files)) await writeFile(join(apisDir, name), text);
  const out = join(dir, "out.ts");
  try {
    const r = await run("node", ["--import", "tsx", "scripts/build-apis.ts", "--apis", apisDir, "--out", out]);
    return { code: 0, stderr: r.stderr, stdout: r.stdout, out: await readFile(out, "utf8") };
  } catch (e) {
    const err = e as { code: number; stderr: string; stdout: string };
    return { code: err.code, stderr: err.stderr, stdout: err.stdout, out: "" };
  }
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const valid = (basePath: string, execute = "      - invoke: {target-url: 'https://origin.example$(request.path)'}") => `swagger: "2.0"
info: {title: Orders, version: 1.0.0}
basePath: ${basePath}
x-ibm-configuration:
  assembly:
    execute:
${execute}
`;

describe("build step (scripts/build-apis.ts)", () => {
  it("bundles valid YAML and JSON definitions", async () => {
    const json = JSON.stringify({ openapi: "3.0.0", info: { title: "J", version: "1" }, servers: [{ url: "/j" }], "x-ibm-configuration": { assembly: { execute: [] } } });
    const r = await build({ "orders.yaml": valid("/orders"), "j.json": json });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2 APIs bundled");
    expect(r.out).toContain('\\"file\\":\\"apis/orders.yaml\\"');
  });

  it("fails on a YAML syntax error, naming file, line and column", async () => {
    const r = await build({ "bad.yaml": 'swagger: "2.0"\ninfo: {title: x\nbasePath: /b\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^apis\/bad\.yaml:3: invalid YAML at line 3, column \d+: /m);
  });

  it("fails on invalid JSON", async () => {
    const r = await build({ "bad.json": '{"swagger": "2.0",' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^apis\/bad\.json: invalid JSON: /m);
  });

  it("fails on an unknown policy, naming its path", async () => {
    const r = await build({ "u.yaml": valid("/u", "      - set-variable: {actions: []}\n      - made-up-policy: {source: x}") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("apis/u.yaml:8: x-ibm-configuration.assembly.execute[1].made-up-policy: unknown policy 'made-up-policy'; supported: ");
  });

  it("fails on a missing required property", async () => {
    const r = await build({ "m.yaml": valid("/m", "      - set-variable: {actions: []}\n      - invoke: {timeout: 5}") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("apis/m.yaml:8: x-ibm-configuration.assembly.execute[1].invoke.target-url: is required");
  });

  it("fails on a wrong type", async () => {
    const r = await build({ "t.yaml": valid("/t", "      - invoke: {target-url: [a, b]}") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("apis/t.yaml:7: x-ibm-configuration.assembly.execute[0].invoke.target-url: expected a string, found a list");
  });

  it("fails on a wrong value", async () => {
    const r = await build({ "v.yaml": valid("/v", "      - invoke: {target-url: 'https://o', verb: FETCH, timeout: -3}") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('apis/v.yaml:7: x-ibm-configuration.assembly.execute[0].invoke.verb: expected one of keep, GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, found "FETCH"');
    expect(r.stderr).toContain("apis/v.yaml:7: x-ibm-configuration.assembly.execute[0].invoke.timeout: expected a number from 1 to 86400, found number -3");
  });

  it("fails on a malformed set-variable action and catch entry", async () => {
    const r = await build({
      "s.yaml": `${valid("/s", "      - set-variable: {actions: [{set: a, clear: b}, {set: c}]}")}    catch:\n      - errors: RuntimeError\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("x-ibm-configuration.assembly.execute[0].set-variable.actions[0]: expected only one of set, add or clear, found set and clear");
    expect(r.stderr).toContain("x-ibm-configuration.assembly.execute[0].set-variable.actions[1].value: is required with set");
    expect(r.stderr).toContain("x-ibm-configuration.assembly.catch[0].errors: expected a list of error names, found the string \"RuntimeError\"");
  });

  it("fails when two APIs share a base path", async () => {
    const r = await build({ "a.yaml": valid("/same/"), "b.yaml": valid("/same") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("apis/b.yaml: basePath: base path '/same' is already used by apis/a.yaml");
  });

  it("fails on a document that is not OpenAPI, or lacks x-ibm-configuration", async () => {
    const r = await build({ "n.yaml": "title: nothing\n", "x.yaml": 'swagger: "2.0"\nbasePath: /x\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('apis/n.yaml: expected an OpenAPI document: "swagger: 2.0" or "openapi: 3.x" at the top level');
    expect(r.stderr).toContain("apis/x.yaml: x-ibm-configuration: expected the x-ibm-configuration object, found nothing");
  });

  it("reports every problem of a run, not only the first", async () => {
    const r = await build({ "one.yaml": valid("/1", "      - nope: {}"), "two.yaml": valid("/2", "      - invoke: {}") });
    expect(r.stderr.trim().split("\n")).toHaveLength(3);
  });
});
