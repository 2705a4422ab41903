/** x-edge.cache: reuse of a minted token while its claims and key are the same and it has time left. */
import { jwtVerify } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TokenCache, tokenCache } from "../../../src/policies/jwt-generate/token-cache";
import { decodePart, minter } from "./helpers";

const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");

function cachedMinter(minRemaining: number, secret = hex(32)) {
  const policy = `jws-alg: HS256\njws-crypto: HMAC_SECRET\nsub-claim: sub.claim\nexp-claim: 300\nx-edge:\n  cache: {min-remaining: ${minRemaining}}\n  claims:\n    tenant: $(request.headers.x-tenant)`;
  return minter(policy, { setup: "- {set: sub.claim, value: $(request.headers.x-user)}", bindings: { HMAC_SECRET: `0x${secret}` } });
}

async function mint(gw: ReturnType<typeof minter>, user: string, tenant = "acme") {
  const res = await gw.fetch("/mint", { headers: { "x-user": user, "x-tenant": tenant } });
  const token = await res.text();
  expect(res.status, token).toBe(200);
  return token;
}

afterEach(() => {
  vi.restoreAllMocks();
  tokenCache.clear();
});

describe("x-edge.cache", () => {
  it("hit: the same claims under the same key get the same token", async () => {
    const gw = cachedMinter(60);
    const first = await mint(gw, "alice");
    expect(await mint(gw, "alice")).toBe(first);
    expect(tokenCache.size.entries).toBe(1);
  });

  it("miss on different claims: another sub or another x-edge claim value gets its own token", async () => {
    const gw = cachedMinter(60);
    const alice = await mint(gw, "alice");
    const bob = await mint(gw, "bob");
    const otherTenant = await mint(gw, "alice", "globex");
    expect(new Set([alice, bob, otherTenant]).size).toBe(3);
    expect(decodePart(bob, 1).sub).toBe("bob");
    expect(decodePart(otherTenant, 1)).toMatchObject({ sub: "alice", tenant: "globex" });
    expect(await mint(gw, "alice")).toBe(alice);
  });

  it("miss after key rotation: a new secret never reuses a token signed with the old one", async () => {
    const policy = `jws-alg: HS256\njws-crypto: HMAC_SECRET\nsub-claim: sub.claim\nexp-claim: 300\nx-edge:\n  cache: {min-remaining: 60}`;
    const setup = "- {set: sub.claim, value: alice}";
    const oldSecret = hex(32);
    const newSecret = hex(32);
    const before = await mint(minter(policy, { setup, bindings: { HMAC_SECRET: `0x${oldSecret}` } }), "alice");
    // The same definition and claims, the binding now holding a rotated secret.
    const after = await mint(minter(policy, { setup, bindings: { HMAC_SECRET: `0x${newSecret}` } }), "alice");
    expect(after).not.toBe(before);
    const bytes = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
    await expect(jwtVerify(after, bytes(newSecret))).resolves.toBeTruthy();
    await expect(jwtVerify(before, bytes(oldSecret))).resolves.toBeTruthy();
  });

  it("expiry by min-remaining: a token with less time left than min-remaining is replaced", async () => {
    const gw = cachedMinter(100); // exp-claim 300: reusable while at least 100 s remain, i.e. for 200 s
    const start = Date.now();
    const now = vi.spyOn(Date, "now").mockReturnValue(start);
    const first = await mint(gw, "alice");
    now.mockReturnValue(start + 199_000);
    expect(await mint(gw, "alice")).toBe(first);
    now.mockReturnValue(start + 201_000);
    const second = await mint(gw, "alice");
    expect(second).not.toBe(first);
    expect(decodePart(second, 1).iat).toBe(Math.floor((start + 201_000) / 1000));
  });

  it("concurrent first requests each get a finished, valid token (no pending mint is shared)", async () => {
    const secret = hex(32);
    const gw = cachedMinter(60, secret);
    const tokens = await Promise.all(Array.from({ length: 16 }, () => mint(gw, "alice")));
    const bytes = Uint8Array.from(secret.match(/../g)!.map((b) => parseInt(b, 16)));
    for (const token of tokens) expect((await jwtVerify(token, bytes)).payload.sub).toBe("alice");
    // Concurrent misses may each import the shared secret (each import has its own identity), so each may cache
    // its token; once settled, requests are served from the cache.
    expect(tokenCache.size.entries).toBeGreaterThanOrEqual(1);
    expect(tokenCache.size.entries).toBeLessThanOrEqual(16);
    const next = await mint(gw, "alice");
    expect(tokens).toContain(next);
    expect(await mint(gw, "alice")).toBe(next);
  });

  it("stays bounded in entries and bytes under 100,000 distinct subjects", async () => {
    const cache = new TokenCache({ maxEntries: 1000, maxBytes: 256 * 1024 });
    const gw = cachedMinter(60);
    const sample = await mint(gw, "sample");
    for (let i = 0; i < 100_000; i++) cache.set(`key-${i}`, `${sample}.${i}`, 2_000_000_000);
    const { entries, bytes } = cache.size;
    expect(bytes).toBeLessThanOrEqual(256 * 1024);
    expect(entries).toBeLessThanOrEqual(1000);
    expect(entries).toBeGreaterThan(100); // the byte limit binds here, not the entry count
    // The most recent entries stay, the oldest went.
    expect(cache.get("key-99999", 0, 0)).toBe(`${sample}.99999`);
    expect(cache.get("key-0", 0, 0)).toBeUndefined();
  });

  it("the isolate's cache stays within its limits through the policy", async () => {
    const gw = cachedMinter(60);
    for (let i = 0; i < 300; i++) await mint(gw, `user-${i}`);
    expect(tokenCache.size.entries).toBe(300);
    expect(tokenCache.size.bytes).toBeLessThanOrEqual(tokenCache.limits.maxBytes);
  });
});
