/**
 * scripts/keygen.ts: every algorithm's key signs (with jose, independently of the gateway) and
 * verifies with the public JWKS it prints; the public side has no private member; kids are RFC 7638
 * thumbprints (jose's calculateJwkThumbprint) unless --kid; HS secrets have RFC 7518's length;
 * `jwks` reads key files; the CLI refuses bad arguments.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateJwkThumbprint, createLocalJWKSet, importPKCS8, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { generateKey, jwks, main } from "../../scripts/keygen";

const ASYMMETRIC = ["RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"] as const;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

describe("keygen", () => {
  for (const alg of ASYMMETRIC) {
    it(`${alg}: the PEM signs, the printed JWKS verifies, kid = RFC 7638 thumbprint, nothing private published`, async () => {
      const key = await generateKey({ alg });
      const token = await new SignJWT({ sub: "s" }).setProtectedHeader({ alg, kid: key.kid }).sign(await importPKCS8(key.privatePem!, alg));
      await jwtVerify(token, createLocalJWKSet(key.publicJwks as never));
      const { kid: _kid, use: _use, alg: _alg, ...bare } = key.publicJwk!;
      expect(key.kid).toBe(await calculateJwkThumbprint(bare as never));
      expect(key.publicJwk).toMatchObject({ use: "sig", alg });
      for (const member of PRIVATE_MEMBERS) expect(key.publicJwk).not.toHaveProperty(member);
      expect(key.secretValue).toBe(key.privatePem);
    }, 30_000);
  }

  it("--kid and --set: a one-key JWK Set carrying the kid", async () => {
    const key = await generateKey({ alg: "ES256", kid: "2026-11", set: true });
    const set = JSON.parse(key.secretValue) as { keys: Array<Record<string, unknown>> };
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", kid: "2026-11" });
    expect(set.keys[0]).toHaveProperty("d");
    expect(key.publicJwk!.kid).toBe("2026-11");
  });

  it("HS*: a random 0x-hex secret of RFC 7518 §3.2's length, no public part", async () => {
    for (const [alg, bytes] of [["HS256", 32], ["HS384", 48], ["HS512", 64]] as const) {
      const key = await generateKey({ alg });
      expect(key.secretValue).toMatch(new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`));
      expect(key.publicJwks).toBeUndefined();
    }
  });

  it("jwks(files): the public keys of PEM, JWK and JWK Set files, once each", async () => {
    const dir = await mkdtemp(join(tmpdir(), "keygen-"));
    try {
      const a = await generateKey({ alg: "ES256" });
      const b = await generateKey({ alg: "RS256", kid: "rsa-b", set: true });
      await writeFile(join(dir, "a.pem"), a.privatePem!);
      await writeFile(join(dir, "b.json"), b.secretValue);
      await writeFile(join(dir, "a-again.json"), JSON.stringify(a.privateJwk));
      const out = await jwks([join(dir, "a.pem"), join(dir, "b.json"), join(dir, "a-again.json")], "ES256");
      expect(out.keys.map((k) => k.kid)).toEqual([a.kid, "rsa-b"]);
      expect(out.keys[0]).toMatchObject({ alg: "ES256" });
      expect(out.keys[1]).not.toHaveProperty("alg"); // an RSA key does not fit ES256
      expect(JSON.stringify(out)).not.toMatch(/"d"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the CLI refuses an unknown algorithm or argument with exit code 2", async () => {
    const write = process.stderr.write;
    const errors: string[] = [];
    process.stderr.write = ((chunk: string) => (errors.push(chunk), true)) as typeof process.stderr.write;
    try {
      expect(await main(["--alg", "RS257"])).toBe(2);
      expect(await main(["--bogus"])).toBe(2);
      expect(await main([])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(errors.join("")).toContain('unknown --alg "RS257"');
  });
});
