/**
 * The bench's API definitions and key binding names, shared by the Node runner and the bench
 * workers (plain data only: no Node or workerd API here).
 */

/** The token kinds measured. `nested` is RS256 signed, then RSA-OAEP-256 / A128CBC-HS256 encrypted. */
export const CASES = ["HS256", "RS256", "PS256", "ES256", "EdDSA", "nested"] as const;
export type BenchCase = (typeof CASES)[number];

/** `minimal`: the smallest correct hand-written WebCrypto mint, the practical floor for JavaScript. */
export const METHODS = ["policy", "raw", "minimal", "jose", "hono"] as const;
export type BenchMethod = (typeof METHODS)[number];

/** The JWS algorithm of each case (nested signs with RS256). */
export const JWS_ALG: Record<BenchCase, "HS256" | "RS256" | "PS256" | "ES256" | "EdDSA"> = {
  HS256: "HS256",
  RS256: "RS256",
  PS256: "PS256",
  ES256: "ES256",
  EdDSA: "EdDSA",
  nested: "RS256",
};
export const NESTED_JWE = { alg: "RSA-OAEP-256", enc: "A128CBC-HS256" } as const;

/** Worker bindings holding the crypto objects (PEM text, or the HMAC secret as plain text). */
export const SIGNING_BINDING: Record<BenchCase, string> = {
  HS256: "BENCH_HS256_SECRET",
  RS256: "BENCH_RS256_KEY",
  PS256: "BENCH_PS256_KEY",
  ES256: "BENCH_ES256_KEY",
  EdDSA: "BENCH_EDDSA_KEY",
  nested: "BENCH_NESTED_SIGNING_KEY",
};
export const ENCRYPTION_BINDING = "BENCH_NESTED_ENCRYPTION_KEY";
/** The origin's base URL, for the end-to-end gateway. */
export const ORIGIN_BINDING = "BENCH_ORIGIN";

/** The claims every method puts in its token. */
export const CLAIMS = { iss: "https://gateway.example.com", sub: "alice@example.com", aud: "orders-service", lifetime: 300 } as const;

/** jwt-generate's properties for a case; `jwt` set: token into that variable, else `Authorization: Bearer`. */
export function jwtGenerateProperties(c: BenchCase, jwt?: string): Record<string, unknown> {
  const props: Record<string, unknown> = {
    "iss-claim": "iss.claim",
    "sub-claim": "sub.claim",
    "aud-claim": "aud.claim",
    "exp-claim": CLAIMS.lifetime,
    "jti-claim": true,
    "jws-alg": JWS_ALG[c],
    "jws-crypto": SIGNING_BINDING[c],
  };
  if (jwt) props.jwt = jwt;
  if (c === "nested") {
    props["jwe-alg"] = NESTED_JWE.alg;
    props["jwe-enc"] = NESTED_JWE.enc;
    props["jwe-crypto"] = ENCRYPTION_BINDING;
  }
  return props;
}

const SET_CLAIMS = {
  "set-variable": {
    actions: [
      { set: "iss.claim", value: CLAIMS.iss },
      { set: "sub.claim", value: CLAIMS.sub },
      { set: "aud.claim", value: CLAIMS.aud },
    ],
  },
};

function definition(name: string, basePath: string, execute: unknown[]): Record<string, unknown> {
  return {
    swagger: "2.0",
    info: { title: `bench ${name}`, "x-ibm-name": `bench-${name.toLowerCase()}`, version: "1.0.0" },
    basePath,
    "x-ibm-configuration": { assembly: { execute } },
  };
}

/** The mint bench's API: set-variable (iss, sub, aud), then jwt-generate into `out.token`. */
export function mintDefinition(c: BenchCase): Record<string, unknown> {
  return definition(`mint-${c}`, `/mint-${c.toLowerCase()}`, [SET_CLAIMS, { "jwt-generate": jwtGenerateProperties(c, "out.token") }]);
}

const INVOKE = { invoke: { "target-url": `$(env.${ORIGIN_BINDING})$(request.path)`, timeout: 10 } };

/**
 * End to end: the base path of each API. `opswitch20` is the passthrough behind a 20-case operation-switch;
 * `script15` is the HS256 API with a 15-line gatewayscript before jwt-generate.
 */
export const E2E_APIS = ["bare", "passthrough", "opswitch20", ...CASES, "RS256-cached", "nested-cached", "script15"] as const;
export type E2eApi = (typeof E2E_APIS)[number];
export const e2eBasePath = (a: E2eApi) => `/${a.toLowerCase()}`;

/** How many cases the operation-switch bench API has; the request (`GET /items/{id}`) selects the last one. */
export const OPSWITCH_CASES = 20;

/**
 * `opswitch20`: 20 operations under `paths`, an operation-switch with one case per operation (each sets a
 * header), then the passthrough's invoke. Measures operation matching plus the switch against `passthrough`.
 */
function operationSwitchDefinition(a: E2eApi): Record<string, unknown> {
  const ops = Array.from({ length: OPSWITCH_CASES }, (_, i) =>
    i === OPSWITCH_CASES - 1 ? { path: "/items/{id}", id: "getItem" } : { path: `/resource${i}/{id}`, id: `getResource${i}` },
  );
  const doc = definition(a, e2eBasePath(a), [
    {
      "operation-switch": {
        version: "2.0.0",
        case: ops.map((op, i) => ({
          operations: [i % 2 === 0 ? op.id : { verb: "get", path: op.path }],
          execute: [{ "set-variable": { actions: [{ set: "message.headers.x-case", value: String(i) }] } }],
        })),
        otherwise: [{ throw: { name: "NoCase", message: "no case" } }],
      },
    },
    INVOKE,
  ]);
  doc.paths = Object.fromEntries(ops.map((op) => [op.path, { get: { operationId: op.id, responses: { "200": { description: "OK" } } } }]));
  return doc;
}

/** The kind of token an e2e API mints, where its name is not a case: the origin checks it as that case. */
export const E2E_TOKEN_CASE: Partial<Record<E2eApi, BenchCase>> = { script15: "HS256", "RS256-cached": "RS256", "nested-cached": "nested" };

/**
 * x-edge.cache for the `*-cached` APIs: every request has the same claims, so after the first token each is
 * served from the cache for (300 − 60) s. reuse-jti: the bench's claims keep jti-claim: true.
 */
const CACHED = { "x-edge": { cache: { "min-remaining": 60, "reuse-jti": true } } };

/**
 * A typical 15-line claims-shaping script (v10 style): reads headers, parameters and the request, sets the
 * subject (CLAIMS.sub, lower-cased, so the origin's check holds), two variables and a header.
 */
export const SCRIPT_15_LINES = [
  "var user = context.get('request.headers.x-user') || 'anonymous';",
  "var tenant = context.get('request.parameters.tenant') || 'default';",
  "var roles = [];",
  "var path = context.get('request.path') || '';",
  "if (path.indexOf('/items') === 0) {",
  "  roles.push('items.read');",
  "}",
  "if (context.get('request.verb') !== 'GET') {",
  "  roles.push('items.write');",
  "}",
  "scope = roles.join(' ');",
  "context.set('sub.claim', String(context.get('sub.claim')).toLowerCase());",
  "context.set('bench.user', user + '@' + tenant);",
  "context.set('bench.scope', scope);",
  "context.message.header.set('X-Tenant', tenant);",
].join("\n");

/**
 * End-to-end APIs: passthrough (invoke only), opswitch20 (above) and, per case, set-variable +
 * jwt-generate (Authorization) + invoke.
 */
export function e2eSources(): { file: string; definition: unknown }[] {
  // `bare` is not a definition: it is a separate worker that only fetches the origin (bench/run.ts).
  return E2E_APIS.filter((a) => a !== "bare").map((a) => ({
    file: `bench-${a.toLowerCase()}.json`,
    definition:
      a === "passthrough"
        ? definition(a, e2eBasePath(a), [INVOKE])
        : a === "opswitch20"
          ? operationSwitchDefinition(a)
          : a === "script15"
            ? definition(a, e2eBasePath(a), [SET_CLAIMS, { gatewayscript: { version: "2.0.0", source: SCRIPT_15_LINES } }, { "jwt-generate": jwtGenerateProperties("HS256") }, INVOKE])
            : a === "RS256-cached" || a === "nested-cached"
              ? definition(a, e2eBasePath(a), [SET_CLAIMS, { "jwt-generate": { ...jwtGenerateProperties(a === "RS256-cached" ? "RS256" : "nested"), ...CACHED } }, INVOKE])
              : definition(a, e2eBasePath(a), [SET_CLAIMS, { "jwt-generate": jwtGenerateProperties(a) }, INVOKE]),
  }));
}
