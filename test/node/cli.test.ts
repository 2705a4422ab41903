/** The edge-jwt command line (bin/edge-jwt.mjs), run as a user runs it: a child process, its output and exit code. */
import { execFile } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import jsrsasign from "jsrsasign";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/run-worker";

const run = promisify(execFile);
let dir: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(PROJECT_ROOT, "bin/edge-jwt.mjs"), ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const MINTING_API = `swagger: "2.0"
info: {title: Orders, x-ibm-name: orders, version: 1.0.0}
basePath: /orders
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: https://gateway.example}
            - {set: sub.claim, value: $(request.headers.x-user)}
      - jwt-generate:
          sub-claim: sub.claim
          exp-claim: 300
          jws-alg: ES256
          jws-crypto: orders-signing-key
      - invoke: {target-url: "https://origin.invalid$(request.path)"}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-jwt-cli-"));
  await mkdir(join(dir, "good"));
  await mkdir(join(dir, "bad"));
  await writeFile(join(dir, "good/orders.yaml"), MINTING_API);
  await writeFile(join(dir, "bad/typo.yaml"), MINTING_API.replace("    execute:", "    exectue:"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("edge-jwt check", () => {
  it("exits 0 and counts the APIs of a valid folder", async () => {
    const r = await cli("check", "good");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("edge-jwt check: 1 API OK in good\n");
  });

  it("exits 1 with the build's located problem and suggestion", async () => {
    const r = await cli("check", "bad");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad/typo.yaml:6: x-ibm-configuration.assembly.exectue: unknown property 'exectue'; did you mean 'execute'?");
  });

  it("exits 1 for a path that does not exist", async () => {
    const r = await cli("check", "nowhere");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nowhere: no such file or folder");
  });
});

describe("edge-jwt mint", () => {
  it("runs the definition's jwt-generate with the key file and prints a token an independent library verifies", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await writeFile(join(dir, "signing.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
    const r = await cli("mint", "--api", "good/orders.yaml", "--key", "signing.pem", "--header", "x-user: alice");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [token, ...rest] = r.stdout.split("\n");
    const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(jsrsasign.KJUR.jws.JWS.verify(token!, publicPem, ["ES256"])).toBe(true);
    const decoded = JSON.parse(rest.join("\n")) as { kind: string; header: Record<string, unknown>; claims: Record<string, unknown> };
    expect(decoded.kind).toBe("JWS");
    expect(decoded.header.alg).toBe("ES256");
    expect(decoded.claims).toMatchObject({ iss: "https://gateway.example", sub: "alice" });
    expect((decoded.claims.exp as number) - (decoded.claims.iat as number)).toBe(300);
  });

  it("says which crypto object it needs when --key is missing", async () => {
    const r = await cli("mint", "--api", "good/orders.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("edge-jwt mint: expected --key FILE (the crypto object 'orders-signing-key')\n");
  });
});

describe("edge-jwt jwks", () => {
  it("prints the public JWK Set of a key file: public members only, kid = RFC 7638 thumbprint (computed here independently)", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await writeFile(join(dir, "jwks-key.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
    const r = await cli("jwks", "--alg", "ES256", "jwks-key.pem");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const expected = publicKey.export({ format: "jwk" }) as { crv: string; x: string; y: string };
    const thumbprint = createHash("sha256").update(JSON.stringify({ crv: expected.crv, kty: "EC", x: expected.x, y: expected.y })).digest("base64url");
    expect(JSON.parse(r.stdout)).toEqual({ keys: [{ kty: "EC", kid: thumbprint, use: "sig", alg: "ES256", crv: "P-256", x: expected.x, y: expected.y }] });
  });

  it("exits 2 with the usage when --alg is missing", async () => {
    const r = await cli("jwks", "jwks-key.pem");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("usage: edge-jwt jwks --alg ALG FILE");
  });
});

describe("edge-jwt keygen", () => {
  it("makes an ES256 key whose public JWK verifies what its private PEM signs (node:crypto), kid = RFC 7638 thumbprint", async () => {
    const r = await cli("keygen", "--alg", "ES256", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const key = JSON.parse(r.stdout) as { alg: string; kid: string; secretValue: string; privatePem: string; publicJwks: { keys: Array<Record<string, string>> } };
    expect(key.alg).toBe("ES256");
    expect(key.secretValue).toBe(key.privatePem);
    const [jwk] = key.publicJwks.keys;
    expect(Object.keys(jwk!).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    const thumbprint = createHash("sha256").update(JSON.stringify({ crv: jwk!.crv, kty: "EC", x: jwk!.x, y: jwk!.y })).digest("base64url");
    expect(jwk!.kid).toBe(thumbprint);
    expect(key.kid).toBe(thumbprint);
    const data = Buffer.from("signed by the new key");
    const signature = sign("sha256", data, createPrivateKey(key.privatePem));
    expect(verify("sha256", data, createPublicKey({ key: jwk!, format: "jwk" }), signature)).toBe(true);
  });

  it("makes an HS256 secret of 32 random bytes as 0x-hex, with no public part", async () => {
    const r = await cli("keygen", "--alg", "HS256", "--json");
    expect(r.code).toBe(0);
    const key = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(key.secretValue).toMatch(/^0x[0-9a-f]{64}$/);
    expect(key.publicJwks).toBeUndefined();
  });

  it("exits 2 with its own usage for an unknown algorithm", async () => {
    const r = await cli("keygen", "--alg", "RS257");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('keygen: unknown --alg "RS257"');
    expect(r.stderr).toContain("usage: edge-jwt keygen --alg ES256");
  });

  it("is listed in the usage", async () => {
    const r = await cli("help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("edge-jwt keygen --alg ALG");
    expect(r.stdout).not.toContain("not yet");
  });
});
