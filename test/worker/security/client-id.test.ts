import { beforeAll, describe, expect, it } from "vitest";
import { captureLogs, compileInline, gatewayFor } from "../gateway-helpers";
import { ORDERS, registerApp } from "./helpers";

const INVALID = { httpCode: "401", httpMessage: "Unauthorized", moreInformation: "Invalid client id or secret." };

interface Echo {
  path: string;
  headers: Record<string, string>;
}

describe("client ID and secret, as API Connect enforces them", () => {
  let plain: Awaited<ReturnType<typeof registerApp>>;
  let withSecret: Awaited<ReturnType<typeof registerApp>>;
  let disabled: Awaited<ReturnType<typeof registerApp>>;
  let otherApi: Awaited<ReturnType<typeof registerApp>>;
  beforeAll(async () => {
    plain = await registerApp("plain app", { edit: (r) => ({ ...r, metadata: { tier: "gold" } }) });
    withSecret = await registerApp("secret app", { secret: true });
    disabled = await registerApp("disabled app", { secret: true, edit: (r) => ({ ...r, enabled: false }) });
    otherApi = await registerApp("other api app", { apis: ["inventory"] });
  });
  const gw = gatewayFor({ "orders.yaml": ORDERS });
  const call = async (path: string, headers: Record<string, string> = {}) => {
    const res = await gw.fetch(path, { headers });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as unknown };
  };
  const expectRefused = async (path: string, headers: Record<string, string> = {}) => {
    const res = await call(path, headers);
    expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
    expect(res.json()).toEqual(INVALID);
  };

  it("API-level requirement (header): refuses no ID, an empty, unknown or disabled ID and an app limited to other APIs; passes a registered one", async () => {
    await expectRefused("/orders/id");
    await expectRefused("/orders/id", { "X-IBM-Client-Id": "" });
    await expectRefused("/orders/id", { "X-IBM-Client-Id": "0123456789abcdef0123456789abcdef" });
    await expectRefused("/orders/id", { "X-IBM-Client-Id": disabled.id });
    await expectRefused("/orders/id", { "X-IBM-Client-Id": otherApi.id });
    await expectRefused("/orders/id", { "X-IBM-Client-Id": "x".repeat(5000) });
    const ok = await call("/orders/id", { "X-IBM-Client-Id": plain.id });
    expect(ok.status).toBe(200);
    expect((ok.json() as Echo).path).toBe("/echo");
  });

  it("operation-level requirement overrides the API's: `security: []` is open, a secret requirement needs the secret", async () => {
    expect((await call("/orders/open")).status).toBe(200);
    await expectRefused("/orders/secret", { "X-IBM-Client-Id": withSecret.id });
    await expectRefused("/orders/secret", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret + "x" });
    await expectRefused("/orders/secret", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret!.slice(1) });
    // A registered app without a secret cannot pass a requirement for one.
    await expectRefused("/orders/secret", { "X-IBM-Client-Id": plain.id, "X-IBM-Client-Secret": "anything-at-all-1234567890" });
    // Another app's secret is not this app's.
    const other = await registerApp("another secret app", { secret: true });
    await expectRefused("/orders/secret", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": other.secret! });
    await expectRefused("/orders/secret", { "X-IBM-Client-Id": disabled.id, "X-IBM-Client-Secret": disabled.secret! });
    for (let i = 0; i < 2; i++) {
      // The second time the verified secret is remembered; the answer must not change.
      expect((await call("/orders/secret", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret! })).status).toBe(200);
      await expectRefused("/orders/secret", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": "wrong-" + withSecret.secret! });
    }
  });

  it("query placement: client_id and client_secret in the query", async () => {
    const q = (id: string, secret?: string) => `/orders/query?client_id=${encodeURIComponent(id)}${secret === undefined ? "" : `&client_secret=${encodeURIComponent(secret)}`}`;
    await expectRefused("/orders/query");
    await expectRefused(q(withSecret.id));
    await expectRefused(q(withSecret.id, "nope-nope-nope-nope"));
    await expectRefused(q("unknown-client"));
    await expectRefused(q(disabled.id, disabled.secret));
    // In a header instead of the query: not where the definition says.
    await expectRefused("/orders/query", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret! });
    expect((await call(q(withSecret.id, withSecret.secret))).status).toBe(200);
  });

  it("an OR of two requirements: either the header ID with its secret, or the query ID alone", async () => {
    await expectRefused("/orders/either");
    await expectRefused("/orders/either", { "X-IBM-Client-Id": withSecret.id });
    await expectRefused(`/orders/either?client_id=${disabled.id}`);
    expect((await call("/orders/either", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret! })).status).toBe(200);
    expect((await call(`/orders/either?client_id=${plain.id}`)).status).toBe(200);
    // A wrong secret in the first alternative does not stop the second from passing.
    expect((await call(`/orders/either?client_id=${plain.id}`, { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": "wrong-wrong-wrong" })).status).toBe(200);
  });

  it("the credential headers are not forwarded to the origin; other headers are", async () => {
    const res = await call("/orders/secret", { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret!, "X-Other": "kept" });
    expect(res.status).toBe(200);
    const echo = res.json() as Echo;
    expect(echo.headers["x-other"]).toBe("kept");
    expect(echo.headers["x-ibm-client-id"]).toBeUndefined();
    expect(echo.headers["x-ibm-client-secret"]).toBeUndefined();
  });

  it("sets client.app.* for the assembly, never client.app.secret", async () => {
    const res = await gatewayFor({ "v.yaml": ORDERS.replace(/      - invoke:[\s\S]*$/, "") }).fetch("/orders/id", { headers: { "X-IBM-Client-Id": plain.id } });
    expect(await res.text()).toBe(`id=${plain.id} name=plain app state=PRODUCTION tier=gold secret=`);
    const withS = await gatewayFor({ "v.yaml": ORDERS.replace(/      - invoke:[\s\S]*$/, "") }).fetch("/orders/secret", {
      headers: { "X-IBM-Client-Id": withSecret.id, "X-IBM-Client-Secret": withSecret.secret! },
    });
    expect(await withS.text()).toBe(`id=${withSecret.id} name=secret app state=PRODUCTION tier= secret=`);
  });

  it("client.* variables are read-only: writing one fails the build", () => {
    const def = ORDERS.replace(/      - set-variable:[\s\S]*$/, "      - set-variable:\n          actions:\n            - {set: client.app.id, value: forged}\n");
    expect(compileInline({ "v.yaml": def }).problems.map((p) => p.message)).toEqual([
      "variable 'client.app.id' is read-only: write to a variable of your own (e.g. 'my.app.id') or to message.*",
    ]);
  });

  it("a KV namespace that is not bound or fails: a generic 500, logged by class, never open", async () => {
    const unbound = gatewayFor({ "orders.yaml": ORDERS }, { APPS: undefined });
    const a = await captureLogs(() => unbound.fetch("/orders/id", { headers: { "X-IBM-Client-Id": plain.id } }));
    expect(a.result.status).toBe(500);
    expect(await a.result.json()).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Internal Server Error" });
    expect(a.lines.join("\n")).toContain("the KV namespace APPS is not bound");
    const failing = gatewayFor({ "orders.yaml": ORDERS }, { APPS: { get: () => Promise.reject(new TypeError(`boom ${withSecret.secret}`)) } });
    const b = await captureLogs(() => failing.fetch("/orders/id", { headers: { "X-IBM-Client-Id": plain.id } }));
    expect(b.result.status).toBe(500);
    expect(b.lines.join("\n")).toContain("client applications could not be read from KV (TypeError)");
    expect(b.lines.join("\n")).not.toContain("boom");
    // The open operation needs no KV.
    expect((await unbound.fetch("/orders/open")).status).toBe(200);
  });

  it("a malformed record refuses with a generic 500 and logs no content", async () => {
    const { APPS } = await import("./helpers");
    await APPS().put("malformed-client", '{"name":"m","enabled":"yes"}');
    const { result, lines } = await captureLogs(() => gw.fetch("/orders/id", { headers: { "X-IBM-Client-Id": "malformed-client" } }));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toContain("malformed");
    expect(lines.join("\n")).not.toContain('"enabled":"yes"');
  });
});

describe("query credentials are not forwarded", () => {
  it("client_id and client_secret leave request.search; other parameters stay byte for byte", async () => {
    const app = await registerApp("query forward app", { secret: true });
    const gw = gatewayFor({ "orders.yaml": ORDERS });
    const res = await gw.fetch(`/orders/query?a=b%20c&client_id=${app.id}&x&client_secret=${encodeURIComponent(app.secret!)}&z=%2F`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).path).toBe("/echo?a=b%20c&x&z=%2F");
  });
});
