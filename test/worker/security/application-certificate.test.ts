import { beforeAll, describe, expect, it } from "vitest";
import { captureLogs, compileInline, gatewayFor } from "../gateway-helpers";
import { registerApp } from "./helpers";

/**
 * `x-ibm-configuration.application-authentication.certificate: true` (IBM: "Configuring application
 * authentication for an API"): the calling application must present its X.509 certificate. The edge cannot
 * check it, so, as for any scheme it cannot enforce, requests that identify an application fail closed.
 */
const certApi = (certificate: boolean) => `swagger: "2.0"
info: {title: Cert, x-ibm-name: cert, version: 1.0.0}
basePath: /cert
securityDefinitions:
  clientID: {type: apiKey, in: header, name: X-IBM-Client-Id}
security: [{clientID: []}]
paths:
  /data: {get: {}}
  /health: {get: {security: []}}
x-ibm-configuration:
  application-authentication: {certificate: ${certificate}}
  assembly:
    execute:
      - set-variable: {actions: [{set: message.body, value: "app=$(client.app.name)"}]}
`;

const CHECKS = {
  httpCode: "401",
  httpMessage: "Unauthorized",
  moreInformation: "Cannot pass the security checks that are required by the target API or operation, Enable debug headers for more details.",
};

describe("application-authentication: {certificate: true}", () => {
  let app: Awaited<ReturnType<typeof registerApp>>;
  beforeAll(async () => {
    app = await registerApp("cert app");
  });

  it("the build warns that the certificate cannot be checked, naming the API and the operation", () => {
    const { warnings, problems } = compileInline({ "cert.yaml": certApi(true) });
    expect(problems).toEqual([]);
    const about = warnings.filter((w) => w.includes("application-authentication"));
    expect(about).toEqual([
      "cert.yaml:6: security: API 'cert', operation GET /data: security scheme 'application-authentication' (client certificate) cannot be enforced at the edge; its requests are refused (401) unless the Workers var UNENFORCED_SECURITY lists 'cert' (or '*')",
    ]);
  });

  it("unacknowledged: a request with a registered client ID is refused; an open operation still runs", async () => {
    const gw = gatewayFor({ "cert.yaml": certApi(true) });
    const res = await gw.fetch("/cert/data", { headers: { "X-IBM-Client-Id": app.id } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(CHECKS);
    const open = await gw.fetch("/cert/health");
    expect(open.status).toBe(200);
    await open.text();
  });

  it("acknowledged by UNENFORCED_SECURITY: the client ID is still checked", async () => {
    const gw = gatewayFor({ "cert.yaml": certApi(true) }, { UNENFORCED_SECURITY: "cert" });
    const { result } = await captureLogs(async () => {
      const ok = await gw.fetch("/cert/data", { headers: { "X-IBM-Client-Id": app.id } });
      const none = await gw.fetch("/cert/data");
      return [ok.status, await ok.text(), none.status];
    });
    expect(result).toEqual([200, "app=cert app", 401]);
  });

  it("certificate: false changes nothing", async () => {
    const { warnings } = compileInline({ "cert.yaml": certApi(false) });
    expect(warnings.filter((w) => w.includes("application-authentication"))).toEqual([]);
    const gw = gatewayFor({ "cert.yaml": certApi(false) });
    const res = await gw.fetch("/cert/data", { headers: { "X-IBM-Client-Id": app.id } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("app=cert app");
  });
});
