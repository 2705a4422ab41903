import { describe, expect, it } from "vitest";
import { api, captureLogs, compileInline, gatewayFor } from "../gateway-helpers";

const run = (actions: string, path = "/sv", init?: RequestInit) =>
  gatewayFor({ "sv.yaml": api("/sv", `execute:\n  - set-variable:\n      actions:\n${actions}`) }).fetch(path, init);

describe("set-variable", () => {
  it("sets a response header, status code and reason", async () => {
    const res = await run(`        - {set: message.headers.X-Result, value: done}
        - {set: message.status.code, value: 201}
        - {set: message.status.reason, value: Created Here}
        - {set: message.body, value: ok}`);
    expect(res.status).toBe(201);
    expect(res.statusText).toBe("Created Here");
    expect(res.headers.get("x-result")).toBe("done");
    expect(await res.text()).toBe("ok");
  });

  it("adds a header value next to an existing one", async () => {
    const res = await run(`        - {set: message.headers.X-Multi, value: one}
        - {add: message.headers.X-Multi, value: two}`);
    expect(res.headers.get("x-multi")).toBe("one, two");
  });

  it("clears a header and a variable", async () => {
    const res = await run(`        - {set: message.headers.X-Gone, value: one}
        - {clear: message.headers.X-Gone}
        - {set: temp, value: here}
        - {clear: temp}
        - {set: message.body, value: '[$(temp)]'}`);
    expect(res.headers.has("x-gone")).toBe(false);
    expect(await res.text()).toBe("[]");
  });

  it("converts with type: number, boolean, string; keeps objects with type any", async () => {
    const res = await run(`        - {set: n, value: ' 42 ', type: number}
        - {set: b, value: 'true', type: boolean}
        - {set: s, value: 7, type: string}
        - {set: obj, value: {a: [1, 2]}}
        - {set: copy, value: $(obj)}
        - {set: message.body, value: '{"n":$(n),"b":$(b),"s":"$(s)","copy":$(copy)}'}`);
    expect(await res.json()).toEqual({ n: 42, b: true, s: "7", copy: { a: [1, 2] } });
  });

  it("adds to a variable, making a list", async () => {
    const res = await run(`        - {set: l, value: a}
        - {add: l, value: b}
        - {add: l, value: c}
        - {set: message.body, value: $(l)}`);
    expect(await res.json()).toEqual(["a", "b", "c"]);
  });

  it("refuses a number that is not a number, with a RuntimeError", async () => {
    const { result, lines } = await captureLogs(() => run(`        - {set: n, value: 'abc', type: number}`));
    expect(result.status).toBe(500);
    expect(lines.some((l) => l.includes('"error":"RuntimeError"') && l.includes("not a number"))).toBe(true);
  });

  it("refuses an invalid HTTP status", async () => {
    const { result, lines } = await captureLogs(() => run(`        - {set: message.status.code, value: 999}`));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("message.status.code must be an HTTP status");
  });

  it("refuses a header value holding CR or LF, even from request data", async () => {
    const { result, lines } = await captureLogs(() =>
      run(`        - {set: message.headers.X-Echo, value: '$(request.parameters.v)'}`, "/sv?v=a%0D%0ASet-Cookie:%20evil=1"),
    );
    expect(result.status).toBe(500);
    expect(result.headers.get("set-cookie")).toBeNull();
    expect(lines.join("\n")).toContain("CR, LF or NUL");
  });

  it("refuses to write request, api and env variables: a build problem, not a failure of every request", () => {
    for (const name of ["request.verb", "api.name", "env.GREETING"]) {
      const { problems } = compileInline({ "sv.yaml": api("/sv", `execute:\n  - set-variable:\n      actions:\n        - {set: ${name}, value: x}`) });
      expect(problems.map((p) => p.message)).toEqual([expect.stringContaining(`variable '${name}' is read-only`)]);
    }
  });

  it("does not return the client's own request headers when there is no invoke", async () => {
    const res = await run(`        - {set: message.body, value: hi}`, "/sv", { headers: { Authorization: "Bearer client", "X-Client": "1" } });
    expect(res.headers.get("authorization")).toBeNull();
    expect(res.headers.get("x-client")).toBeNull();
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  });

  it("treats __proto__ and constructor as plain variable names", async () => {
    const res = await run(`        - {set: __proto__, value: polluted}
        - {set: constructor, value: also}
        - {set: message.body, value: '$(__proto__)/$(constructor)'}`);
    expect(await res.text()).toBe("polluted/also");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
