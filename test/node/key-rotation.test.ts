/**
 * Rotation under load through the real worker (Miniflare/workerd): a KV-held JWK Set is rotated
 * three times by docs/keys.md's runbook (publish the next key, promote it, remove the old one)
 * while requests run. Every request must be answered with a token, and every token must verify
 * (with jose) against the JWKS the gateway served at the time the token arrived (the first JWKS
 * fetched after it). KEY_CACHE_TTL is 1 s here so the runbook's waits are short.
 *
 * Requests: ROTATION_REQUESTS (default 5000); concurrency ROTATION_CONCURRENCY (default 16).
 * Also: a Secrets Store binding (as Miniflare runs it) mints a token that the JWKS verifies.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type GeneratedKey } from "../../scripts/keygen";
import { startWorker, type RunningWorker } from "../support/run-worker";

const REQUESTS = Number(process.env.ROTATION_REQUESTS ?? 5000);
const CONCURRENCY = Number(process.env.ROTATION_CONCURRENCY ?? 16);
const TTL_SECONDS = 1;
/** Each runbook step waits the memo TTL plus a margin before the next one. */
const STEP_WAIT_MS = TTL_SECONDS * 1000 + 500;

const mintApi = (base: string, crypto: string) => `swagger: "2.0"
info: {title: Rotation, x-ibm-name: rotation${base.replace(/\W/g, "")}, version: 1.0.0}
basePath: ${base}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: https://issuer.test}
            - {set: sub.claim, value: $(request.headers.x-n)}
      - jwt-generate: {jwt: out.token, iss-claim: iss.claim, sub-claim: sub.claim, jws-alg: ES256, jws-crypto: ${crypto}}
      - set-variable:
          actions:
            - {set: message.body, value: $(out.token)}
`;

let worker: RunningWorker;
let keys: GeneratedKey[];
let storeKey: GeneratedKey;
const setOf = (...ks: GeneratedKey[]) => JSON.stringify({ keys: ks.map((k) => k.privateJwk) });

beforeAll(async () => {
  keys = await Promise.all([1, 2, 3, 4].map((i) => generateKey({ alg: "ES256", kid: `rotation-${i}` })));
  storeKey = await generateKey({ alg: "ES256", kid: "from-secrets-store" });
  worker = await startWorker({
    apis: { "rotation.yaml": mintApi("/r", "signing-set"), "store.yaml": mintApi("/s", "STORE_KEY") },
    bindings: { KEY_CACHE_TTL: String(TTL_SECONDS) },
    kv: { "signing-set": setOf(keys[0]!) },
    secretsStore: { STORE_KEY: JSON.stringify(storeKey.privateJwk) },
  });
}, 120_000);
afterAll(async () => worker?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("key rotation under load", () => {
  it(`rotates a KV key set three times while ${REQUESTS} requests run: every request answered, every token verified by the JWKS of its time`, async () => {
    const kv = await worker.mf.getKVNamespace("CRYPTO_OBJECTS");
    const snapshots: Array<{ startedAt: number; jwks: JSONWebKeySet }> = [];
    const tokens: Array<{ token: string; receivedAt: number }> = [];
    const failures: string[] = [];
    let rotating = true;

    // The origin's view: the JWKS, fetched continuously.
    const poller = (async () => {
      while (rotating || snapshots.length === 0 || snapshots.at(-1)!.startedAt < (tokens.at(-1)?.receivedAt ?? 0)) {
        const startedAt = performance.now();
        const res = await worker.fetch("/.well-known/jwks.json");
        if (res.status !== 200) failures.push(`JWKS answered ${res.status}`);
        else snapshots.push({ startedAt, jwks: (await res.json()) as JSONWebKeySet });
        await sleep(20);
      }
    })();

    // The runbook, three times: publish next, promote it, remove the old one.
    const rotation = (async () => {
      for (let i = 0; i < 3; i++) {
        const [current, next] = [keys[i]!, keys[i + 1]!];
        await sleep(STEP_WAIT_MS);
        await kv.put("signing-set", setOf(current, next)); // publish
        await sleep(STEP_WAIT_MS);
        await kv.put("signing-set", setOf(next, current)); // promote
        await sleep(STEP_WAIT_MS);
        await kv.put("signing-set", setOf(next)); // remove the old key
      }
      await sleep(STEP_WAIT_MS);
      rotating = false;
    })();

    // The load: REQUESTS requests, CONCURRENCY at a time, for as long as the rotation runs.
    let sent = 0;
    const client = async () => {
      while (sent < REQUESTS || rotating) {
        const n = sent++;
        const res = await worker.fetch("/r", { headers: { "x-n": String(n) } });
        const body = await res.text();
        if (res.status !== 200) failures.push(`request ${n}: ${res.status}`);
        else tokens.push({ token: body, receivedAt: performance.now() });
        if (sent >= REQUESTS && rotating) await sleep(5); // enough requests: keep a trickle until the rotation ends
      }
    };
    await Promise.all([rotation, ...Array.from({ length: CONCURRENCY }, client)]);
    await poller;

    expect(failures).toEqual([]);
    expect(tokens.length).toBeGreaterThanOrEqual(REQUESTS);
    // Every key signed some tokens: the rotation happened under load.
    const kids = new Set(tokens.map((t) => decodeProtectedHeader(t.token).kid));
    expect([...kids].sort()).toEqual(["rotation-1", "rotation-2", "rotation-3", "rotation-4"]);

    const keySets = new Map<JSONWebKeySet, ReturnType<typeof createLocalJWKSet>>();
    let unverified = 0;
    for (const { token, receivedAt } of tokens) {
      const snapshot = snapshots.find((s) => s.startedAt >= receivedAt);
      if (!snapshot) throw new Error("no JWKS fetched after a token");
      let keySet = keySets.get(snapshot.jwks);
      if (!keySet) keySets.set(snapshot.jwks, (keySet = createLocalJWKSet(snapshot.jwks)));
      try {
        await jwtVerify(token, keySet, { issuer: "https://issuer.test", algorithms: ["ES256"] });
      } catch {
        unverified++;
      }
    }
    expect(unverified).toBe(0);
    // The JWKS really changed over the run (it was not one static set).
    const published = new Set(snapshots.map((s) => s.jwks.keys.map((k) => k.kid).join(",")));
    expect(published.size).toBeGreaterThanOrEqual(7);
  }, 300_000);

  it("a Secrets Store binding (secrets_store_secrets, Miniflare) mints a token the JWKS verifies", async () => {
    const res = await worker.fetch("/s", { headers: { "x-n": "store" } });
    expect(res.status, worker.logs.slice(-3).join("\n")).toBe(200);
    const token = await res.text();
    expect(decodeProtectedHeader(token).kid).toBe("from-secrets-store");
    const jwks = (await (await worker.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks));
    expect(payload.sub).toBe("store");
  });
});
