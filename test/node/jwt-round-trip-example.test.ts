/**
 * examples/jwt-round-trip/ built by the project's build step and run in the real worker: the mint's
 * tokens (HS256, RS256, PS256, ES256, nested) are accepted by the validator with the right claims;
 * tampered and cross-sent tokens get the example's catch (401).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PROJECT_ROOT, startWorker, type RunningWorker } from "../support/run-worker";
import { makeExampleKeys } from "../../examples/jwt-round-trip/make-keys";

let worker: RunningWorker;

beforeAll(async () => {
  const dir = join(PROJECT_ROOT, "examples/jwt-round-trip");
  const apis = {
    "mint.yaml": await readFile(join(dir, "mint.yaml"), "utf8"),
    "orders.yaml": await readFile(join(dir, "orders.yaml"), "utf8"),
  };
  worker = await startWorker({ apis, bindings: makeExampleKeys() });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
});

const mint = async (family: string, user: string) => {
  const res = await worker.fetch(`/mint/${family}`, { headers: { "x-user": user } });
  expect(res.status).toBe(200);
  return res.text();
};
const validate = async (path: string, token: string) => {
  const res = await worker.fetch(path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, subject: res.headers.get("x-subject"), body: await res.text() };
};

describe("examples/jwt-round-trip", () => {
  for (const family of ["hs", "rs", "ps", "es"]) {
    it(`${family}: minted, then validated with the right claims`, async () => {
      const token = await mint(family, `user-${family}`);
      expect(token.split(".")).toHaveLength(3);
      const r = await validate("/orders/signed", token);
      expect(r.status, r.body).toBe(200);
      expect(r.subject).toBe(`user-${family}`);
      expect(JSON.parse(r.body)).toMatchObject({ iss: "https://mint.example", sub: `user-${family}`, aud: "orders" });
    });
  }

  it("nested: decrypted, then verified", async () => {
    const token = await mint("nested", "user-nested");
    expect(token.split(".")).toHaveLength(5);
    const r = await validate("/orders/nested", token);
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ sub: "user-nested", aud: "orders" });
  });

  it("refused: a tampered signature, a nested token where a signed one is expected, and the reverse", async () => {
    const signed = await mint("es", "mallory");
    const [h, p, s] = signed.split(".");
    const tampered = `${h}.${p}.${s!.slice(0, 10)}${s![10] === "A" ? "B" : "A"}${s!.slice(11)}`;
    const nested = await mint("nested", "mallory");
    for (const [path, token] of [["/orders/signed", tampered], ["/orders/signed", nested], ["/orders/nested", signed]] as const) {
      const r = await validate(path, token);
      expect(r).toEqual({ status: 401, subject: null, body: '{"error":"invalid_token"}' });
    }
  });
});
