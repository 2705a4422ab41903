import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { captureLogs } from "../gateway-helpers";
import { decodePart, minter } from "./helpers";

const SECRET_HEX = "4a6f686e2053746f6e65206b6e6f7773207468652074727574682061626f7574";
const secretBytes = Uint8Array.from(SECRET_HEX.match(/../g)!.map((h) => parseInt(h, 16)));
const bindings = { HMAC_SECRET: `0x${SECRET_HEX}` };
const HS = "jws-alg: HS256\njws-crypto: HMAC_SECRET";

async function claimsOf(res: Response) {
  expect(res.status).toBe(200);
  const { payload } = await jwtVerify(await res.text(), secretBytes, { algorithms: ["HS256"] });
  return payload as Record<string, unknown>;
}

describe("jwt-generate claims", () => {
  it("sets iss, iat and exp = iat + exp-claim, in API Connect's order", async () => {
    const gw = minter(`iss-claim: iss.claim\nsub-claim: sub.claim\naud-claim: aud.claim\nexp-claim: 900\n${HS}`, {
      setup: "- {set: sub.claim, value: alice}\n- {set: aud.claim, value: orders}",
      bindings,
    });
    const before = Math.floor(Date.now() / 1000);
    const token = await (await gw.fetch("/mint")).text();
    const claims = decodePart(token, 1);
    expect(Object.keys(claims)).toEqual(["iss", "sub", "aud", "exp", "iat"]);
    expect(claims).toMatchObject({ iss: "https://issuer.test", sub: "alice", aud: "orders" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(claims.iat as number).toBeGreaterThanOrEqual(before);
  });

  it("signs only when jwe-alg and jwe-enc are set without a JWE key (as API Connect)", async () => {
    const res = await minter(`${HS}\njwe-alg: RSA-OAEP-256\njwe-enc: A256GCM`, { bindings }).fetch("/mint");
    const token = await res.clone().text();
    expect(token.split(".")).toHaveLength(3);
    expect((await claimsOf(res)).iss).toBe("https://issuer.test");
  });

  it("defaults iss-claim to iss.claim and exp-claim to 3600", async () => {
    const c = await claimsOf(await minter(HS, { bindings }).fetch("/mint"));
    expect(c.iss).toBe("https://issuer.test");
    expect((c.exp as number) - (c.iat as number)).toBe(3600);
  });

  it("fails with a RuntimeError when the iss variable is empty or unset", async () => {
    for (const setup of ["- {set: iss.claim, value: ''}", "- {clear: iss.claim}"]) {
      const { result, lines } = await captureLogs(() => minter(HS, { setup, bindings }).fetch("/mint"));
      expect(result.status).toBe(500);
      expect(await result.json()).toEqual({ httpCode: "500", httpMessage: "Invalid-JWT-Generate", moreInformation: "Invalid-JWT-Generate" });
      expect(lines.join("\n")).toContain("iss-claim: variable 'iss.claim' is empty or not set");
    }
  });

  describe("aud", () => {
    const aud = async (audClaim: string, setup: string) => (await claimsOf(await minter(`aud-claim: '${audClaim}'\n${HS}`, { setup, bindings }).fetch("/mint"))).aud;
    it("one variable, one value: a string", async () => {
      expect(await aud("a1", "- {set: a1, value: orders}")).toBe("orders");
    });
    it("one variable holding a comma-separated string: a list", async () => {
      expect(await aud("a1", "- {set: a1, value: 'orders, billing ,ledger'}")).toEqual(["orders", "billing", "ledger"]);
    });
    it("one variable holding a list", async () => {
      expect(await aud("a1", "- {set: a1, value: [x, y]}")).toEqual(["x", "y"]);
    });
    it("several variables, comma-separated in aud-claim", async () => {
      expect(await aud("a1, a2,a3", "- {set: a1, value: x}\n- {set: a2, value: 'y,z'}\n- {set: a3, value: [w]}")).toEqual(["x", "y", "z", "w"]);
    });
    it("no value: no aud claim", async () => {
      expect(await aud("a1", "- {set: a1, value: ''}")).toBeUndefined();
    });
  });

  it("adds a fresh UUID jti when jti-claim is true, unique over 1,000 tokens", async () => {
    const gw = minter(`jti-claim: true\n${HS}`, { bindings });
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const jti = decodePart(await (await gw.fetch("/mint")).text(), 1).jti as string;
      expect(jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(jti);
    }
    expect(ids.size).toBe(1000);
  });

  it("has no jti unless asked", async () => {
    expect((await claimsOf(await minter(HS, { bindings }).fetch("/mint"))).jti).toBeUndefined();
  });

  describe("private claims", () => {
    const withPrivate = (setup: string) => minter(`private-claims: pc\nsub-claim: sub.claim\njti-claim: true\n${HS}`, { setup: `- {set: sub.claim, value: real-sub}\n${setup}`, bindings });

    it("merges a JSON string at the top level, after the registered claims", async () => {
      const token = await (await withPrivate(`- {set: pc, value: '{"scope":"read write","tenant":{"id":7}}'}`).fetch("/mint")).text();
      const claims = decodePart(token, 1);
      expect(claims).toMatchObject({ scope: "read write", tenant: { id: 7 } });
      expect(Object.keys(claims).slice(-2)).toEqual(["scope", "tenant"]);
    });

    it("merges an object variable", async () => {
      const c = await claimsOf(await withPrivate("- {set: pc, value: {role: admin}}").fetch("/mint"));
      expect(c.role).toBe("admin");
    });

    it("never overrides iss, sub, exp, iat or jti set by the policy", async () => {
      const c = await claimsOf(
        await withPrivate(`- {set: pc, value: '{"iss":"evil","sub":"root","exp":9999999999,"iat":1,"jti":"fixed","ok":true}'}`).fetch("/mint"),
      );
      expect(c).toMatchObject({ iss: "https://issuer.test", sub: "real-sub", ok: true });
      expect(c.exp).not.toBe(9999999999);
      expect(c.iat).not.toBe(1);
      expect(c.jti).not.toBe("fixed");
    });

    it("carries __proto__ and constructor as plain claims without polluting anything", async () => {
      const token = await (await withPrivate(`- {set: pc, value: '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}'}`).fetch("/mint")).text();
      const claims = decodePart(token, 1);
      expect(Object.hasOwn(claims, "__proto__")).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    for (const [what, value, message] of [
      ["malformed JSON", `'{"a":'`, "does not hold valid JSON"],
      ["a JSON list", `'[1,2]'`, "must hold a JSON object, found a list"],
      ["a JSON string", `'"text"'`, "must hold a JSON object, found string"],
      ["a number", `5`, "must hold a JSON object, found number"],
    ] as const) {
      it(`refuses ${what} with a RuntimeError`, async () => {
        const { result, lines } = await captureLogs(() => withPrivate(`- {set: pc, value: ${value}}`).fetch("/mint"));
        expect(result.status).toBe(500);
        expect(lines.join("\n")).toContain(`private-claims: variable 'pc' ${message}`);
      });
    }

    it("refuses an unset private-claims variable", async () => {
      const { result, lines } = await captureLogs(() => withPrivate("").fetch("/mint"));
      expect(result.status).toBe(500);
      expect(lines.join("\n")).toContain("private-claims: variable 'pc' is not set");
    });
  });
});
