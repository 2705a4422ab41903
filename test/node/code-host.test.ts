import { describe, expect, it } from "vitest";
import { BuildCodeHost } from "../../scripts/code-host";
import { ConfigReader } from "../../src/config/reader";

/** Compiles `body` wrapped in a one-line function header, as a policy would, and returns the outcome. */
function compile(body: string, options?: Parameters<BuildCodeHost["compile"]>[5]) {
  const host = new BuildCodeHost();
  const reader = new ConfigReader("apis/a.yaml");
  const source = `(function (input, require) {\n${body}\n})`;
  const fn = host.compile("apis/a.yaml#p", source, "x.source", reader, 2, options) as ((input: unknown, require: (n: string) => unknown) => unknown) | undefined;
  return { fn, problems: reader.problems.map((p) => `${p.path}: ${p.message}`), bundled: host.sources.get("apis/a.yaml#p") };
}

describe("BuildCodeHost", () => {
  it("reports a syntax error at the user's line and column", () => {
    const r = compile("var a = 1;\nvar b = ;\n");
    expect(r.fn).toBeUndefined();
    expect(r.problems).toEqual(["x.source: JavaScript syntax error at line 2, column 9: Unexpected token"]);
  });

  it("checks strict mode, as the bundle is an ES module", () => {
    const r = compile("var o = {};\nwith (o) { x = 1; }");
    expect(r.problems).toEqual(["x.source: JavaScript syntax error at line 2, column 1: 'with' in strict mode"]);
  });

  it("refuses code that closes the function it is wrapped in", () => {
    const r = compile("return 1; }); (function () {");
    expect(r.problems[0]).toMatch(/^x\.source: JavaScript syntax error at line 1, column \d+: unexpected code after the end of the script/);
  });

  it("names an unsupported module and a computed require, at their lines", () => {
    const modules = ["url"];
    expect(compile("var u = require('url');\nvar c = require('crypto');", { modules }).problems).toEqual([
      "x.source: JavaScript at line 2, column 9: module 'crypto' is not available here; supported: url",
    ]);
    expect(compile("var n = 'url';\n\n  require(n);", { modules }).problems).toEqual([
      "x.source: JavaScript at line 3, column 3: require() needs the module's name as a literal string, so the build can check it",
    ]);
  });

  it("declares names a sloppy script assigns without declaring, keeping line numbers", () => {
    const body = "function bump() { count++; }\ncount = input;\nbump();\nfor (key in {a: 1}) {}\nvar kept = 1;\nreturn [count, key, kept];";
    const plain = compile(body);
    expect(() => plain.fn?.(1, () => undefined)).toThrow(ReferenceError);
    const r = compile(body, { declareAssigned: true });
    expect(r.problems).toEqual([]);
    expect(r.fn?.(41, () => undefined)).toEqual([42, "a", 1]);
    expect(r.bundled?.split("\n")[1]).toBe("function bump() { count++; }");
    expect(r.bundled?.split("\n")[0]).toMatch(/\{ var count, key;$/);
  });

  it("leaves code that declares its names unchanged", () => {
    const r = compile("let x = 1; x = 2; return x;", { declareAssigned: true });
    expect(r.bundled).toBe("(function (input, require) {\nlet x = 1; x = 2; return x;\n})");
  });
});
