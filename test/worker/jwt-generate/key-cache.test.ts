import { describe, expect, it, vi } from "vitest";
import { jwtVerify } from "jose";
import { clearKeyCache, keyCacheStats } from "../../../src/keys";
import { captureLogs, testEnv } from "../gateway-helpers";
import { keyPairFor, minter } from "./helpers";

describe("key cache", () => {
  it("imports a key once for 1,000 requests", async () => {
    clearKeyCache();
    const k = await keyPairFor("ES256");
    const gw = minter("jws-alg: ES256\njws-crypto: K", { bindings: { K: k.privatePem } });
    const start = keyCacheStats();
    for (let i = 0; i < 1000; i++) expect((await gw.fetch("/mint")).status).toBe(200);
    const end = keyCacheStats();
    expect(end.imports - start.imports).toBe(1);
    expect(end.hits - start.hits).toBe(999);
  });

  it("picks up a rotated secret: new material, new import, tokens signed with the new key", async () => {
    clearKeyCache();
    const first = await keyPairFor("RS256");
    const second = await keyPairFor("PS256"); // a different RSA key, used with RS256 here
    const bindings: Record<string, unknown> = { K: first.privatePem };
    const gw = minter("jws-alg: RS256\njws-crypto: K", { bindings });
    await gw.fetch("/mint");
    bindings.K = second.privatePem;
    const gw2 = minter("jws-alg: RS256\njws-crypto: K", { bindings });
    await gw2.fetch("/mint");
    expect(keyCacheStats().imports).toBe(2);
  });

  it("one compiled policy follows its secret from request to request: each token verifies with the secret of its request only", async () => {
    clearKeyCache();
    const gw = minter("jws-alg: HS256\njws-crypto: HMAC_KEY");
    const secrets = ["a".repeat(32), "b".repeat(32)];
    const mint = async (secret: string) => {
      const res = await gw.app.fetch(new Request("https://gateway.test/mint"), { ...testEnv, HMAC_KEY: secret });
      expect(res.status).toBe(200);
      return res.text();
    };
    const bytes = (s: string) => new TextEncoder().encode(s);
    for (const secret of [secrets[0]!, secrets[0]!, secrets[1]!, secrets[1]!, secrets[0]!]) {
      const token = await mint(secret);
      expect((await jwtVerify(token, bytes(secret), { algorithms: ["HS256"] })).payload.iss).toBe("https://issuer.test");
      const other = secret === secrets[0] ? secrets[1]! : secrets[0]!;
      await expect(jwtVerify(token, bytes(other), { algorithms: ["HS256"] })).rejects.toMatchObject({ code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    }
    // A secret that becomes unusable fails at once, not after serving the key held for the old text.
    const { result } = await captureLogs(async () => gw.app.fetch(new Request("https://gateway.test/mint"), { ...testEnv, HMAC_KEY: "short" }));
    expect(result.status).toBe(500);
    expect(keyCacheStats()).toMatchObject({ imports: 2, hits: 3 });
  });

  it("picks up a changed KV value", async () => {
    clearKeyCache();
    const a = await keyPairFor("ES256");
    await testEnv.CRYPTO_OBJECTS.put("rotating", a.privatePem);
    const gw = minter("jws-alg: ES256\njws-crypto: rotating");
    expect((await gw.fetch("/mint")).status).toBe(200);
    await testEnv.CRYPTO_OBJECTS.put("rotating", "not a key");
    // workerd's local KV honours writes from the same isolate at once; the isolate's memo keeps
    // the old text for KEY_CACHE_TTL (60 s), then reads the new one.
    expect((await gw.fetch("/mint")).status).toBe(200);
    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ["Date"] });
    try {
      const { result, lines } = await captureLogs(() => gw.fetch("/mint"));
      expect(result.status).toBe(500);
      // The refusal is logged once, naming the crypto object and what it should hold, never its text.
      expect(lines).toEqual([
        '{"level":"error","api":"test-api","policy":"jwt-generate","error":"RuntimeError","message":"crypto object \'rotating\' is a shared secret (text); ES256 needs an EC private key on P-256","caught":false}',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
