import { beforeAll, describe, expect, it } from "vitest";
import { api, captureLogs, compileInline, gatewayFor } from "../gateway-helpers";
import { registerApp } from "./helpers";

const INVALID = { httpCode: "401", httpMessage: "Unauthorized", moreInformation: "Invalid client id or secret." };

/** A gateway whose fetch keeps the expected refusal log lines out of the test output. */
const quiet = (gw: ReturnType<typeof gatewayFor>) => ({
  fetch: async (path: string, init?: RequestInit) => (await captureLogs(() => gw.fetch(path, init))).result,
});

/** An API whose assembly runs client-security with `props`, then answers with what it learned. */
const withPolicy = (props: string, extra = "") =>
  quiet(gatewayFor({
    "cs.yaml": api(
      "/cs",
      `execute:
  - client-security:
${props
  .trim()
  .split("\n")
  .map((l) => "      " + l)
  .join("\n")}
  - set-variable:
      actions:
        - {set: message.body, value: "app=$(client.app.name) id=$(client.app.id) fwd=$(message.headers.x-ibm-client-secret)$(message.headers.authorization) q=$(request.search)"}
${extra}`,
    ),
  }));

describe("client-security policy (v10)", () => {
  let app: Awaited<ReturnType<typeof registerApp>>;
  let noSecret: Awaited<ReturnType<typeof registerApp>>;
  let disabled: Awaited<ReturnType<typeof registerApp>>;
  beforeAll(async () => {
    app = await registerApp("policy app", { secret: true });
    noSecret = await registerApp("policy app without secret");
    disabled = await registerApp("policy disabled", { secret: true, edit: (r) => ({ ...r, enabled: false }) });
  });
  const refused = async (res: Response) => {
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(INVALID);
  };

  it("defaults: header X-IBM-Client-Id and X-IBM-Client-Secret, secret required, stop on error", async () => {
    const gw = withPolicy("version: 2.0.0");
    const ok = await gw.fetch("/cs", { headers: { "X-IBM-Client-Id": app.id, "X-IBM-Client-Secret": app.secret! } });
    expect(await ok.text()).toBe(`app=policy app id=${app.id} fwd= q=`);
    await refused(await gw.fetch("/cs", { headers: { "X-IBM-Client-Id": app.id } }));
    await refused(await gw.fetch("/cs", { headers: { "X-IBM-Client-Id": app.id, "X-IBM-Client-Secret": "wrong-secret-0123456789" } }));
    await refused(await gw.fetch("/cs", { headers: { "X-IBM-Client-Id": disabled.id, "X-IBM-Client-Secret": disabled.secret! } }));
    await refused(await gw.fetch("/cs"));
  });

  it("query, secret not required", async () => {
    const gw = withPolicy("extract-credential-method: query\nsecret-required: false\nid-name: key");
    expect(await (await gw.fetch(`/cs?a=1&key=${noSecret.id}`)).text()).toBe(`app=policy app without secret id=${noSecret.id} fwd= q=?a=1`);
    await refused(await gw.fetch("/cs?key=unknown"));
  });

  it("http basic: base64(id:secret) in Authorization, removed from the message after a pass", async () => {
    const gw = withPolicy("extract-credential-method: http\nhttp-type: basic");
    const basic = (id: string, secret: string) => ({ Authorization: `Basic ${btoa(`${id}:${secret}`)}` });
    expect(await (await gw.fetch("/cs", { headers: basic(app.id, app.secret!) })).text()).toBe(`app=policy app id=${app.id} fwd= q=`);
    await refused(await gw.fetch("/cs", { headers: basic(app.id, "nope-nope-nope") }));
    await refused(await gw.fetch("/cs", { headers: { Authorization: "Basic !!!" } }));
  });

  it("cookie and context-var", async () => {
    const cookie = withPolicy("extract-credential-method: cookie");
    expect((await cookie.fetch("/cs", { headers: { Cookie: `a=b; client_id=${app.id}; client_secret=${app.secret}` } })).status).toBe(200);
    await refused(await cookie.fetch("/cs", { headers: { Cookie: `client_id=${app.id}` } }));
    const fromVar = gatewayFor({
      "v.yaml": api(
        "/v",
        `execute:
  - set-variable:
      actions:
        - {set: my.id, value: $(request.headers.x-app)}
  - client-security: {extract-credential-method: context-var, id-name: my.id, secret-required: false}
  - set-variable: {actions: [{set: message.body, value: "$(client.app.name)"}]}`,
      ),
    });
    expect(await (await fromVar.fetch("/v", { headers: { "x-app": noSecret.id } })).text()).toBe("policy app without secret");
  });

  it("stop-on-error: false continues unidentified; a catch can handle UnauthorizedError", async () => {
    const lenient = withPolicy("stop-on-error: false");
    expect(await (await lenient.fetch("/cs", { headers: { "X-IBM-Client-Id": "who" } })).text()).toBe("app= id= fwd= q=");
    const caught = withPolicy(
      "version: 2.0.0",
      `catch:
  - errors: [UnauthorizedError]
    execute:
      - set-variable: {actions: [{set: message.body, value: "caught $(error.status.code)"}]}`,
    );
    const { result } = await captureLogs(() => caught.fetch("/cs"));
    expect(result.status).toBe(401);
    expect(await result.text()).toBe("caught 401");
  });

  it("build problems: form, third-party, context-var without id-name, http-type without http, a typo", () => {
    const problems = (props: string) =>
      compileInline({ "p.yaml": api("/p", `execute:\n  - client-security: {${props}}`) }).problems.map((p) => `${p.path.replace("x-ibm-configuration.assembly.execute[0].client-security", "cs")}: ${p.message}`);
    expect(problems("extract-credential-method: form")).toEqual([
      "cs.extract-credential-method: form: reading the body here would consume it before invoke; send the credentials in a header, the query, a cookie or HTTP Basic",
    ]);
    expect(problems("client-auth-method: third-party, user-registry: ldap")).toEqual([
      "cs.client-auth-method: third-party: the user registries API Connect would ask (LDAP, authentication URL) are not available at the edge; use native (the APPS registry)",
    ]);
    expect(problems("extract-credential-method: context-var, secret-required: false")).toEqual(["cs.id-name: is required"]);
    expect(problems("http-type: basic")).toEqual(["cs.http-type: is used only with extract-credential-method: http"]);
    expect(problems("secret-requierd: false")[0]).toBe("cs.secret-requierd: unknown property 'secret-requierd'; did you mean 'secret-required'?");
  });
});
