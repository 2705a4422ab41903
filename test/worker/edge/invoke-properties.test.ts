import { describe, expect, it } from "vitest";
import { api, captureLogs, compileInline, gatewayFor, testEnv } from "../gateway-helpers";

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  bodyLength: number;
}

/** An OpenAPI 2 API whose only policy is an invoke with the given properties (YAML lines under `invoke:`). */
const invokeApi = (props: string, after = "", basePath = "/i") =>
  api(
    basePath,
    `execute:
  - invoke:
      version: 2.0.0
      title: invoke
${props
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => "      " + l)
  .join("\n")}
${after}`,
  );

const echoOf = async (res: Response) => (await res.json()) as Echo;

describe("invoke: header-control and parameter-control", () => {
  it("blocklist drops the headers whose names match (regular expressions, any case); others are forwarded", async () => {
    const gw = gatewayFor({
      "h.yaml": invokeApi(`target-url: $(env.ORIGIN_URL)/h
header-control:
  type: blocklist
  values: ['^X-Debug-', '^Cookie$']`),
    });
    const echo = await echoOf(await gw.fetch("/i", { headers: { "x-debug-trace": "1", cookie: "sid=1", "x-keep": "yes", "x-cookie-hint": "kept" } }));
    expect(echo.headers["x-debug-trace"]).toBeUndefined();
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers["x-keep"]).toBe("yes");
    expect(echo.headers["x-cookie-hint"]).toBe("kept");
  });

  it("allowlist forwards only the headers that match", async () => {
    const gw = gatewayFor({ "h.yaml": invokeApi(`target-url: $(env.ORIGIN_URL)/h\nheader-control: {type: allowlist, values: ['^content-type$', '^x-tenant$']}`) });
    const echo = await echoOf(await gw.fetch("/i", { method: "POST", body: "{}", headers: { "content-type": "application/json", "x-tenant": "t1", "x-other": "no" } }));
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.headers["x-tenant"]).toBe("t1");
    expect(echo.headers["x-other"]).toBeUndefined();
  });

  it("parameter-control: by default no request parameter is added; an allowlist adds the listed ones; a blocklist all but", async () => {
    const none = gatewayFor({ "p.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/p?fixed=1") });
    expect((await echoOf(await none.fetch("/i?a=1&b=2"))).path).toBe("/p?fixed=1");
    const allow = gatewayFor({ "p.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/p?fixed=1\nparameter-control: {type: allowlist, values: ['^a$']}") });
    expect((await echoOf(await allow.fetch("/i?a=x%20y&b=2&fixed=9"))).path).toBe("/p?fixed=1&a=x+y");
    const block = gatewayFor({ "p.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/p\nparameter-control: {type: blocklist, values: ['^secret']}") });
    expect((await echoOf(await block.fetch("/i?a=1&secret_token=s"))).path).toBe("/p?a=1");
  });

  it("a bad control fails the build: wrong type, invalid pattern", () => {
    const { problems } = compileInline({ "b.yaml": invokeApi("target-url: http://x\nheader-control: {type: denylist, values: ['(']}") });
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'x-ibm-configuration.assembly.execute[0].invoke.header-control.type: expected blocklist or allowlist, found the string "denylist"',
      'x-ibm-configuration.assembly.execute[0].invoke.header-control.values[0]: not a valid regular expression: "("',
    ]);
  });
});

describe("invoke: hop-by-hop headers and the client's credentials (RFC 9110 §7.6.1)", () => {
  it("headers named in Connection and Proxy-Authorization are not forwarded", async () => {
    const gw = gatewayFor({ "h.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/h") });
    const echo = await echoOf(await gw.fetch("/i", { headers: { connection: "x-hop, keep-alive", "x-hop": "1", "proxy-authorization": "Basic cHJveHk6cHc=", "x-end": "2" } }));
    expect(echo.headers["x-hop"]).toBeUndefined();
    expect(echo.headers["proxy-authorization"]).toBeUndefined();
    expect(echo.headers["x-end"]).toBe("2");
  });

  it("Connection names headers case-insensitively, with spaces and empty items, and a non-name in it is harmless", async () => {
    const gw = gatewayFor({ "h.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/h") });
    const headers = { connection: " X-Hop-One ,,x-HOP-two, not a name", "x-hop-one": "1", "x-hop-two": "2", te: "trailers", upgrade: "h2c", "x-end": "3" };
    const res = await gw.fetch("/i", { headers });
    expect(res.status).toBe(200);
    const echo = await echoOf(res);
    for (const name of ["x-hop-one", "x-hop-two", "te", "upgrade", "connection"]) expect(echo.headers[name]).toBeUndefined();
    expect(echo.headers["x-end"]).toBe("3");
  });

  const minting = (control: string) =>
    api(
      "/j",
      `execute:
  - set-variable: {actions: [{set: iss.claim, value: https://gw.example}]}
  - jwt-generate: {jws-alg: HS256, jws-crypto: HMAC_EDGE, jwt: minted.jwt, exp-claim: 60}
  - set-variable: {actions: [{set: message.headers.x-minted, value: $(minted.jwt)}]}
  - invoke:
      target-url: $(env.ORIGIN_URL)/j
${control}`,
    );
  const bindings = { HMAC_EDGE: "an-hmac-secret-of-at-least-32-bytes!!" };

  it("with jwt: in a variable, the client's own Authorization and Cookie are forwarded as they came", async () => {
    const gw = gatewayFor({ "j.yaml": minting("") }, bindings);
    const echo = await echoOf(await gw.fetch("/j", { headers: { authorization: "Bearer client-token", cookie: "sid=abc" } }));
    expect(echo.headers.authorization).toBe("Bearer client-token");
    expect(echo.headers.cookie).toBe("sid=abc");
    expect(echo.headers["x-minted"]).toMatch(/^eyJ/);
  });

  it("header-control drops them", async () => {
    const gw = gatewayFor({ "j.yaml": minting("      header-control: {type: blocklist, values: ['^authorization$', '^cookie$']}") }, bindings);
    const echo = await echoOf(await gw.fetch("/j", { headers: { authorization: "Bearer client-token", cookie: "sid=abc" } }));
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers["x-minted"]).toMatch(/^eyJ/);
  });
});

describe("invoke: Basic credentials, payload, compression, proxy headers, plus sign", () => {
  it("username/password send HTTP Basic (UTF-8), replacing the client's Authorization; templates read properties", async () => {
    const gw = gatewayFor({
      "b.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/b\nusername: svc-user\npassword: $(backend-password)", "", "/i").replace(
        "x-ibm-configuration:\n",
        "x-ibm-configuration:\n  properties:\n    backend-password: {value: 'pä:ss'}\n",
      ),
    });
    const echo = await echoOf(await gw.fetch("/i", { headers: { authorization: "Bearer client" } }));
    const expected = "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode("svc-user:pä:ss")));
    expect(echo.headers.authorization).toBe(expected);
  });

  it("a DELETE's payload is dropped unless keep-payload", async () => {
    const drop = gatewayFor({ "d.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/d") });
    expect((await echoOf(await drop.fetch("/i", { method: "DELETE", body: "payload" }))).bodyLength).toBe(0);
    const keep = gatewayFor({ "d.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/d\nkeep-payload: true") });
    expect((await echoOf(await keep.fetch("/i", { method: "DELETE", body: "payload" }))).body).toBe("payload");
  });

  it("compression: true sends the body gzip-encoded", async () => {
    const gw = gatewayFor({ "c.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/c\ncompression: true") });
    const echo = await echoOf(await gw.fetch("/i", { method: "POST", body: "a".repeat(10_000) }));
    expect(echo.headers["content-encoding"]).toBe("gzip");
    expect(echo.bodyLength).toBeGreaterThan(0);
    expect(echo.bodyLength).toBeLessThan(200);
  });

  it("inject-proxy-headers adds X-Forwarded-For/-Host/-Proto/-To", async () => {
    const gw = gatewayFor({ "x.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/x\ninject-proxy-headers: true") });
    const echo = await echoOf(await gw.fetch("/i", { headers: { "cf-connecting-ip": "203.0.113.7" } }));
    expect(echo.headers["x-forwarded-for"]).toBe("203.0.113.7");
    expect(echo.headers["x-forwarded-host"]).toBe("gateway.test");
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
    expect(echo.headers["x-forwarded-to"]).toBe(new URL(testEnv.ORIGIN_URL).host);
  });

  it("encode-plus-char sends a + in the query as %2B", async () => {
    const plain = gatewayFor({ "e.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/e?q=$(request.parameters.q)") });
    expect((await echoOf(await plain.fetch("/i?q=a%2Bb"))).path).toBe("/e?q=a+b");
    const encoded = gatewayFor({ "e.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/e?q=$(request.parameters.q)\nencode-plus-char: true") });
    expect((await echoOf(await encoded.fetch("/i?q=a%2Bb"))).path).toBe("/e?q=a%2Bb");
  });
});

describe("invoke: stop-on-error and output", () => {
  const withCatch = (props: string) =>
    invokeApi(props, "").replace(
      "  assembly:\n",
      "  assembly:\n    catch:\n      - errors: [OperationError]\n        execute:\n          - set-variable: {actions: [{set: message.body, value: 'caught $(error.name) $(message.status.code)'}, {set: message.status.code, value: 502}]}\n",
    );

  it("stop-on-error [OperationError]: an origin's error status raises OperationError for the catch; without it the status passes through", async () => {
    const stop = gatewayFor({ "s.yaml": withCatch("target-url: $(env.ORIGIN_URL)/status/503\nstop-on-error: [OperationError]") });
    const { result, lines } = await captureLogs(() => stop.fetch("/i"));
    expect(result.status).toBe(502);
    expect(await result.text()).toBe("caught OperationError 503");
    expect(lines.join("\n")).toContain('"error":"OperationError"');
    const pass = gatewayFor({ "s.yaml": withCatch("target-url: $(env.ORIGIN_URL)/status/503") });
    const res = await pass.fetch("/i");
    expect(res.status).toBe(503);
    expect((await echoOf(res)).path).toBe("/status/503");
  });

  it("output puts the result in a variable and leaves the message", async () => {
    const gw = gatewayFor({
      "o.yaml": invokeApi(
        "target-url: $(env.ORIGIN_URL)/lookup\noutput: lookup",
        "  - set-variable: {actions: [{set: message.body, value: '$(lookup.status.code) $(lookup.headers.x-echo) $(lookup.body)'}]}",
      ),
    });
    const res = await gw.fetch("/i");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text.startsWith("200 1 {")).toBe(true);
    expect(JSON.parse(text.slice("200 1 ".length)).path).toBe("/lookup");
  });
});

describe("invoke: cache-response (Workers Cache API)", () => {
  const unique = () => `/cache/${crypto.randomUUID()}`;

  it("time-to-live: a second GET is answered from the cache; a request with Authorization is not", async () => {
    const path = unique();
    const gw = gatewayFor({ "c.yaml": invokeApi(`target-url: $(env.ORIGIN_URL)${path}\ncache-response: time-to-live\ncache-ttl: 60`) });
    const first = await echoOf(await gw.fetch("/i", { headers: { "x-n": "1" } }));
    const second = await echoOf(await gw.fetch("/i", { headers: { "x-n": "2" } }));
    expect(first.headers["x-n"]).toBe("1");
    expect(second.headers["x-n"]).toBe("1");
    const authorized = await echoOf(await gw.fetch("/i", { headers: { "x-n": "3", authorization: "Bearer t" } }));
    expect(authorized.headers["x-n"]).toBe("3");
  });

  it("no-cache, or no cache-response, never caches", async () => {
    for (const props of ["cache-response: no-cache", ""]) {
      const path = unique();
      const gw = gatewayFor({ "c.yaml": invokeApi(`target-url: $(env.ORIGIN_URL)${path}\n${props}`) });
      await gw.fetch("/i", { headers: { "x-n": "1" } }).then((r) => r.arrayBuffer());
      expect((await echoOf(await gw.fetch("/i", { headers: { "x-n": "2" } }))).headers["x-n"]).toBe("2");
    }
  });

  it("protocol: an origin response without Cache-Control is not stored", async () => {
    const path = unique();
    const gw = gatewayFor({ "c.yaml": invokeApi(`target-url: $(env.ORIGIN_URL)${path}\ncache-response: protocol`) });
    await gw.fetch("/i", { headers: { "x-n": "1" } }).then((r) => r.arrayBuffer());
    expect((await echoOf(await gw.fetch("/i", { headers: { "x-n": "2" } }))).headers["x-n"]).toBe("2");
  });
});

describe("invoke and proxy: strict properties", () => {
  it("every property IBM lists is accepted; the ones that do nothing here are warnings that say why", () => {
    const { problems, warnings } = compileInline({
      "all.yaml": invokeApi(`target-url: https://origin.example/x
verb: get
timeout: 30
backend-type: detect
tls-profile: my-tls-profile
http-version: HTTP/1.1
chunked-uploads: true
persistent-connection: true
decompress: false
decode-request-params: false
cache-putpost-response: false
stop-on-error: []
header-control: {type: blocklist, values: []}
parameter-control: {type: allowlist, values: []}`),
    });
    expect(problems).toEqual([]);
    const text = warnings.join("\n");
    for (const key of ["backend-type", "tls-profile", "http-version", "chunked-uploads", "persistent-connection", "decompress", "decode-request-params", "cache-putpost-response"]) {
      expect(text).toContain(`invoke.${key}: accepted but not applied at the edge`);
    }
    expect(text).toContain("Workers verify the origin's public TLS certificate themselves");
  });

  it("a misspelled property fails the build with a hint", () => {
    const { problems } = compileInline({ "t.yaml": invokeApi("target-url: https://o.example\nheader-controll: {type: blocklist}") });
    expect(problems.map((p) => p.message)).toEqual(["unknown property 'header-controll'; did you mean 'header-control'?"]);
  });

  it("proxy (v5) forwards like invoke, and takes only v5's properties", async () => {
    const v5 = (props: string) =>
      api(
        "/v5",
        `execute:
  - proxy:
      title: proxy
      target-url: $(env.ORIGIN_URL)/legacy$(request.path)
${props}`,
      );
    const gw = gatewayFor({ "v5.yaml": v5("      verb: POST\n      username: u\n      password: p") });
    const res = await gw.fetch("/v5/a?x=1", { body: "hello", method: "PUT", headers: { "proxy-authorization": "Basic eA==" } });
    expect(res.status).toBe(200);
    const echo = await echoOf(res);
    expect(echo.method).toBe("POST");
    expect(echo.path).toBe("/legacy/a");
    expect(echo.body).toBe("hello");
    expect(echo.headers.authorization).toBe(`Basic ${btoa("u:p")}`);
    expect(echo.headers["proxy-authorization"]).toBeUndefined();
    const { problems } = compileInline({ "v5.yaml": v5("      header-control: {type: blocklist, values: []}") });
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^unknown property 'header-control'/)]);
  });
});

describe("invoke: redirects", () => {
  it("an origin's 302 is returned as it is by default; follow-redirects: true follows it", async () => {
    const manual = gatewayFor({ "r.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/redirect/landed") });
    const res = await manual.fetch("/i");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/landed");
    const follow = gatewayFor({ "r.yaml": invokeApi("target-url: $(env.ORIGIN_URL)/redirect/landed\nfollow-redirects: true") });
    const followed = await follow.fetch("/i");
    expect(followed.status).toBe(200);
    expect((await echoOf(followed)).path).toBe("/landed");
  });
});
