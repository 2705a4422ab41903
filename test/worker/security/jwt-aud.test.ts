import { jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { gatewayFor } from "../gateway-helpers";
import { registerApp } from "./helpers";

const SECRET_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

const def = (aud: string, setup = "") => `swagger: "2.0"
info: {title: Minted, x-ibm-name: minted, version: 1.0.0}
basePath: /minted
securityDefinitions:
  clientID: {type: apiKey, in: header, name: X-IBM-Client-Id}
security: [{clientID: []}]
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: "https://issuer.test"}
${setup}      - jwt-generate:
          jwt: out.token
          aud-claim: ${aud}
          jws-alg: HS256
          jws-crypto: HMAC_SECRET
      - set-variable:
          actions:
            - {set: message.body, value: $(out.token)}
`;

describe("client.app.id in a jwt-generate aud claim", () => {
  let app: Awaited<ReturnType<typeof registerApp>>;
  beforeAll(async () => {
    app = await registerApp("audience app");
  });
  const key = Uint8Array.from(SECRET_HEX.match(/../g)!, (h) => parseInt(h, 16));

  it("aud-claim: client.app.id (as real definitions write it)", async () => {
    const gw = gatewayFor({ "m.yaml": def("client.app.id") }, { HMAC_SECRET: `0x${SECRET_HEX}` });
    const res = await gw.fetch("/minted/x", { headers: { "X-IBM-Client-Id": app.id } });
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(await res.text(), key, { algorithms: ["HS256"] });
    expect(payload.aud).toBe(app.id);
  });

  it("through a variable set from $(client.app.id), with a second audience", async () => {
    const gw = gatewayFor(
      { "m.yaml": def("aud.claim, svc.aud", "            - {set: aud.claim, value: $(client.app.id)}\n            - {set: svc.aud, value: orders-service}\n") },
      { HMAC_SECRET: `0x${SECRET_HEX}` },
    );
    const res = await gw.fetch("/minted/x", { headers: { "X-IBM-Client-Id": app.id } });
    const { payload } = await jwtVerify(await res.text(), key, { algorithms: ["HS256"] });
    expect(payload.aud).toEqual([app.id, "orders-service"]);
  });
});
