/**
 * Injection through request data (what a client controls: method, path, query, headers, body, and
 * every variable derived from them). Complements test/worker/runtime/set-variable.test.ts and
 * test/worker/jwt-generate/claims.test.ts, which cover the basic cases; this file covers the
 * rest: claims forged through request data, header splitting by every route, env and crypto
 * object names that are Object.prototype members, templates that name runtime internals, and
 * values that look like templates.
 */
import { OperationTable } from "../../../src/routing/operations";
import { ConfigReader } from "../../../src/config/reader";
import { calculateJwkThumbprint } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { Context } from "../../../src/assembly/context";
import type { CompiledApi } from "../../../src/assembly/api";
import { testEnv } from "../gateway-helpers";
import { isGatewayFault, useSafety } from "./recorder";
import { b64url, definition, expectGeneric500, hex, jsonFile, partText, randomBytes, signingPair, verifyJws, type SigningPair } from "./support";

const safety = useSafety("injection");
const HMAC = randomBytes(32);
const ENV_SECRET = `0x${hex(randomBytes(32))}`;
let es: SigningPair;
let esThumbprint: string;

beforeAll(async () => {
  es = await signingPair("ES256");
  esThumbprint = await calculateJwkThumbprint(es.publicJwk as never);
  safety.secrets.addBytes("hmac", HMAC).addText("ENV_SECRET", ENV_SECRET).addPem("es256", es.privatePem).addJwk("es256-jwk", es.privateJwk);
});

const env = () => ({ ...testEnv, HMAC_KEY: `0x${hex(HMAC)}`, ES_KEY: es.privatePem, ENV_SECRET, JSON_VAR: { kty: "oct", k: b64url(HMAC) } });

/** set-variable actions, then jwt-generate (HS256, token in out.token), then the token as the body. */
function minting(actions: unknown[], policy: Record<string, unknown> = {}) {
  return definition("/m", [
    { "set-variable": { actions: [{ set: "iss.claim", value: "https://issuer.test" }, ...actions] } },
    { "jwt-generate": { "jws-alg": "HS256", "jws-crypto": "HMAC_KEY", jwt: "out.token", "iss-claim": "iss.claim", ...policy } },
    { "set-variable": { actions: [{ set: "message.body", value: "$(out.token)" }] } },
  ]);
}

async function claimsOf(res: { status: number; body: string }): Promise<Record<string, unknown>> {
  expect(res.status, res.body).toBe(200);
  const { payload } = await verifyJws(res.body, HMAC, "HS256");
  return JSON.parse(payload) as Record<string, unknown>;
}

const polluted = () => {
  const probe = {} as Record<string, unknown>;
  return ["polluted", "iss", "sub", "x"].filter((k) => probe[k] !== undefined || Object.prototype.hasOwnProperty.call(Object.prototype, k));
};

describe("private claims from request data", () => {
  // Written as text: in a JS object literal, `__proto__:` would set the prototype, not a key.
  const FORGE =
    '{"__proto__":{"iss":"evil","sub":"root","polluted":true},"constructor":{"prototype":{"polluted":true}},' +
    '"prototype":{"polluted":true},"iss":"evil","sub":"root","aud":"everyone","exp":9999999999,"iat":1,"jti":"fixed",' +
    '"toJSON":"not a function","ok":1}';

  it("cannot override iss, sub, aud, exp, iat or jti, and __proto__/constructor stay plain claims", async () => {
    const gw = safety.gateway(
      jsonFile("m", minting(
        [
          { set: "sub.claim", value: "$(request.headers.x-user)" },
          { set: "aud.claim", value: "orders" },
          { set: "pc", value: "$(request.parameters.pc)" },
        ],
        { "sub-claim": "sub.claim", "aud-claim": "aud.claim", "private-claims": "pc", "jti-claim": true },
      )),
      env(),
    );
    const res = await gw.fetch(`/m?pc=${encodeURIComponent(FORGE)}`, { headers: { "x-user": "alice" } });
    const claims = await claimsOf(res);
    expect(claims).toMatchObject({ iss: "https://issuer.test", sub: "alice", aud: "orders", ok: 1, toJSON: "not a function" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    // JSON.parse makes __proto__ an own property: it is a claim like any other, nothing more.
    expect(Object.hasOwn(claims, "__proto__")).toBe(true);
    expect(JSON.parse(partText(res.body, 1)).__proto__).toEqual({ iss: "evil", sub: "root", polluted: true });
    expect(polluted()).toEqual([]);
  });

  it("an object literal with an own __proto__ key (JSON definition) is merged as a plain claim", async () => {
    const literal = JSON.parse('{"__proto__":{"admin":true},"constructor":"c","role":"reader"}') as Record<string, unknown>;
    const gw = safety.gateway(jsonFile("m", minting([{ set: "pc", value: literal }], { "private-claims": "pc" })), env());
    const claims = await claimsOf(await gw.fetch("/m"));
    expect(Object.hasOwn(claims, "__proto__")).toBe(true);
    expect(claims.admin).toBeUndefined();
    expect(claims).toMatchObject({ constructor: "c", role: "reader" });
    expect(polluted()).toEqual([]);
  });

  it("leaves nothing behind for the next request (another API in the same gateway)", async () => {
    const gw = safety.gateway(
      {
        ...jsonFile("a", { ...minting([{ set: "pc", value: "$(request.parameters.pc)" }], { "private-claims": "pc" }), basePath: "/a" }),
        ...jsonFile("b", { ...minting([]), basePath: "/b" }),
      },
      env(),
    );
    await claimsOf(await gw.fetch(`/a?pc=${encodeURIComponent(FORGE)}`));
    const next = await claimsOf(await gw.fetch("/b"));
    expect(Object.keys(next)).toEqual(["iss", "exp", "iat"]);
  });

  // Found by this suite: a sub/aud from private claims used to fill a configured but empty
  // sub-claim/aud-claim. The policy now owns every registered claim it is configured to set.
  it("does not take sub or aud from private claims when sub-claim/aud-claim are configured but empty", async () => {
    const gw = safety.gateway(
      jsonFile("m", minting(
        [
          { set: "sub.claim", value: "$(request.headers.x-user)" },
          { set: "aud.claim", value: "$(request.headers.x-aud)" },
          { set: "pc", value: "$(request.headers.x-claims)" },
        ],
        { "sub-claim": "sub.claim", "aud-claim": "aud.claim", "private-claims": "pc" },
      )),
      env(),
    );
    // No x-user, no x-aud: the configured sub and aud are empty.
    const claims = await claimsOf(await gw.fetch("/m", { headers: { "x-claims": '{"sub":"admin","aud":"payments","scope":"read"}' } }));
    expect(claims.scope).toBe("read");
    expect(claims.sub).toBeUndefined();
    expect(claims.aud).toBeUndefined();
  });
});

describe("header splitting: every route a client's CR, LF or NUL could take", () => {
  const BAD = { CR: "a\rb", LF: "a\nb", CRLF: "a\r\nSet-Cookie: evil=1", NUL: "a\0b", "CRLF CRLF request": "x\r\n\r\nGET /admin HTTP/1.1\r\nHost: evil" };

  for (const [what, value] of Object.entries(BAD)) {
    it(`${what}: refused in set and add of message.headers, with and without invoke, and in message.status.reason`, async () => {
      const routes: Record<string, unknown[]> = {
        set: [{ "set-variable": { actions: [{ set: "message.headers.X-Echo", value: "$(request.parameters.v)" }] } }],
        add: [{ "set-variable": { actions: [{ set: "message.headers.X-Echo", value: "ok" }, { add: "message.headers.X-Echo", value: "$(request.parameters.v)" }] } }],
        "set via variable": [{ "set-variable": { actions: [{ set: "v", value: "$(request.parameters.v)" }, { set: "message.headers.X-Echo", value: "$(v)" }] } }],
        "before invoke": [
          { "set-variable": { actions: [{ set: "message.headers.X-Echo", value: "$(request.parameters.v)" }] } },
          { invoke: { "target-url": "$(env.ORIGIN_URL)/split" } },
        ],
        reason: [{ "set-variable": { actions: [{ set: "message.status.reason", value: "$(request.parameters.v)" }, { set: "message.body", value: "x" }] } }],
      };
      for (const [route, execute] of Object.entries(routes)) {
        const gw = safety.gateway(jsonFile("h", definition("/h", execute)), env());
        const res = await gw.fetch(`/h?v=${encodeURIComponent(value)}`);
        expectGeneric500(res);
        expect(res.headers.get("set-cookie"), route).toBeNull();
        expect(res.headers.get("x-echo"), route).toBeNull();
        expect(res.body).toBe(JSON.stringify({ httpCode: "500", httpMessage: "Internal Server Error", moreInformation: "Internal Server Error" }));
      }
      const lines = safety.logs.filter((l) => l.includes("CR, LF or NUL"));
      expect(lines.length).toBeGreaterThanOrEqual(5);
      expect(safety.logs.filter(isGatewayFault)).toEqual([]);
    });
  }

  it("an object holding a newline becomes a header as JSON text (escaped), never a raw line break", async () => {
    const gw = safety.gateway(
      jsonFile("h", definition("/h", [{ "set-variable": { actions: [{ set: "o", value: { a: "x\r\ny" } }, { set: "message.headers.X-Obj", value: "$(o)" }, { set: "message.body", value: "ok" }] } }])),
      env(),
    );
    const res = await gw.fetch("/h");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-obj")).toBe('{"a":"x\\r\\ny"}');
  });

  it("a throw's error-status-reason from request data loses its CR/LF (spaces), the body stays API Connect's shape", async () => {
    const gw = safety.gateway(
      jsonFile("t", definition("/t", [{ throw: { name: "Denied", message: "denied", "error-status-code": 403, "error-status-reason": "$(request.parameters.r)" } }])),
      env(),
    );
    const res = await gw.fetch(`/t?r=${encodeURIComponent("No\r\nSet-Cookie: evil=1")}`);
    expect(res.status).toBe(403);
    expect(res.statusText).toBe("No  Set-Cookie: evil=1");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(JSON.parse(res.body)).toEqual({ httpCode: "403", httpMessage: "No  Set-Cookie: evil=1", moreInformation: "denied" });
  });

  it("a custom kid from request data with CR/LF is escaped inside the signed header; the bearer header stays one line", async () => {
    const kid = "k1\r\nX-Injected: 1";
    const gw = safety.gateway(
      jsonFile("k", definition("/k", [
        { "set-variable": { actions: [{ set: "iss.claim", value: "i" }, { set: "kid", value: "$(request.headers.x-kid)$(request.parameters.k)" }] } },
        { "jwt-generate": { "jws-alg": "HS256", "jws-crypto": "HMAC_KEY", "custom-kid-value-jws": "kid" } },
        { invoke: { "target-url": "$(env.ORIGIN_URL)/kid" } },
      ])),
      env(),
    );
    const res = await gw.fetch(`/k?k=${encodeURIComponent(kid)}`);
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.body) as { headers: Record<string, string> };
    expect(echo.headers["x-injected"]).toBeUndefined();
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(echo.headers.authorization ?? "")?.[1];
    expect(token).toBeDefined();
    const { header } = await verifyJws(token!, HMAC, "HS256");
    expect(JSON.parse(header)).toEqual({ kid, alg: "HS256" });
  });

  it("a verb from request data holding CR/LF or spaces cannot split the origin request: ConnectionError", async () => {
    const gw = safety.gateway(
      jsonFile("v", definition("/v", [{ "set-variable": { actions: [{ set: "message.verb", value: "$(request.parameters.m)" }] } }, { invoke: { "target-url": "$(env.ORIGIN_URL)/verb" } }])),
      env(),
    );
    for (const m of ["GET /admin HTTP/1.1\r\nHost: x\r\n\r\nGET", "GE T", "GET\n"]) {
      const res = await gw.fetch(`/v?m=${encodeURIComponent(m)}`);
      expectGeneric500(res);
      expect(JSON.parse(res.body).httpMessage).toBe("URL Open error");
    }
  });
});

/** Object.prototype's and Function.prototype's members, and other names a careless lookup would find. */
const RUNTIME_NAMES = [
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  "prototype", "then", "length", "name", "globalThis", "process", "fetch", "crypto", "caches",
];

describe("env.NAME and crypto object names", () => {
  it("env.NAME is empty for Object.prototype members, KV and object bindings", async () => {
    const names = [...RUNTIME_NAMES, "CRYPTO_OBJECTS", "CRYPTO_OBJECTS.get", "JSON_VAR", "JSON_VAR.k", "FAKE_KV"];
    const actions = names.map((n, i) => ({ set: `v${i}`, value: `$(env.${n})` }));
    const body = names.map((_, i) => `[$(v${i})]`).join("");
    const gw = safety.gateway(
      jsonFile("e", definition("/e", [{ "set-variable": { actions: [...actions, { set: "message.body", value: body }] } }])),
      { ...env(), FAKE_KV: { get: () => "fake" } },
    );
    const res = await gw.fetch("/e");
    expect(res.status).toBe(200);
    expect(res.body).toBe("[]".repeat(names.length));
  });

  it("a crypto object named like an Object.prototype member is simply not found; a KV binding is refused", async () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "CRYPTO_OBJECTS"]) {
      const gw = safety.gateway(
        jsonFile("c", definition("/c", [
          { "set-variable": { actions: [{ set: "iss.claim", value: "i" }] } },
          { "jwt-generate": { "jws-alg": "HS256", "jws-crypto": name } },
        ])),
        env(),
      );
      const res = await gw.fetch("/c");
      expectGeneric500(res);
      const line = safety.logs.at(-1) ?? "";
      expect(line).toMatch(name === "CRYPTO_OBJECTS" ? /names a binding that is not a secret, var or Secrets Store secret/ : /was not found/);
    }
  });
});

describe("templates reach only variables", () => {
  const PREFIXES = ["", "request.", "request.headers.", "request.parameters.", "message.", "message.headers.", "api.", "api.properties.", "env.", "error.", "jwt-generate."];

  it("Context.get of any prefix + runtime member name is undefined or a string (never a function or runtime object)", () => {
    const api: CompiledApi = {
      file: "x.json", name: "x", version: "1.0.0", title: "x", basePath: "/x",
      properties: { base: Object.assign(Object.create(null) as Record<string, unknown>, { region: "eu" }), byCatalog: new Map() },
      cors: false,
      operations: OperationTable.read(undefined, new ConfigReader("x.json")),
      assembly: { execute: [], catches: [] },
    };
    const ctx = new Context(new Request("https://gw.test/x/y?a=1"), api, { ...env() }, "/y");
    const bad: string[] = [];
    for (const prefix of PREFIXES) {
      for (const name of RUNTIME_NAMES) {
        const value = ctx.get(prefix + name);
        if (value !== undefined && typeof value !== "string") bad.push(`${prefix}${name}: ${typeof value}`);
      }
    }
    // `api.name` is the API's name (a string), `message.*`/`request.*` known names are strings too.
    expect(bad).toEqual([]);
    expect(ctx.get("api.name")).toBe("x");
    expect(ctx.get("region")).toBe("eu");
  });

  it("end to end: $(constructor), $(__proto__), $(toString), $(api.properties.__proto__), $(env.constructor), $(request.headers.__proto__) are unset", async () => {
    const refs = ["constructor", "__proto__", "toString", "hasOwnProperty", "api.properties.__proto__", "api.properties.constructor", "env.constructor", "env.__proto__", "request.headers.__proto__", "request.parameters.constructor", "message.headers.constructor", "api.__proto__", "request.__proto__", "message.__proto__"];
    for (const ref of refs) {
      // Kept raw (type any, one reference), then used as private claims: a function or object
      // would be reported as "found function" / merged; an unset variable is "not set".
      const gw = safety.gateway(
        jsonFile("p", definition("/p", [
          { "set-variable": { actions: [{ set: "iss.claim", value: "i" }, { set: "pc", value: `$(${ref})` }, { set: "txt", value: `[$(${ref})]` }] } },
          { "jwt-generate": { "jws-alg": "HS256", "jws-crypto": "HMAC_KEY", "private-claims": "pc" } },
        ], {
          properties: { region: "eu" },
          catch: [{ default: [{ "set-variable": { actions: [{ set: "message.status.code", value: 200 }, { set: "message.body", value: "$(txt) $(jwt-generate.error-message)" }] } }] }],
        })),
        env(),
      );
      const res = await gw.fetch("/p");
      expect(`${ref}: ${res.body}`).toBe(`${ref}: [] private-claims: variable 'pc' is not set`);
    }
  });

  it("a value from request data that looks like a template is never evaluated", async () => {
    const gw = safety.gateway(
      jsonFile("m", minting(
        [
          { set: "sub.claim", value: "$(request.parameters.v)" },
          { set: "message.headers.X-V", value: "$(request.headers.x-v)" },
          { set: "pc", value: "$(request.parameters.pc)" },
        ],
        { "sub-claim": "sub.claim", "private-claims": "pc" },
      )),
      env(),
    );
    const v = "$(env.ENV_SECRET)$(env.HMAC_KEY)";
    const res = await gw.fetch(`/m?v=${encodeURIComponent(v)}&pc=${encodeURIComponent(JSON.stringify({ x: "$(env.ENV_SECRET)" }))}`, { headers: { "x-v": "$(env.ENV_SECRET)" } });
    const claims = await claimsOf(res);
    expect(claims.sub).toBe(v);
    expect(claims.x).toBe("$(env.ENV_SECRET)");
    expect(res.headers.get("x-v")).toBe("$(env.ENV_SECRET)");
  });
});

describe("isolation: concurrent requests never see each other's claims", () => {
  it("300 concurrent requests over two APIs (HS256, ES256), each token holds exactly its own claims", async () => {
    const actions = [
      { set: "sub.claim", value: "$(request.headers.x-user)" },
      { set: "aud.claim", value: "$(request.parameters.aud)" },
      { set: "pc", value: "$(request.headers.x-claims)" },
      // Every third request names its own kid; the others get the key's (none for HS, thumbprint for ES).
      { set: "kid", value: "$(request.parameters.kid)" },
    ];
    const policy = { "sub-claim": "sub.claim", "aud-claim": "aud.claim", "private-claims": "pc", "custom-kid-value-jws": "kid" };
    const hs = minting(actions, policy);
    const esDef = minting(actions, { ...policy, "jws-alg": "ES256", "jws-crypto": "ES_KEY" });
    const gw = safety.gateway({ ...jsonFile("hs", { ...hs, basePath: "/hs" }), ...jsonFile("es", { ...esDef, basePath: "/es" }) }, env());
    const publicKey = es.publicKey;
    const results = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const useEs = i % 2 === 1;
        const ownKid = i % 3 === 0 ? `kid-${i}` : undefined;
        const res = await gw.fetch(`/${useEs ? "es" : "hs"}/x?aud=aud-${i},shared${ownKid ? `&kid=${ownKid}` : ""}`, {
          headers: { "x-user": `u-${i}`, "x-claims": `{"n":${i},"__proto__":{"n":-1},"tag":"t-${i}"}` },
        });
        if (res.status !== 200) return `#${i}: ${res.status}`;
        const { payload } = useEs ? await verifyJws(res.body, publicKey, "ES256") : await verifyJws(res.body, HMAC, "HS256");
        const c = JSON.parse(payload) as Record<string, unknown>;
        const kid = (JSON.parse(partText(res.body, 0)) as { kid?: string }).kid;
        if (kid !== (ownKid ?? (useEs ? esThumbprint : undefined))) return `#${i}: kid ${kid}`;
        const ok = c.sub === `u-${i}` && c.n === i && c.tag === `t-${i}` && JSON.stringify(c.aud) === JSON.stringify([`aud-${i}`, "shared"]) && Object.keys(c).join() === "iss,sub,aud,exp,iat,n,__proto__,tag";
        return ok ? "" : `#${i}: ${payload}`;
      }),
    );
    expect(results.filter(Boolean)).toEqual([]);
  });
});
