/**
 * Faults: an origin that refuses, is too slow or answers 5xx; a KV namespace that throws; a secret
 * removed or rotated between requests; a malformed key written to KV while traffic flows. For each,
 * the documented response (SECURITY.md, "Faults"), and a healthy API in the same gateway answering
 * correctly during and right after the fault. Every response and log line goes through the
 * secret-hygiene recorder.
 */
import { calculateJwkThumbprint } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../gateway-helpers";
import { GENERIC_500, isGatewayFault, print, useSafety, type SafeGateway } from "./recorder";
import { definition, expectGeneric500, hex, jsonFile, partText, randomBytes, signingPair, verifyJws, type SigningPair } from "./support";

const safety = useSafety("faults");
const HEALTHY_SECRET = randomBytes(32);
const HS_A = randomBytes(32);
const HS_B = randomBytes(32);
let a: SigningPair;
let b: SigningPair;
let p384: SigningPair;
let rsa: SigningPair;
let thumbA: string;
let thumbB: string;
let gw: SafeGateway;
let healthyServed = 0;
let faultsInjected = 0;
const faultKinds = new Set<string>();

/** The fake KV the gateway reads crypto objects from: tests swap `behaviour`. */
let kvBehaviour: (name: string) => Promise<string | null> | string | null = () => null;
const fakeKv = { get: (name: string) => kvBehaviour(name) };

/** A "jwt-generate then invoke the echo origin" API. */
function minting(basePath: string, policy: Record<string, unknown>, target = "$(env.ORIGIN_URL)$(request.path)", invoke: Record<string, unknown> = {}) {
  return jsonFile(basePath.slice(1), definition(basePath, [
    { "set-variable": { actions: [{ set: "iss.claim", value: "https://issuer.test" }, { set: "sub.claim", value: "$(request.headers.x-user)" }] } },
    { "jwt-generate": { "sub-claim": "sub.claim", ...policy } },
    { invoke: { "target-url": target, ...invoke } },
  ], { name: basePath.slice(1) }));
}

beforeAll(async () => {
  [a, b, p384, rsa] = await Promise.all([signingPair("ES256"), signingPair("ES256"), signingPair("ES384"), signingPair("RS256")]);
  thumbA = await calculateJwkThumbprint(a.publicJwk as never);
  thumbB = await calculateJwkThumbprint(b.publicJwk as never);
  for (const [label, pair] of [["a", a], ["b", b], ["p384", p384], ["rsa", rsa]] as const) safety.secrets.addPem(label, pair.privatePem).addJwk(`${label}-jwk`, pair.privateJwk);
  safety.secrets.addBytes("healthy", HEALTHY_SECRET).addBytes("hs-a", HS_A).addBytes("hs-b", HS_B);
  gw = safety.gateway(
    {
      ...minting("/healthy", { "jws-alg": "HS256", "jws-crypto": "HEALTHY_KEY" }),
      ...minting("/slow", { "jws-alg": "HS256", "jws-crypto": "HEALTHY_KEY" }, "$(env.ORIGIN_URL)/slow/3000", { timeout: 1 }),
      ...minting("/status", { "jws-alg": "HS256", "jws-crypto": "HEALTHY_KEY" }, "$(env.ORIGIN_URL)/status$(request.path)"),
      ...minting("/kv", { "jws-alg": "ES256", "jws-crypto": "kv-signing-key" }),
      ...minting("/rotating", { "jws-alg": "ES256", "jws-crypto": "ROTATING_KEY" }),
      ...minting("/rotating-hs", { "jws-alg": "HS256", "jws-crypto": "ROTATING_HS" }),
      ...minting("/realkv", { "jws-alg": "ES256", "jws-crypto": "safety-flipping-key" }),
    },
    { ...testEnv, HEALTHY_KEY: `0x${hex(HEALTHY_SECRET)}`, ROTATING_KEY: a.privatePem, ROTATING_HS: `0x${hex(HS_A)}` },
  );
});

afterAll(() => {
  print(`faults: ${faultsInjected} faulty requests over ${faultKinds.size} kinds of fault (${[...faultKinds].join(", ")}); ${healthyServed} healthy requests served correctly alongside`);
});

/** The bearer token the echo origin received, from a 200 response. */
function bearerOf(body: string): string {
  const echo = JSON.parse(body) as { headers: Record<string, string> };
  const token = /^Bearer (\S+)$/.exec(echo.headers.authorization ?? "")?.[1];
  if (!token) throw new Error("no bearer token reached the origin");
  return token;
}

let userSeq = 0;
/** One request to the healthy API: 200, a token that verifies, the sub of this request. */
async function healthy(): Promise<void> {
  const user = `healthy-${++userSeq}`;
  const res = await gw.fetch("/healthy/ok", { headers: { "x-user": user } });
  expect(res.status, res.body).toBe(200);
  const { payload } = await verifyJws(bearerOf(res.body), HEALTHY_SECRET, "HS256");
  expect(JSON.parse(payload).sub).toBe(user);
  healthyServed++;
}

/** Runs `fault` with healthy requests alongside, then one more healthy request right after. */
async function duringFault<T>(kind: string, fault: () => Promise<T>, alongside = 5): Promise<T> {
  faultKinds.add(kind);
  const [result] = await Promise.all([fault(), ...Array.from({ length: alongside }, healthy)]);
  await healthy();
  return result;
}

const faulty = async (path: string, init?: RequestInit) => {
  faultsInjected++;
  return gw.fetch(path, init);
};

// A refused connection is tested through the real worker (test/node/safety-faults.test.ts): workerd prints
// its own "uncaught exception" block for every failed subrequest here, even when the gateway catches it.
describe("origin faults", () => {
  it("origin slower than timeout: 500 URL Open error after the timeout, healthy requests served meanwhile", async () => {
    const started = Date.now();
    const slow = faulty("/slow/x", { headers: { "x-user": "u" } });
    // While the slow request waits, the healthy API keeps answering.
    for (let i = 0; i < 10; i++) await healthy();
    expect(Date.now() - started).toBeLessThan(1000);
    faultKinds.add("origin slower than timeout");
    const res = await slow;
    expect(Date.now() - started).toBeLessThan(2900);
    expect(res.body).toBe(GENERIC_500.connection);
    expect(safety.logs.some((l) => l.includes("did not answer within 1 s"))).toBe(true);
    await healthy();
  });

  for (const code of [500, 502, 503, 504]) {
    it(`origin answers ${code}: passed through as the origin's own status and body`, async () => {
      const res = await duringFault("origin 5xx", () => faulty(`/status/${code}`, { headers: { "x-user": "u" } }));
      expect(res.status).toBe(code);
      expect(res.headers.get("x-echo")).toBe("1");
      expect((JSON.parse(res.body) as { path: string }).path).toBe(`/status/${code}`);
    });
  }
});

describe("KV faults", () => {
  // No memo and no stale copy: every request reads KV, so each fault is seen (stale-on-error: test/worker/keys/source-memo.test.ts).
  beforeAll(() => {
    Object.assign(gw.env, { CRYPTO_OBJECTS: fakeKv, KEY_CACHE_TTL: "0", KEY_STALE_TTL: "0" });
  });
  afterAll(() => {
    Object.assign(gw.env, { CRYPTO_OBJECTS: testEnv.CRYPTO_OBJECTS, KEY_CACHE_TTL: undefined, KEY_STALE_TTL: undefined });
  });

  const SECRET_IN_ERROR = `kv-internal-detail-${hex(randomBytes(16))}`;
  const failures: Record<string, (name: string) => Promise<string | null> | string | null> = {
    "get throws": () => {
      throw new Error(`storage exploded: ${SECRET_IN_ERROR}`);
    },
    "get rejects": () => Promise.reject(new TypeError(`network: ${SECRET_IN_ERROR}`)),
    "get rejects with a string": () => Promise.reject(SECRET_IN_ERROR),
    "get returns null (key missing)": () => null,
  };
  for (const [what, behaviour] of Object.entries(failures)) {
    it(`KV read fails (${what}): 500 Invalid-JWT-Generate; the storage error's message is not forwarded`, async () => {
      safety.secrets.addText("kv error detail", SECRET_IN_ERROR);
      kvBehaviour = behaviour;
      const res = await duringFault("KV read fails", () => faulty("/kv/x", { headers: { "x-user": "u" } }));
      expectGeneric500(res);
      expect(res.body).toBe(GENERIC_500.jwt);
      const line = [...safety.logs].reverse().find((l) => l.includes("kv-signing-key")) ?? "";
      expect(line).toMatch(what.includes("null") ? /was not found/ : /could not be read from KV \((Error|TypeError|error)\)/);
      // And once KV recovers, the same API works again.
      kvBehaviour = () => a.privatePem;
      const ok = await gw.fetch("/kv/x", { headers: { "x-user": "after" } });
      expect(ok.status).toBe(200);
      await verifyJws(bearerOf(ok.body), a.publicKey, "ES256");
    });
  }
});

describe("secrets removed or rotated between requests", () => {
  async function mintRotating(): Promise<{ status: number; token?: string; body: string }> {
    const res = await faulty("/rotating/x", { headers: { "x-user": "r" } });
    return res.status === 200 ? { status: 200, token: bearerOf(res.body), body: res.body } : { status: res.status, body: res.body };
  }

  it("an asymmetric secret rotated A → B → A: each token verifies with the key of its moment only, kid follows", async () => {
    faultKinds.add("secret rotated");
    gw.env.ROTATING_KEY = a.privatePem;
    const first = await mintRotating();
    await verifyJws(first.token!, a.publicKey, "ES256");
    expect(JSON.parse(partText(first.token!, 0)).kid).toBe(thumbA);

    gw.env.ROTATING_KEY = b.privatePem;
    const [second] = await Promise.all([mintRotating(), healthy()]);
    await verifyJws(second.token!, b.publicKey, "ES256");
    await expect(verifyJws(second.token!, a.publicKey, "ES256")).rejects.toThrow();
    expect(JSON.parse(partText(second.token!, 0)).kid).toBe(thumbB);

    gw.env.ROTATING_KEY = JSON.stringify(a.privateJwk);
    const third = await mintRotating();
    await verifyJws(third.token!, a.publicKey, "ES256");
    await expect(verifyJws(third.token!, b.publicKey, "ES256")).rejects.toThrow();
  });

  it("a shared secret rotated: the old secret no longer verifies", async () => {
    gw.env.ROTATING_HS = `0x${hex(HS_A)}`;
    const one = await faulty("/rotating-hs/x", { headers: { "x-user": "r" } });
    await verifyJws(bearerOf(one.body), HS_A, "HS256");
    gw.env.ROTATING_HS = `0x${hex(HS_B)}`;
    const two = await faulty("/rotating-hs/x", { headers: { "x-user": "r" } });
    await verifyJws(bearerOf(two.body), HS_B, "HS256");
    await expect(verifyJws(bearerOf(two.body), HS_A, "HS256")).rejects.toThrow();
  });

  it("a secret removed: 500 Invalid-JWT-Generate (not found); restored: tokens again", async () => {
    faultKinds.add("secret removed");
    delete gw.env.ROTATING_KEY;
    const gone = await duringFault("secret removed", () => faulty("/rotating/x", { headers: { "x-user": "r" } }));
    expect(gone.body).toBe(GENERIC_500.jwt);
    expect([...safety.logs].reverse().find((l) => l.includes("ROTATING_KEY"))).toMatch(/crypto object 'ROTATING_KEY' was not found/);
    gw.env.ROTATING_KEY = a.privatePem;
    const back = await mintRotating();
    await verifyJws(back.token!, a.publicKey, "ES256");
  });

  it("a secret replaced by something malformed, then fixed: 500 while malformed, never a token from the old key", async () => {
    for (const bad of ["", "   ", a.privatePem.slice(0, 120), a.publicPem, p384.privatePem, JSON.stringify({ ...a.privateJwk, d: undefined }), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"]) {
      gw.env.ROTATING_KEY = bad;
      const res = await duringFault("secret malformed", async () => faulty("/rotating/x", { headers: { "x-user": "r" } }), 1);
      expect(res.body).toBe(GENERIC_500.jwt);
    }
    gw.env.ROTATING_KEY = a.privatePem;
    await verifyJws((await mintRotating()).token!, a.publicKey, "ES256");
  });
});

/**
 * The value under a KV key flips between good keys and malformed ones while requests are in
 * flight. Every response must be a token that verifies with the key whose kid it carries (A or
 * B), or the generic 500 — never a token signed with a key other than the one it names.
 */
async function flipping(label: string, setValue: (v: string) => Promise<void> | void, requests: number) {
  const values = [
    a.privatePem,
    a.privatePem.slice(0, 100),
    b.privatePem,
    "garbage that is not a key at all",
    a.publicPem,
    p384.privatePem,
    JSON.stringify(a.privateJwk),
    JSON.stringify({ ...b.privateJwk, d: undefined }),
    rsa.privatePem,
    `${a.privatePem.slice(0, 60)}!!!!${a.privatePem.slice(64)}`,
    JSON.stringify(b.privateJwk),
  ];
  let done = false;
  let flips = 0;
  const flipper = (async () => {
    while (!done) {
      await setValue(values[flips++ % values.length] as string);
      await new Promise((r) => setTimeout(r, Math.random() * 2));
    }
  })();
  const outcomes = { tokenA: 0, tokenB: 0, generic500: 0 };
  const problems: string[] = [];
  await Promise.all(
    Array.from({ length: requests }, async (_, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      // Each request writes the next value just before it reads: requests in flight see it change.
      await setValue(values[flips++ % values.length] as string);
      faultsInjected++;
      const res = await gw.fetch(label, { headers: { "x-user": `f-${i}` } });
      if (res.status === 500) {
        if (res.body !== GENERIC_500.jwt) problems.push(`#${i}: 500 ${res.body}`);
        else outcomes.generic500++;
        return;
      }
      if (res.status !== 200) return void problems.push(`#${i}: ${res.status} ${res.body.slice(0, 200)}`);
      const token = bearerOf(res.body);
      const kid = JSON.parse(partText(token, 0)).kid as string;
      const key = kid === thumbA ? a.publicKey : kid === thumbB ? b.publicKey : undefined;
      if (!key) return void problems.push(`#${i}: kid ${kid} is neither A nor B`);
      try {
        const { payload } = await verifyJws(token, key, "ES256");
        if (JSON.parse(payload).sub !== `f-${i}`) problems.push(`#${i}: sub mismatch`);
        if (kid === thumbA) outcomes.tokenA++;
        else outcomes.tokenB++;
      } catch {
        problems.push(`#${i}: token with kid ${kid === thumbA ? "A" : "B"} does not verify with that key`);
      }
    }),
  );
  done = true;
  await flipper;
  return { outcomes, problems, flips };
}

describe("a malformed key written to KV while traffic flows", () => {
  it("fake KV flipping between good and bad values under 300 concurrent requests", async () => {
    faultKinds.add("KV value flipping (fake KV)");
    // Every request reads KV (no memo), so the flips are seen between requests.
    Object.assign(gw.env, { CRYPTO_OBJECTS: fakeKv, KEY_CACHE_TTL: "0" });
    let current = a.privatePem;
    kvBehaviour = async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      return current;
    };
    const [{ outcomes, problems, flips }] = await Promise.all([
      flipping("/kv/x", (v) => void (current = v), 300),
      ...Array.from({ length: 10 }, healthy),
    ]);
    Object.assign(gw.env, { CRYPTO_OBJECTS: testEnv.CRYPTO_OBJECTS, KEY_CACHE_TTL: undefined });
    print(`faults: fake KV flipped ${flips} times under 300 requests: ${JSON.stringify(outcomes)}`);
    expect(problems).toEqual([]);
    expect(outcomes.generic500).toBeGreaterThan(0);
    expect(outcomes.tokenA + outcomes.tokenB).toBeGreaterThan(0);
    await healthy();
  });

  it("workerd's KV namespace written while 200 requests read it", async () => {
    faultKinds.add("KV value flipping (workerd KV)");
    const kv = testEnv.CRYPTO_OBJECTS;
    gw.env.KEY_CACHE_TTL = "0";
    await kv.put("safety-flipping-key", a.privatePem);
    const { outcomes, problems, flips } = await flipping("/realkv/x", (v) => kv.put("safety-flipping-key", v), 200);
    gw.env.KEY_CACHE_TTL = undefined;
    print(`faults: workerd KV written ${flips} times under 200 requests: ${JSON.stringify(outcomes)}`);
    expect(problems).toEqual([]);
    expect(outcomes.generic500 + outcomes.tokenA + outcomes.tokenB).toBe(200);
    await healthy();
  });

  it("a Workers secret flipping between good and bad values under 300 concurrent requests (the policy's key memo)", async () => {
    faultKinds.add("secret value flipping");
    const { outcomes, problems, flips } = await flipping("/rotating/x", (v) => void (gw.env.ROTATING_KEY = v), 300);
    gw.env.ROTATING_KEY = a.privatePem;
    print(`faults: secret flipped ${flips} times under 300 requests: ${JSON.stringify(outcomes)}`);
    expect(problems).toEqual([]);
    expect(outcomes.generic500).toBeGreaterThan(0);
    expect(outcomes.tokenA).toBeGreaterThan(0);
    expect(outcomes.tokenB).toBeGreaterThan(0);
    await healthy();
  });

  it("no fault was answered by the gateway's last-resort handler", () => {
    expect(safety.logs.filter(isGatewayFault)).toEqual([]);
  });
});
