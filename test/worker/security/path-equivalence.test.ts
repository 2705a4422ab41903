import { describe, expect, it } from "vitest";
import { gatewayFor } from "../gateway-helpers";

/**
 * A path written with percent-encoded unreserved characters (`%61` for `a`, RFC 3986 §2.3) is the same path
 * as the plain one (§6.2.2.2): origins decode it. Matching it against the operation table as written would
 * let `/items/%61dmin` miss the secured literal `/items/admin` and match the open `/items/{id}`.
 */
const ITEMS = `swagger: "2.0"
info: {title: Items, x-ibm-name: items, version: 1.0.0}
basePath: /items
securityDefinitions:
  clientID: {type: apiKey, in: header, name: X-IBM-Client-Id}
paths:
  /admin: {get: {security: [{clientID: []}]}}
  /{id}: {get: {}}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.body, value: "operation=$(api.operation.path) path=$(request.path)"}
`;

describe("percent-encoded unreserved characters in the request path", () => {
  const gw = gatewayFor({ "items.yaml": ITEMS });

  it("select the same operation (and its security) as the decoded path", async () => {
    expect((await gw.fetch("/items/admin")).status).toBe(401);
    for (const path of ["/items/%61dmin", "/items/%61%64%6D%69%6E", "/items/adm%69n/"]) {
      const res = await gw.fetch(path);
      expect(res.status, path).toBe(401);
      await res.text();
    }
    const open = await gw.fetch("/items/%61bc");
    expect(open.status).toBe(200);
    expect(await open.text()).toBe("operation=/{id} path=/abc");
  });

  it("also in the base path", async () => {
    const res = await gw.fetch("/%69tems/admin");
    expect(res.status).toBe(401);
    await res.text();
  });

  it("leaves reserved and non-ASCII escapes as they are", async () => {
    const res = await gw.fetch("/items/a%2Fb%20c%C3%A9");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("operation=/{id} path=/a%2Fb%20c%C3%A9");
  });
});

describe("`;` parameters and encoded backslashes in the request path", () => {
  const gw = gatewayFor({ "items.yaml": ITEMS });

  it("refuse a path whose `;` parameters select another operation than the servlet reading of it", async () => {
    // As written: /{id} (open). Cut as a servlet container does: /admin (secured). Refused either way it is read.
    for (const path of ["/items/admin;x=1", "/items/admin;jsessionid=ABC", "/items/admin;"]) {
      const res = await gw.fetch(path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ httpCode: "400", httpMessage: "Bad Request", moreInformation: "Invalid request path" });
    }
  });

  it("let `;` through when both readings select the same operation", async () => {
    const res = await gw.fetch("/items/abc;v=1");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("operation=/{id} path=/abc;v=1");
  });

  it("refuse an encoded backslash, which some origins read as a slash", async () => {
    for (const path of ["/items/x%5C..%5Cadmin", "/items/a%5cb"]) {
      const res = await gw.fetch(path);
      expect(res.status, path).toBe(400);
      await res.text();
    }
  });
});
