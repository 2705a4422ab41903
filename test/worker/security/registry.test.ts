import { describe, expect, it } from "vitest";
import { AppRegistry, APP_TTL_MS, MAX_ENTRIES, MISSING_TTL_MS, RegistryError } from "../../../src/security/registry";
import { derive, fromBase64Url, hashSecret } from "../../../src/security/secret-hash";
import { newApplication, rotateSecret } from "../../../src/security/new-app";

/** A KV stand-in that counts reads and answers from a map (or with a pending promise the test settles). */
function fakeKv(entries: Record<string, string> = {}) {
  const data = new Map(Object.entries(entries));
  const kv = {
    reads: 0,
    cacheTtls: [] as (number | undefined)[],
    data,
    async get(key: string, opts?: { cacheTtl?: number }): Promise<string | null> {
      kv.reads++;
      kv.cacheTtls.push(opts?.cacheTtl);
      return data.get(key) ?? null;
    },
  };
  return kv;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("client secrets: PBKDF2-SHA256", () => {
  it("matches RFC 7914 §11's PBKDF2-HMAC-SHA256 vector (the first 32 bytes)", async () => {
    const out = await derive("passwd", new TextEncoder().encode("salt") as Uint8Array<ArrayBuffer>, 1);
    expect(hex(out)).toBe("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
  });

  it("uses a fresh salt per secret: the same secret hashes differently, and verifies against each", async () => {
    const a = await hashSecret("the same secret, twice over", 1000);
    const b = await hashSecret("the same secret, twice over", 1000);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(fromBase64Url(a.salt)).toHaveLength(16);
    const registry = new AppRegistry();
    expect(await registry.verifySecret("c", { name: "n", enabled: true, secret: a }, "the same secret, twice over")).toBe(true);
    expect(await registry.verifySecret("c2", { name: "n", enabled: true, secret: b }, "the same secret, twice over")).toBe(true);
    expect(await registry.verifySecret("c3", { name: "n", enabled: true, secret: b }, "the same secret, twice over!")).toBe(false);
  });

  it("a rotated secret replaces the old one, also after the old one was verified and remembered", async () => {
    const app = await newApplication("rotating", { secret: true });
    const registry = new AppRegistry();
    expect(await registry.verifySecret(app.id, app.record, app.secret!)).toBe(true);
    const rotated = await rotateSecret(app.record);
    expect(await registry.verifySecret(app.id, rotated.record, app.secret!)).toBe(false);
    expect(await registry.verifySecret(app.id, rotated.record, rotated.secret)).toBe(true);
  });
});

describe("the application cache (per isolate)", () => {
  it("reads KV once per TTL for a known ID, with KV's cacheTtl, and sees a change after the TTL", async () => {
    let now = 1_000_000;
    const kv = fakeKv({ app1: JSON.stringify({ name: "one", enabled: true }) });
    const registry = new AppRegistry(() => now);
    expect((await registry.lookup(kv, "app1"))?.enabled).toBe(true);
    kv.data.set("app1", JSON.stringify({ name: "one", enabled: false }));
    now += APP_TTL_MS - 1;
    expect((await registry.lookup(kv, "app1"))?.enabled).toBe(true);
    expect(kv.reads).toBe(1);
    now += 1;
    expect((await registry.lookup(kv, "app1"))?.enabled).toBe(false);
    expect(kv.reads).toBe(2);
    expect(kv.cacheTtls).toEqual([30, 30]);
  });

  it("remembers an unknown ID briefly, so repeating it does not read KV each time", async () => {
    let now = 0;
    const kv = fakeKv();
    const registry = new AppRegistry(() => now);
    for (let i = 0; i < 50; i++) expect(await registry.lookup(kv, "nobody")).toBeNull();
    expect(kv.reads).toBe(1);
    kv.data.set("nobody", JSON.stringify({ name: "late", enabled: true }));
    now += MISSING_TTL_MS;
    expect((await registry.lookup(kv, "nobody"))?.name).toBe("late");
    expect(kv.reads).toBe(2);
  });

  it("refuses an overlong ID without reading KV, and stays bounded when many IDs are tried", async () => {
    const kv = fakeKv();
    const registry = new AppRegistry(() => 0);
    expect(await registry.lookup(kv, "x".repeat(257))).toBeNull();
    expect(kv.reads).toBe(0);
    for (let i = 0; i <= MAX_ENTRIES; i++) await registry.lookup(kv, `id-${i}`);
    expect(kv.reads).toBe(MAX_ENTRIES + 1);
    // The oldest entry was dropped (read again); the newest is still cached.
    await registry.lookup(kv, "id-0");
    await registry.lookup(kv, `id-${MAX_ENTRIES}`);
    expect(kv.reads).toBe(MAX_ENTRIES + 2);
  });

  it("keeps a real application cached while a flood of unknown IDs passes through", async () => {
    const kv = fakeKv({ real: JSON.stringify({ name: "real app", enabled: true }) });
    const registry = new AppRegistry(() => 0);
    expect((await registry.lookup(kv, "real"))?.name).toBe("real app");
    for (let i = 0; i < MAX_ENTRIES * 2; i++) expect(await registry.lookup(kv, `made-up-${i}`)).toBeNull();
    const reads = kv.reads;
    expect((await registry.lookup(kv, "real"))?.name).toBe("real app");
    expect(kv.reads).toBe(reads);
  });

  it("never shares a pending read: concurrent requests each read, a failed read is not cached", async () => {
    const registry = new AppRegistry(() => 0);
    let calls = 0;
    const kv = {
      get: async () => {
        calls++;
        if (calls <= 2) throw new Error("KV down");
        return JSON.stringify({ name: "back", enabled: true });
      },
    };
    const results = await Promise.allSettled([registry.lookup(kv, "a"), registry.lookup(kv, "a")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(RegistryError);
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toBe("client applications could not be read from KV (Error)");
    expect((await registry.lookup(kv, "a"))?.name).toBe("back");
    expect(calls).toBe(3);
  });
});
