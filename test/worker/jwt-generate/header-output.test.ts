import { calculateJwkThumbprint, importSPKI, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { api, gatewayFor } from "../gateway-helpers";
import { decodePart, keyPairFor, minter } from "./helpers";

const SECRET = "a shared secret that is long enough for HS256!!";
const HS = "jws-alg: HS256\njws-crypto: HMAC_TEXT";

describe("jwt-generate header", () => {
  it("has alg and no typ; a shared secret gets no automatic kid", async () => {
    const token = await (await minter(HS, { bindings: { HMAC_TEXT: SECRET } }).fetch("/mint")).text();
    expect(decodePart(token, 0)).toEqual({ alg: "HS256" });
  });

  it("takes kid from custom-kid-value-jws first", async () => {
    const keys = await keyPairFor("RS256");
    const gw = minter("jws-alg: RS256\njws-crypto: RSA_KEY\ncustom-kid-value-jws: my.kid", {
      setup: "- {set: my.kid, value: key-2026-11}",
      bindings: { RSA_KEY: keys.privatePem },
    });
    expect(decodePart(await (await gw.fetch("/mint")).text(), 0)).toEqual({ kid: "key-2026-11", alg: "RS256" });
  });

  it("takes kid from the JWK's kid", async () => {
    const keys = await keyPairFor("ES256");
    const jwk = JSON.stringify({ ...keys.privateJwk, kid: "jwk-kid-1" });
    const gw = minter("jws-alg: ES256\njws-jwk: my.jwk", { setup: "- {set: my.jwk, value: $(env.EC_JWK)}", bindings: { EC_JWK: jwk } });
    expect(decodePart(await (await gw.fetch("/mint")).text(), 0)).toEqual({ kid: "jwk-kid-1", alg: "ES256" });
  });

  it("gives an asymmetric crypto object its RFC 7638 thumbprint as kid", async () => {
    const keys = await keyPairFor("PS256");
    const gw = minter("jws-alg: PS256\njws-crypto: RSA_KEY", { bindings: { RSA_KEY: keys.privatePem } });
    const header = decodePart(await (await gw.fetch("/mint")).text(), 0);
    expect(header).toEqual({ kid: await calculateJwkThumbprint(keys.publicJwk as never), alg: "PS256" });
  });

  it("falls back to the automatic kid when the custom-kid variable is empty", async () => {
    const keys = await keyPairFor("RS256");
    const gw = minter("jws-alg: RS256\njws-crypto: RSA_KEY\ncustom-kid-value-jws: nothing.here", { bindings: { RSA_KEY: keys.privatePem } });
    const header = decodePart(await (await gw.fetch("/mint")).text(), 0);
    expect(header.kid).toBe(await calculateJwkThumbprint(keys.publicJwk as never));
  });
});

describe("jwt-generate output", () => {
  const assembly = (jwtLine: string) => `execute:
  - set-variable:
      actions:
        - {set: iss.claim, value: https://issuer.test}
  - jwt-generate:
${jwtLine}      jws-alg: RS256
      jws-crypto: RSA_KEY
  - invoke:
      target-url: $(env.ORIGIN_URL)/echo
`;

  it("without jwt: replaces the client's Authorization with Bearer <token>", async () => {
    const keys = await keyPairFor("RS256");
    const gw = gatewayFor({ "o.yaml": api("/o", assembly("")) }, { RSA_KEY: keys.privatePem });
    const echo = (await (await gw.fetch("/o", { headers: { Authorization: "Basic Y2xpZW50OnNlY3JldA==" } })).json()) as { headers: Record<string, string> };
    const [scheme, token] = echo.headers.authorization!.split(" ");
    expect(scheme).toBe("Bearer");
    const { payload } = await jwtVerify(token!, await importSPKI(keys.publicPem, "RS256"));
    expect(payload.iss).toBe("https://issuer.test");
  });

  it("with jwt: NAME puts the bare token in the variable and leaves Authorization alone", async () => {
    const keys = await keyPairFor("RS256");
    const gw = gatewayFor(
      {
        "o.yaml": api(
          "/o",
          assembly("      jwt: minted.token\n") + "  - set-variable: {actions: [{set: message.headers.X-Minted, value: $(minted.token)}]}\n",
        ),
      },
      { RSA_KEY: keys.privatePem },
    );
    const res = await gw.fetch("/o", { headers: { Authorization: "Basic Y2xpZW50OnNlY3JldA==" } });
    const echo = (await res.json()) as { headers: Record<string, string> };
    expect(echo.headers.authorization).toBe("Basic Y2xpZW50OnNlY3JldA==");
    const minted = res.headers.get("x-minted")!;
    expect(minted.split(".")).toHaveLength(3);
    expect(minted.startsWith("Bearer")).toBe(false);
    await jwtVerify(minted, await importSPKI(keys.publicPem, "RS256"));
  });

  it("never sends a minted Authorization header back to the client when there is no invoke", async () => {
    const gw = gatewayFor(
      {
        "n.yaml": api(
          "/n",
          `execute:
  - set-variable: {actions: [{set: iss.claim, value: x}]}
  - jwt-generate: {jws-alg: HS256, jws-crypto: HMAC_TEXT}
  - set-variable: {actions: [{set: message.body, value: done}]}`,
        ),
      },
      { HMAC_TEXT: SECRET },
    );
    const res = await gw.fetch("/n");
    expect(await res.text()).toBe("done");
    expect(res.headers.get("authorization")).toBeNull();
  });
});
