import { describe, expect, it } from "vitest";
import { gatewayFor } from "../gateway-helpers";

const petstore = `swagger: "2.0"
info: {title: Pets, x-ibm-name: pets, version: 1.0.0}
basePath: /pets
paths:
  /:
    get: {operationId: listPets}
  /{id}:
    get: {operationId: getPet}
    delete: {operationId: deletePet}
  /mine:
    get: {operationId: myPets}
  /{id}/photos/{photo}.jpg:
    get: {}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.body, value: "$(api.operation.verb) $(api.operation.path) $(api.operation.id) id=$(request.parameters.id) photo=$(request.parameters.photo) q=$(request.parameters.q)"}
`;

describe("operations", () => {
  const gw = gatewayFor({ "pets.yaml": petstore });
  const text = async (path: string, init?: RequestInit) => {
    const res = await gw.fetch(path, init);
    return { status: res.status, body: await res.text(), allow: res.headers.get("allow") };
  };

  it("matches a template and sets api.operation.* and path parameters", async () => {
    expect(await text("/pets/42?q=x")).toMatchObject({ status: 200, body: "GET /{id} getPet id=42 photo= q=x" });
    expect((await text("/pets/a%20b", { method: "DELETE" })).body).toBe("DELETE /{id} deletePet id=a b photo= q=");
  });

  it("prefers a literal segment over a template, whatever the order in the definition", async () => {
    expect((await text("/pets/mine")).body).toBe("GET /mine myPets id= photo= q=");
  });

  it("matches the root path and a parameter inside a segment", async () => {
    expect((await text("/pets")).body).toBe("GET / listPets id= photo= q=");
    expect((await text("/pets/7/photos/front.jpg")).body).toBe("GET /{id}/photos/{photo}.jpg  id=7 photo=front q=");
  });

  it("answers 404 for a path no operation declares, 405 with Allow for an undeclared verb", async () => {
    const missing = await text("/pets/1/2");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ httpCode: "404", httpMessage: "Not Found", moreInformation: "No resources match requested URI" });
    const wrongVerb = await text("/pets/1", { method: "PUT" });
    expect(wrongVerb.status).toBe(405);
    expect(wrongVerb.allow).toBe("GET, DELETE");
  });
});
