import { beforeEach, describe, expect, it } from "vitest";
import { clearKeyCache, getEncryptionKey, getSigningKey, keyCacheStats } from "../../../src/keys";
import { bareJwk, ecKey, expectKeyError, rsaKey, sign, signsAndVerifies, toPem, verifierFromSpki, hmac } from "./helpers";

beforeEach(() => clearKeyCache());

/** A text secret long enough for HS256 (RFC 7518 §3.2), with a suffix per test. */
const SECRET = "a shared secret of at least 32 bytes";

describe("key cache", () => {
  it("imports the same material once across 1,000 calls, and returns the same key", async () => {
    const k = await ecKey("P-256");
    const pem = toPem("PRIVATE KEY", k.pkcs8);
    const first = await getSigningKey(pem, "ES256", "crypto object 'k'");
    for (let i = 0; i < 999; i++) expect(await getSigningKey(pem, "ES256", "crypto object 'k'")).toBe(first);
    expect(keyCacheStats()).toMatchObject({ imports: 1, hits: 999 });
  });

  it("the same material under a different source label is the same entry (keyed by material, not name)", async () => {
    await getSigningKey("shared-secret-value, 32 bytes or more", "HS256", "crypto object 'a'");
    await getSigningKey("shared-secret-value, 32 bytes or more", "HS256", "crypto object 'b'");
    expect(keyCacheStats()).toMatchObject({ imports: 1, hits: 1 });
  });

  it("changed material (rotation) → a new import, and the new key is used", async () => {
    const [a, b] = await Promise.all([rsaKey(), rsaKey()]);
    const keyA = await getSigningKey(toPem("PRIVATE KEY", a.pkcs8), "RS256", "crypto object 'k'");
    const keyB = await getSigningKey(toPem("PRIVATE KEY", b.pkcs8), "RS256", "crypto object 'k'");
    expect(keyCacheStats()).toMatchObject({ imports: 2, hits: 0 });
    expect(await signsAndVerifies(keyB.key, await verifierFromSpki(b.spki, "RS256"), "RS256")).toBe(true);
    expect(await signsAndVerifies(keyB.key, await verifierFromSpki(a.spki, "RS256"), "RS256")).toBe(false);
    expect(keyB).not.toBe(keyA);
  });

  it("a one-character change to a shared secret is a new key", async () => {
    const k1 = await getSigningKey(`${SECRET}-1`, "HS256", "k");
    const k2 = await getSigningKey(`${SECRET}-2`, "HS256", "k");
    expect(keyCacheStats().imports).toBe(2);
    expect(await sign(k2.key, "HS256")).toEqual(await hmac(new TextEncoder().encode(`${SECRET}-2`), "HS256"));
    expect(await sign(k1.key, "HS256")).not.toEqual(await sign(k2.key, "HS256"));
  });

  it("a different alg is a separate entry (RS256 and PS256 over one PEM)", async () => {
    const pem = toPem("PRIVATE KEY", (await rsaKey()).pkcs8);
    const rs = await getSigningKey(pem, "RS256", "k");
    const ps = await getSigningKey(pem, "PS256", "k");
    expect(rs.alg).toBe("RS256");
    expect(ps.alg).toBe("PS256");
    expect((ps.key.algorithm as { name: string }).name).toBe("RSA-PSS");
    await getSigningKey(pem, "RS256", "k");
    await getSigningKey(pem, "PS256", "k");
    expect(keyCacheStats()).toMatchObject({ imports: 2, hits: 2 });
  });

  it("encryption keys are cached per alg and enc", async () => {
    const hex = "0x" + "ab".repeat(32);
    const gcm = await getEncryptionKey(hex, "dir", "A256GCM", "k");
    const cbc = await getEncryptionKey("0x" + "ab".repeat(64), "dir", "A256CBC-HS512", "k");
    const kw = await getEncryptionKey(hex, "A256KW", "A256GCM", "k");
    expect([gcm.family, cbc.family, kw.family]).toEqual(["dir", "dir", "AES-KW"]);
    expect(await getEncryptionKey(hex, "dir", "A256GCM", "k")).toBe(gcm);
    expect(keyCacheStats()).toMatchObject({ imports: 3, hits: 1 });
    // Signing and encryption never share an entry, even for the same material.
    await getSigningKey(hex, "HS256", "k");
    expect(keyCacheStats().imports).toBe(4);
  });

  it("a JWK object is keyed by its content: member order does not matter, a changed member does", async () => {
    const k = await ecKey("P-256");
    const jwk = bareJwk(k.privateJwk, { kid: "one" });
    const reordered = Object.fromEntries(Object.entries(jwk).reverse());
    const first = await getSigningKey(jwk, "ES256", "k");
    expect(await getSigningKey(reordered, "ES256", "k")).toBe(first);
    expect(await getSigningKey(JSON.stringify(jwk), "ES256", "k")).not.toBe(undefined);
    const renamed = await getSigningKey({ ...jwk, kid: "two" }, "ES256", "k");
    expect(renamed.kid).toBe("two");
    expect(first.kid).toBe("one");
  });

  it("material over 16 KB is keyed by its SHA-256 and still cached; a change is still a new key", async () => {
    const big = "x".repeat(20_000);
    for (let i = 0; i < 10; i++) await getSigningKey(big, "HS512", "k");
    expect(keyCacheStats()).toMatchObject({ imports: 1, hits: 9 });
    const changed = await getSigningKey(big.slice(0, -1) + "y", "HS512", "k");
    expect(keyCacheStats().imports).toBe(2);
    expect(await sign(changed.key, "HS512")).toEqual(await hmac(new TextEncoder().encode(big.slice(0, -1) + "y"), "HS512"));
  });

  it("failures are not cached: fixed material works at once", async () => {
    await expectKeyError(getSigningKey("", "HS256", "k"), /is empty/);
    await expectKeyError(getSigningKey("", "HS256", "k"), /is empty/);
    expect(keyCacheStats()).toMatchObject({ imports: 0, hits: 0 });
  });

  it("a JWK object that cannot be serialized is a KeyError", async () => {
    const cyclic: Record<string, unknown> = { kty: "oct", k: "A".repeat(43) };
    cyclic.self = cyclic;
    await expectKeyError(getSigningKey(cyclic, "HS256", "jws-jwk variable 'v'"), /jws-jwk variable 'v' is not a JWK \(not serializable as JSON\)/);
  });

  it("is bounded: beyond 256 entries the least recently used goes", async () => {
    await getSigningKey(`${SECRET}-0`, "HS256", "k");
    for (let i = 1; i < 300; i++) {
      await getSigningKey(`${SECRET}-${i}`, "HS256", "k");
      if (i % 10 === 0) await getSigningKey(`${SECRET}-0`, "HS256", "k"); // keep secret-0 recently used
    }
    expect(keyCacheStats().size).toBe(256);
    const before = keyCacheStats().imports;
    await getSigningKey(`${SECRET}-0`, "HS256", "k"); // still cached
    expect(keyCacheStats().imports).toBe(before);
    await getSigningKey(`${SECRET}-1`, "HS256", "k"); // evicted long ago
    expect(keyCacheStats().imports).toBe(before + 1);
  });

  it("concurrent misses each settle; afterwards the key is a hit", async () => {
    const keys = await Promise.all(Array.from({ length: 10 }, () => getSigningKey(`${SECRET}-concurrent`, "HS256", "k")));
    expect(keys.every((k) => k.alg === "HS256")).toBe(true);
    const { imports } = keyCacheStats();
    expect(imports).toBeGreaterThanOrEqual(1);
    expect(imports).toBeLessThanOrEqual(10);
    await getSigningKey(`${SECRET}-concurrent`, "HS256", "k");
    expect(keyCacheStats().imports).toBe(imports);
  });

  it("cached keys are frozen: a caller cannot change the kid others get", async () => {
    const key = await getSigningKey({ kty: "oct", k: "A".repeat(43), kid: "a" }, "HS256", "k");
    expect(() => {
      (key as { kid?: string }).kid = "b";
    }).toThrow();
    expect((await getSigningKey({ kty: "oct", k: "A".repeat(43), kid: "a" }, "HS256", "k")).kid).toBe("a");
  });
});
