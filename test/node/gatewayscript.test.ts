/**
 * The gatewayscript policy in the real worker: scripts pass through the build step (which compiles
 * them into the bundle) and run in workerd via Miniflare. One worker serves every API below.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApis, startWorker, type RunningWorker } from "../support/run-worker";
import { newApplication } from "../../src/security/new-app";

const HMAC_KEY = "gatewayscript-test-shared-secret-0123456789";
const TIME_LIMIT_MS = 2000;

/** A definition: `execute` and `catch` are YAML lists indented by 4 under `assembly:`. */
function api(basePath: string, execute: string, catches = ""): string {
  const indent = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
  return `swagger: "2.0"
info: {title: ${basePath.slice(1)}, x-ibm-name: ${basePath.slice(1)}, version: 1.0.0}
basePath: ${basePath}
x-ibm-configuration:
  assembly:
    execute:
${indent(execute)}
${catches ? `    catch:\n${indent(catches)}\n` : ""}`;
}

/** A gatewayscript step whose source is `lines` (as a YAML block). */
function script(lines: string, version = "2.0.0"): string {
  const body = lines
    .replace(/^\n/, "")
    .replace(/\s+$/, "")
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
  return `- gatewayscript:\n    version: ${version}\n    source: |\n${body}`;
}

const APIS: Record<string, string> = {
  "v10-body.yaml": api(
    "/v10-body",
    `${script(`
var who = context.get('request.headers.x-user');
context.message.body.readAsJSON(function (error, json) {
  if (error) { context.reject('BadJSON', 'the body is not JSON'); return; }
  total = 0; // an undeclared name, as ES5-era scripts write
  json.items.forEach(function (i) { total += i; });
  json.total = total;
  json.by = who;
  context.message.body.write(json);
  context.message.header.set('X-Shaped', 'yes');
});
`)}
- set-variable: {actions: [{set: message.headers.x-total, value: "$(message.body.total)"}]}
- invoke: {target-url: "$(env.ORIGIN_URL)/shaped"}`,
  ),
  "v10-status.yaml": api(
    "/v10-status",
    script(`
context.set('my.vars.amount', 100);
context.message.header.set('Content-Type', 'application/json');
context.message.header.set('X-Gone', 'soon');
context.message.header.remove('X-Gone');
context.message.statusCode = '201 Created';
context.message.body.write({
  amount: context.get('my.vars.amount'),
  verb: context.request.verb,
  path: context.request.path,
  q: context.get('request.parameters.q'),
  status: context.message.statusCode,
  reason: context.message.reason
});
`),
  ),
  "v5.yaml": api(
    "/v5",
    `- set-variable: {actions: [{set: greeting, value: hello}]}
${script(
  `
var apim = require('./apim.custom.js');
var qs = require('querystring');
var url = require('url');
var hm = require('header-metadata');
apim.readInputAsJSON(function (error, input) {
  if (error) { apim.error('BadInput', 400, 'Bad Request', 'expected JSON'); return; }
  var parsed = url.parse(apim.getvariable('request.uri'), true);
  apim.setvariable('message.headers.x-greeting', apim.getvariable('greeting') + ' ' + input.name);
  apim.setvariable('message.headers.x-list', 'a');
  apim.setvariable('message.headers.x-list', 'b', 'add');
  apim.setvariable('scratch', 'gone');
  apim.setvariable('scratch', '', 'clear');
  hm.current.set('X-HM', hm.original.get('x-user'));
  apim.output('application/json');
  session.output.write(JSON.stringify({
    q: parsed.query.q, tags: qs.parse('t=1&t=2').t, scratch: apim.getvariable('scratch') === undefined, name: session.name
  }));
});
`,
  "1.0.0",
)}`,
  ),
  "claims.yaml": api(
    "/claims",
    `- set-variable: {actions: [{set: iss.claim, value: "https://gw.example"}]}
${script(`
var user = context.get('request.headers.x-user');
context.set('sub.claim', 'user:' + user);
context.set('my.claims', { tenant: context.get('request.parameters.tenant'), iss: 'forged' });
`)}
- jwt-generate: {iss-claim: iss.claim, sub-claim: sub.claim, private-claims: my.claims, exp-claim: 60, jws-alg: HS256, jws-crypto: HMAC_KEY}
- invoke: {target-url: "$(env.ORIGIN_URL)/claims"}`,
  ),
  "reject-caught.yaml": api(
    "/reject-caught",
    script(`
context.message.statusCode = 409;
context.reject('ConflictError', 'order ' + context.get('request.parameters.id') + ' exists');
`),
    `- errors: [ConflictError]
  execute:
    - set-variable: {actions: [{set: message.body, value: "caught $(error.name): $(error.message) ($(error.status.code))"}]}`,
  ),
  "reject-uncaught.yaml": api("/reject-uncaught", script(`context.message.statusCode = 403;\ncontext.message.reason = 'Forbidden';\ncontext.reject('AccessError', 'no access for you');`)),
  "apim-error.yaml": api(
    "/apim-error",
    `${script(`var apim = require('apim');\napim.error('RateError', 429, 'Too Many Requests', 'slow down');`, "1.0.0")}
- set-variable: {actions: [{set: message.body, value: never}]}`,
  ),
  "apim-error-caught.yaml": api(
    "/apim-error-caught",
    script(`var apim = require('apim');\napim.error('RateError', 429, 'Too Many Requests', 'slow down');`, "1.0.0"),
    `- errors: [RateError]
  execute:
    - set-variable: {actions: [{set: message.body, value: "caught $(error.name) $(error.status.code) $(error.status.reason): $(error.message)"}]}`,
  ),
  "throws.yaml": api("/throws", script(`var o = JSON.parse('{bad');`)),
  "late-throw.yaml": api(
    "/late-throw",
    script(`setTimeout(function () { throw new TypeError('late failure'); }, 1);`),
    `- errors: [JavaScriptError]
  execute:
    - set-variable: {actions: [{set: message.body, value: "$(error.name) $(error.message)"}]}`,
  ),
  "chain.yaml": api(
    "/chain",
    `- set-variable: {actions: [{set: backend, value: "$(env.ORIGIN_URL)"}]}
${script(`
var urlopen = require('urlopen');
var steps = [];
setTimeout(function () {
  steps.push('timer');
  context.message.body.readAsJSON(function (err, json) {
    steps.push('body');
    urlopen.open({
      target: context.get('backend') + '/lookup?id=' + json.id,
      method: 'POST',
      headers: { 'X-Trace': 't1' },
      data: { ask: json.id }
    }, function (error, response) {
      if (error) throw error;
      steps.push('urlopen ' + response.statusCode);
      response.readAsJSON(function (error2, echo) {
        steps.push('response');
        context.message.header.set('Content-Type', 'application/json');
        context.message.body.write({ steps: steps, path: echo.path, method: echo.method, sent: JSON.parse(echo.body), trace: echo.headers['x-trace'] });
      });
    });
  });
}, 5);
`)}`,
  ),
  "urlopen-errors.yaml": api(
    "/urlopen-errors",
    `- set-variable: {actions: [{set: backend, value: "$(env.ORIGIN_URL)"}, {set: refused, value: "$(env.REFUSED_URL)"}]}
${script(`
var urlopen = require('urlopen');
var out = {};
urlopen.open(context.get('refused') + '/x?token=secret', function (error, response) {
  out.refused = error && error.errorMessage;
  urlopen.open({ target: context.get('backend') + '/slow/3000', timeout: 0.2 }, function (error2) {
    out.timeout = error2 && error2.errorMessage;
    out.described = typeof error2.errorDescription;
    context.message.body.write(out);
  });
});
`)}`,
  ),
  "misc.yaml": api(
    "/misc",
    `- set-variable: {actions: [{set: doomed, value: here}, {set: kept, value: stays}]}
${script(`
var apim = require('apim');
context.clear('doomed');
console.log('misc for %s: %j', context.get('request.headers.x-user'), { n: 1 });
context.message.body.readAsBuffer(function (error, buffer) {
  session.input.readAsJSON(function (error2, json) {
    context.message.body.write({
      text: buffer.toString(), b64: buffer.toString('base64'), length: buffer.length, json: json,
      doomed: context.get('doomed') === undefined, kept: apim.getContext('kept'),
      basic: 'Basic ' + new Buffer('alice:secret').toString('base64'), isBuffer: Buffer.isBuffer(buffer)
    });
  });
});
`)}`,
  ),
  "never.yaml": api("/never", script(`setInterval(function () {}, 50);`)),
  "isolation.yaml": api(
    "/isolation",
    script(`
hits = (typeof hits === 'number' ? hits : 0) + 1;
globalThis.count = (globalThis.count || 0) + 1;
context.message.body.write({
  hits: hits,
  count: globalThis.count,
  fetch: typeof fetch,
  caches: typeof caches,
  env: typeof env,
  secret: context.get('env.SECRET_KEY'),
  origin: context.get('env.ORIGIN_URL'),
  hmac: context.get('env.HMAC_KEY')
});
`),
  ),
  // A client ID and secret in the query: after the security check they are gone from what a script reads too.
  "creds.yaml": `swagger: "2.0"
info: {title: creds, x-ibm-name: creds, version: 1.0.0}
basePath: /creds
securityDefinitions:
  id: {type: apiKey, in: query, name: client_id}
  secret: {type: apiKey, in: query, name: client_secret}
security: [{id: [], secret: []}]
x-ibm-configuration:
  assembly:
    execute:
${script(`
context.message.body.write({ uri: context.request.uri, search: context.request.search, variable: context.get('request.uri') });
`)
  .split("\n")
  .map((l) => `      ${l}`)
  .join("\n")}
`,
  "concurrent.yaml": api(
    "/concurrent",
    `${script(`
var id = context.get('request.headers.x-id');
context.message.body.readAsJSON(function (e, json) {
  setTimeout(function () {
    context.set('sub.claim', json.id);
    context.set('seen.header', id);
  }, json.delay);
});
`)}
- set-variable: {actions: [{set: iss.claim, value: "https://gw.example"}]}
- jwt-generate: {jwt: my.token, iss-claim: iss.claim, sub-claim: sub.claim, jws-alg: HS256, jws-crypto: HMAC_KEY}
${script(
  `
var apim = require('apim');
session.output.write({ header: apim.getvariable('seen.header'), token: apim.getvariable('my.token') });
`,
  "1.0.0",
)}`,
  ),
};

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;

/** Checks an HS256 token with node:crypto, independently of the gateway's own code. */
function hs256Valid(token: string): boolean {
  const [h, p, s] = token.split(".");
  return createHmac("sha256", HMAC_KEY).update(`${h}.${p}`).digest("base64url") === s;
}

describe("gatewayscript in the worker", () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker({
      apis: APIS,
      bindings: { HMAC_KEY, SECRET_KEY: "top-secret-value", REFUSED_URL: "http://127.0.0.1:1", GATEWAYSCRIPT_TIME_LIMIT_MS: String(TIME_LIMIT_MS) },
      kvNamespaces: { APPS: "APPS" },
    });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it("v10: reads a JSON body, changes it, writes it back, and the origin receives it", async () => {
    const res = await worker.fetch("/v10-body", { method: "POST", headers: { "x-user": "ann", "content-type": "application/json" }, body: JSON.stringify({ items: [1, 2, 3] }) });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { path: string; body: string; bodyLength: number; headers: Record<string, string> };
    expect(echo.path).toBe("/shaped");
    expect(JSON.parse(echo.body)).toEqual({ items: [1, 2, 3], total: 6, by: "ann" });
    expect(echo.headers["x-shaped"]).toBe("yes");
    // Written as an object, the body is data for the next policy's template too.
    expect(echo.headers["x-total"]).toBe("6");
    expect(Number(echo.headers["content-length"])).toBe(echo.bodyLength);
  });

  it("a body larger than 4 MiB is not read into memory: 413, as for a condition", async () => {
    const body = JSON.stringify({ items: [1], pad: "x".repeat(4 * 1024 * 1024) });
    const res = await worker.fetch("/v10-body", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ httpCode: "413", httpMessage: "Payload Too Large", moreInformation: "The message body is too large" });
  });

  it("context.request.uri, like request.uri, no longer holds the client ID and secret the security check read", async () => {
    const app = await newApplication("script reader", { secret: true });
    await (await worker.mf.getKVNamespace("APPS")).put(app.id, JSON.stringify(app.record));
    const res = await worker.fetch(`/creds/x?a=1&client_id=${app.id}&client_secret=${app.secret}&b=2`);
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { uri: string; search: string; variable: string };
    expect(seen).toEqual({ uri: seen.variable, search: "?a=1&b=2", variable: `${worker.url}/creds/x?a=1&b=2` });
  });

  it("v10: sets variables, headers and the status of an answer built without invoke", async () => {
    const res = await worker.fetch("/v10-status/orders?q=7", { method: "PUT", headers: { "x-gone": "client" } });
    expect(res.status).toBe(201);
    expect(res.statusText).toBe("Created");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-gone")).toBeNull();
    expect(await res.json()).toEqual({ amount: 100, verb: "PUT", path: "/orders", q: "7", status: 201, reason: "Created" });
  });

  it("v5: apim module, querystring, url, header-metadata and session.output", async () => {
    const res = await worker.fetch("/v5/x?q=search", { method: "POST", headers: { "x-user": "bob" }, body: JSON.stringify({ name: "world" }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-greeting")).toBe("hello world");
    expect(res.headers.get("x-list")).toBe("a, b");
    expect(res.headers.get("x-hm")).toBe("bob");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ q: "search", tags: ["1", "2"], scratch: true, name: "gatewayscript" });
  });

  it("v5: apim.error on a body that is not JSON, uncaught, answers with its status, reason and message", async () => {
    const res = await worker.fetch("/v5/x", { method: "POST", body: "not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ httpCode: "400", httpMessage: "Bad Request", moreInformation: "expected JSON" });
  });

  it("a variable a script sets is a claim jwt-generate mints; a private claim cannot forge iss", async () => {
    const res = await worker.fetch("/claims/x?tenant=acme", { headers: { "x-user": "carol" } });
    const echo = (await res.json()) as { headers: Record<string, string> };
    const token = echo.headers.authorization?.replace(/^Bearer /, "") ?? "";
    expect(hs256Valid(token)).toBe(true);
    expect(claimsOf(token)).toMatchObject({ iss: "https://gw.example", sub: "user:carol", tenant: "acme" });
  });

  it("context.reject is caught by a catch naming the error", async () => {
    const res = await worker.fetch("/reject-caught?id=7");
    expect(res.status).toBe(409);
    expect(await res.text()).toBe("caught ConflictError: order 7 exists (409)");
  });

  it("context.reject uncaught answers in API Connect's shape with the script's status and message", async () => {
    const res = await worker.fetch("/reject-uncaught");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ httpCode: "403", httpMessage: "Forbidden", moreInformation: "no access for you" });
  });

  it("apim.error stops the assembly: later policies do not run", async () => {
    const res = await worker.fetch("/apim-error");
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ httpCode: "429", httpMessage: "Too Many Requests", moreInformation: "slow down" });
  });

  it("apim.error is caught by a catch naming the error, with its status", async () => {
    const res = await worker.fetch("/apim-error-caught");
    expect(res.status).toBe(429);
    expect(await res.text()).toBe("caught RateError 429 Too Many Requests: slow down");
  });

  it("a script that throws is a JavaScriptError; its detail goes to the log, not the client", async () => {
    const res = await worker.fetch("/throws");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Internal Server Error" });
    await expect.poll(() => worker.logs.find((l) => l.includes('"api":"throws"'))).toMatch(/"error":"JavaScriptError".*the script threw SyntaxError/);
  });

  it("a throw inside a callback is a JavaScriptError a catch can handle", async () => {
    const res = await worker.fetch("/late-throw");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("JavaScriptError gatewayscript: the script threw TypeError: late failure");
  });

  it("waits for a callback chain: timer, body, urlopen to a local origin, its response", async () => {
    const res = await worker.fetch("/chain", { method: "POST", body: JSON.stringify({ id: 42 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ steps: ["timer", "body", "urlopen 200", "response"], path: "/lookup?id=42", method: "POST", sent: { ask: 42 }, trace: "t1" });
  });

  it("urlopen reports a refused connection and a timeout as error objects, without the query string", async () => {
    const res = await worker.fetch("/urlopen-errors");
    expect(await res.json()).toEqual({
      refused: "urlopen: could not connect to 127.0.0.1:1",
      timeout: `urlopen: ${new URL(worker.originUrl as string).host} did not answer within 0.2 s`,
      described: "string",
    });
  });

  it("readAsBuffer, Buffer, session.input, context.clear, apim.getContext; console goes to the log only", async () => {
    const res = await worker.fetch("/misc", { method: "POST", headers: { "x-user": "dora" }, body: '{"é":1}' });
    expect(await res.json()).toEqual({ text: '{"é":1}', b64: Buffer.from('{"é":1}').toString("base64"), length: 8, json: { é: 1 }, doomed: true, kept: "stays", basic: "Basic YWxpY2U6c2VjcmV0", isBuffer: true });
    await expect.poll(() => worker.logs.find((l) => l.includes('"api":"misc"'))).toBeDefined();
    const line = JSON.parse(worker.logs.find((l) => l.includes('"api":"misc"')) as string) as Record<string, unknown>;
    expect(line).toEqual({ level: "info", api: "misc", policy: "gatewayscript", source: "gatewayscript", message: 'misc for dora: {"n":1}' });
  });

  it("a script that never finishes is stopped by the time limit with a JavaScriptError", async () => {
    const started = Date.now();
    const res = await worker.fetch("/never");
    expect(res.status).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIME_LIMIT_MS - 50);
    await res.arrayBuffer();
    await expect.poll(() => worker.logs.find((l) => l.includes('"api":"never"'))).toContain(`did not finish within ${TIME_LIMIT_MS} ms`);
  });

  it("isolation: no fetch, caches, env or bindings; undeclared names and globalThis are per request", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await worker.fetch("/isolation");
      expect(await res.json()).toEqual({ hits: 1, count: 1, fetch: "undefined", caches: "undefined", env: "undefined" });
    }
  });

  it("1,000 concurrent requests through a script-heavy assembly: no data crosses between requests", async () => {
    const n = 1000;
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const id = `req-${i}`;
        const res = await worker.fetch("/concurrent", { method: "POST", headers: { "x-id": id }, body: JSON.stringify({ id, delay: i % 7 }) });
        return { id, status: res.status, body: (await res.json()) as { header: string; token: string } };
      }),
    );
    const wrong = results.filter(({ id, status, body }) => status !== 200 || body.header !== id || claimsOf(body.token).sub !== id || !hs256Valid(body.token));
    expect(wrong.map((r) => r.id)).toEqual([]);
  });
});

describe("gatewayscript build failures", () => {
  it("a syntax error and an unsupported module fail the build with file, path, and the script's line and column", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gws-build-"));
    try {
      const bad = api("/bad", `${script(`var a = 1;\nvar b = ;`)}\n${script(`var ok = require('url');\nvar c = require('crypto');\nvar d = require('local:///lib/util.js');`)}`);
      const lines = bad.split("\n");
      const sourceLines = lines.flatMap((l, i) => (l.trim() === "source: |" ? [i + 1] : []));
      const error = await buildApis({ "bad.yaml": bad }, dir).then(
        () => undefined,
        (e: Error) => e.message,
      );
      expect(error).toContain(`apis/bad.yaml:${sourceLines[0]}: x-ibm-configuration.assembly.execute[0].gatewayscript.source: JavaScript syntax error at line 2, column 9: Unexpected token`);
      expect(error).toContain(
        `apis/bad.yaml:${sourceLines[1]}: x-ibm-configuration.assembly.execute[1].gatewayscript.source: JavaScript at line 2, column 9: module 'crypto' is not available here; supported: apim, `,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
