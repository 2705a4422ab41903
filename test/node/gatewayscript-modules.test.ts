/**
 * The pure parts of the gatewayscript shims (no context needed), checked against Node's own
 * `url`, `querystring` and `util.format`, which DataPower's modules follow.
 */
import { Buffer } from "node:buffer";
import { parse as nodeQsParse, stringify as nodeQsStringify } from "node:querystring";
import { parse as nodeUrlParse, format as nodeUrlFormat, resolve as nodeUrlResolve } from "node:url";
import { format as nodeFormat } from "node:util";
import { describe, expect, it } from "vitest";
import { BufferShim, ScriptBuffer } from "../../src/policies/gatewayscript/buffer";
import { formatArgs } from "../../src/policies/gatewayscript/console";
import { querystringModule, urlModule } from "../../src/policies/gatewayscript/url-modules";

const plain = (o: object) => JSON.parse(JSON.stringify(o)) as unknown;

describe("gatewayscript modules, against Node's", () => {
  it("querystring.parse and stringify", () => {
    for (const text of ["a=1&a=2&b", "x=%20y+z&empty=&k=v%26w", "", "only"]) {
      expect(plain(querystringModule.parse(text))).toEqual(plain(nodeQsParse(text)));
    }
    const obj = { a: ["1", "2"], b: "x y", c: 3, d: true };
    expect(querystringModule.stringify(obj)).toBe(nodeQsStringify(obj));
    expect(querystringModule.parse("a:1;b:2", ";", ":")).toEqual(plain(nodeQsParse("a:1;b:2", ";", ":")));
  });

  it("url.parse, format and resolve", () => {
    for (const text of ["https://user:pw@api.example.com:8443/a/b?x=1&x=2#frag", "http://h/p", "/path/only?q=1"]) {
      const ours = urlModule.parse(text, true) as Record<string, unknown>;
      const node = nodeUrlParse(text, true) as unknown as Record<string, unknown>;
      for (const key of ["protocol", "auth", "host", "port", "hostname", "hash", "search", "pathname", "path", "href"]) {
        expect([key, ours[key]]).toEqual([key, node[key]]);
      }
      expect(plain(ours.query as object)).toEqual(plain(node.query as object));
      expect(urlModule.parse(text).query).toEqual(nodeUrlParse(text).query);
    }
    const parts = { protocol: "https", hostname: "a.example", port: 8080, pathname: "/x", query: { q: "1 2" }, hash: "#h" };
    expect(urlModule.format(parts)).toBe(nodeUrlFormat(parts));
    expect(urlModule.resolve("http://a.example/b/c", "../d")).toBe(nodeUrlResolve("http://a.example/b/c", "../d"));
  });

  it("readAsBuffer's bytes decode as Node's Buffer does", () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255, 104, 105]);
    const ours = new ScriptBuffer(bytes);
    for (const enc of ["base64", "hex"] as const) expect(ours.toString(enc)).toBe(Buffer.from(bytes).toString(enc));
    expect(new ScriptBuffer(new TextEncoder().encode("héllo")).toString()).toBe("héllo");
    expect(JSON.stringify(ours)).toBe(JSON.stringify(Buffer.from(bytes)));
  });

  it("the Buffer shim encodes and decodes as Node's Buffer", () => {
    const texts = ["héllo wörld ✓", "user:p@ss", "", "\u00ff\u0000binary"];
    const encodings = ["utf8", "utf-8", "base64", "base64url", "hex", "latin1", "binary", "ascii"] as const;
    for (const text of texts) {
      for (const enc of encodings) {
        const encoded = Buffer.from(text, enc === "utf-8" ? "utf8" : enc).toString(enc);
        expect([text, enc, BufferShim.from(encoded, enc).toString(enc)]).toEqual([text, enc, Buffer.from(encoded, enc).toString(enc)]);
        expect([text, enc, BufferShim.from(text).toString(enc)]).toEqual([text, enc, Buffer.from(text).toString(enc)]);
      }
      expect(BufferShim.byteLength(text)).toBe(Buffer.byteLength(text));
    }
    // Old scripts call it with new, for Basic credentials.
    const Ctor = BufferShim as unknown as new (v: string) => ScriptBuffer;
    expect(new Ctor("alice:secret").toString("base64")).toBe(Buffer.from("alice:secret").toString("base64"));
    expect(BufferShim.from("aGk=", "base64").toString()).toBe("hi");
    expect(BufferShim.isBuffer(BufferShim.from("x"))).toBe(true);
    expect(BufferShim.isBuffer("x")).toBe(false);
    expect(BufferShim.concat([BufferShim.from("ab"), BufferShim.from([99, 100])]).toString()).toBe("abcd");
    expect(BufferShim.concat([BufferShim.from("abcdef")], 3).toString()).toBe("abc");
    expect(Array.from(BufferShim.alloc(3, 7))).toEqual([7, 7, 7]);
    expect((BufferShim.from("héllo").slice(1, 3) as ScriptBuffer).toString("hex")).toBe(Buffer.from("héllo").subarray(1, 3).toString("hex"));
  });

  it("console lines are formatted as util.format", () => {
    const cases: unknown[][] = [["%s has %d items, %j", "cart", 3, { a: 1 }], ["100%% %s", "done"], ["no args"], ["extra", 1, "two"], ["%s missing"]];
    for (const args of cases) expect(formatArgs(args)).toBe(nodeFormat(...(args as [string, ...unknown[]])));
  });
});
