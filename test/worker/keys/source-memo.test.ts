/**
 * The key-source memo (src/keys/resolve.ts) through the gateway: how many KV and Secrets Store
 * reads requests cost, what happens when the TTL expires, and stale-on-error when KV fails.
 * Time is moved with fake Dates; KV and Secrets Store are fakes that count their reads.
 */
import { importJWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearKeySourceMemo, keySourceReads } from "../../../src/keys";
import { captureLogs } from "../gateway-helpers";
import { keyPairFor, minter } from "../jwt-generate/helpers";

/** A fake KV namespace: `values` by name; `fail` makes every read throw; `reads` counts per name. */
function countingKv(values: Record<string, string>) {
  const state = { fail: false, reads: new Map<string, number>() };
  return {
    state,
    get: async (name: string) => {
      state.reads.set(name, (state.reads.get(name) ?? 0) + 1);
      if (state.fail) throw new Error("KV backend said: internal detail 7f3a");
      return values[name] ?? null;
    },
    put: async (name: string, value: string) => void (values[name] = value),
    list: async () => ({ keys: [] }),
  };
}

let now = Date.now();
const at = (ms: number) => vi.setSystemTime(ms);

beforeEach(() => {
  clearKeySourceMemo();
  now = Date.now();
  vi.useFakeTimers({ now, toFake: ["Date"] });
});
afterEach(() => vi.useRealTimers());

async function mintMany(gw: ReturnType<typeof minter>, n: number, concurrency: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i += concurrency) {
    const batch = await Promise.all(Array.from({ length: Math.min(concurrency, n - i) }, () => gw.fetch("/mint")));
    for (const res of batch) {
      expect(res.status).toBe(200);
      tokens.push(await res.text());
    }
  }
  return tokens;
}

describe("KV reads per key per TTL", () => {
  it("1,000 requests (100 at a time) over two KV-held keys: one read per key; after the TTL, one more each", async () => {
    const [sig, enc] = await Promise.all([keyPairFor("ES256"), keyPairFor("RS256")]);
    const kv = countingKv({ "sig-key": sig.privatePem, "enc-key": enc.publicPem });
    const gw = minter("jws-alg: ES256\njws-crypto: sig-key\njwe-alg: RSA-OAEP-256\njwe-enc: A256GCM\njwe-crypto: enc-key", { bindings: { CRYPTO_OBJECTS: kv } });
    await mintMany(gw, 1, 1); // the first request reads; concurrent first requests would each read (no shared promise)
    await mintMany(gw, 999, 100);
    expect(Object.fromEntries(kv.state.reads)).toEqual({ "sig-key": 1, "enc-key": 1 });
    expect(keySourceReads()).toBe(2);

    at(now + 59_000);
    await mintMany(gw, 100, 100);
    expect(keySourceReads()).toBe(2);

    // Expired: 100 concurrent requests, one of them refreshes each key, the others use the old text.
    at(now + 61_000);
    await mintMany(gw, 100, 100);
    expect(Object.fromEntries(kv.state.reads)).toEqual({ "sig-key": 2, "enc-key": 2 });
  });

  it("KEY_CACHE_TTL sets the period (seconds)", async () => {
    const sig = await keyPairFor("ES256");
    const kv = countingKv({ k: sig.privatePem });
    const gw = minter("jws-alg: ES256\njws-crypto: k", { bindings: { CRYPTO_OBJECTS: kv, KEY_CACHE_TTL: "5" } });
    await mintMany(gw, 10, 1);
    at(now + 4_000);
    await mintMany(gw, 10, 1);
    expect(kv.state.reads.get("k")).toBe(1);
    at(now + 5_000);
    await mintMany(gw, 10, 1);
    expect(kv.state.reads.get("k")).toBe(2);
  });

  it("a rotated KV value is used once the TTL has passed", async () => {
    const [a, b] = await Promise.all([keyPairFor("ES256"), keyPairFor("ES384")]);
    const values: Record<string, string> = { k: a.privatePem };
    const kv = countingKv(values);
    const gw = minter("jws-alg: ES256\njws-crypto: k", { bindings: { CRYPTO_OBJECTS: kv } });
    const [first] = await mintMany(gw, 1, 1);
    values.k = "not a key any more";
    at(now + 30_000);
    const [still] = await mintMany(gw, 1, 1);
    await jwtVerify(still!, a.publicKey);
    at(now + 60_000);
    expect((await captureLogs(() => gw.fetch("/mint"))).result.status).toBe(500);
    expect(first).toBeTruthy();
  });
});

describe("stale-on-error", () => {
  it("KV throwing mid-run: every request still gets a token from the last good key; one warning per retry, no key material or storage detail", async () => {
    const sig = await keyPairFor("ES256");
    const kv = countingKv({ k: sig.privatePem });
    const gw = minter("jws-alg: ES256\njws-crypto: k", { bindings: { CRYPTO_OBJECTS: kv } });
    await mintMany(gw, 1, 1);
    await mintMany(gw, 50, 10);
    kv.state.fail = true;
    at(now + 61_000);
    const { result: tokens, lines } = await captureLogs(() => mintMany(gw, 500, 50));
    for (const token of tokens.slice(0, 5).concat(tokens.slice(-5))) await jwtVerify(token, sig.publicKey);
    expect(tokens).toHaveLength(500);
    // One refresh attempt failed: one read, one warning; the next attempt waits 5 s.
    expect(kv.state.reads.get("k")).toBe(2);
    expect(lines).toEqual([JSON.stringify({ level: "warn", message: "crypto object 'k' could not be read from KV (Error); using the copy read 61 s ago" })]);
    expect(lines.join("\n")).not.toMatch(/internal detail|BEGIN|PRIVATE/);

    at(now + 67_000);
    const again = await captureLogs(() => mintMany(gw, 20, 20));
    expect(kv.state.reads.get("k")).toBe(3);
    expect(again.lines).toHaveLength(1);

    // KV recovers: the next attempt reads it, and the warnings stop.
    kv.state.fail = false;
    at(now + 73_000);
    const recovered = await captureLogs(() => mintMany(gw, 20, 20));
    expect(recovered.lines).toEqual([]);
    expect(kv.state.reads.get("k")).toBe(4);
  });

  it("the stale copy is bounded: KEY_STALE_TTL after expiry, requests fail with a named error", async () => {
    const sig = await keyPairFor("ES256");
    const kv = countingKv({ k: sig.privatePem });
    const gw = minter("jws-alg: ES256\njws-crypto: k", { bindings: { CRYPTO_OBJECTS: kv, KEY_STALE_TTL: "120" } });
    await mintMany(gw, 1, 1);
    kv.state.fail = true;
    at(now + 60_000 + 119_000);
    const inside = await captureLogs(() => gw.fetch("/mint"));
    expect(inside.result.status).toBe(200);
    at(now + 60_000 + 120_000);
    const { result, lines } = await captureLogs(() => gw.fetch("/mint"));
    expect(result.status).toBe(500);
    expect(lines.some((l) => l.includes("crypto object 'k' could not be read from KV (Error)"))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/internal detail/);
  });

  it("without a good copy, a KV failure is an error at once", async () => {
    const kv = countingKv({});
    kv.state.fail = true;
    const gw = minter("jws-alg: ES256\njws-crypto: k", { bindings: { CRYPTO_OBJECTS: kv } });
    const { result, lines } = await captureLogs(() => gw.fetch("/mint"));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toMatch(/crypto object 'k' could not be read from KV \(Error\)/);
  });
});

describe("Secrets Store bindings", () => {
  /** A fake Secrets Store secret binding: get() only, counting reads. */
  const secretsStoreSecret = (value: string) => {
    const binding = { reads: 0, get: async () => (binding.reads++, value) };
    return binding;
  };

  it("a crypto object held in a Secrets Store secret mints tokens that verify; read once per TTL", async () => {
    const sig = await keyPairFor("ES256");
    const store = secretsStoreSecret(JSON.stringify(sig.privateJwk));
    const gw = minter("jws-alg: ES256\njws-crypto: SIGNING", { bindings: { SIGNING: store } });
    await mintMany(gw, 1, 1);
    const tokens = await mintMany(gw, 200, 50);
    await jwtVerify(tokens[0]!, await importJWK(sig.publicJwk, "ES256"));
    await jwtVerify(tokens[199]!, sig.publicKey);
    expect(store.reads).toBe(1);
    at(now + 60_000);
    await mintMany(gw, 10, 10);
    expect(store.reads).toBe(2);
  });

  it("an empty Secrets Store secret is a named error", async () => {
    const gw = minter("jws-alg: ES256\njws-crypto: SIGNING", { bindings: { SIGNING: secretsStoreSecret("") } });
    const { result, lines } = await captureLogs(() => gw.fetch("/mint"));
    expect(result.status).toBe(500);
    expect(lines.join("\n")).toMatch(/crypto object 'SIGNING' is an empty Secrets Store secret/);
  });
});
