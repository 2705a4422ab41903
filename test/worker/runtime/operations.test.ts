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

  it("runs GET's operation for a HEAD the path does not declare, with no body in the answer", async () => {
    const heads = gatewayFor({
      "h.yaml": `swagger: "2.0"
info: {title: H, x-ibm-name: h, version: 1.0.0}
basePath: /h
paths:
  /{id}:
    get: {operationId: getIt}
    delete: {operationId: deleteIt}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.headers.x-operation, value: "$(api.operation.id) $(api.operation.verb) $(request.verb)"}
            - {set: message.body, value: "body"}
`,
    });
    const res = await heads.fetch("/h/1", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-operation")).toBe("getIt GET HEAD");
    expect(await res.text()).toBe("");
    expect((await heads.fetch("/h/1", { method: "PUT" })).status).toBe(405);
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

// OpenAPI 3 as API Connect v10 exports it: a full server URL with a variable, path-level
// `parameters`/`summary` next to the operations, and a path-level `servers` that does not move the base path.
const petstore3 = `openapi: 3.0.0
info: {title: Pets v3, x-ibm-name: pets-v3, version: 1.0.0}
servers:
  - url: https://{region}.api.example.com/v3/pets
    variables:
      region: {default: eu}
paths:
  /{petId}:
    summary: One pet
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    servers:
      - url: https://elsewhere.example.com/other
    get:
      operationId: showPetById
      responses: {"200": {description: OK}}
    patch:
      operationId: updatePet
      responses: {"200": {description: OK}}
  /findByStatus:
    get:
      operationId: findPetsByStatus
      parameters:
        - {name: status, in: query, schema: {type: string}}
      responses: {"200": {description: OK}}
x-ibm-configuration:
  type: rest
  phase: realized
  enforced: true
  gateway: datapower-api-gateway
  assembly:
    execute:
      - set-variable:
          version: 2.0.0
          title: set-variable
          actions:
            - {set: message.body, value: "$(api.operation.verb) $(api.operation.path) $(api.operation.id) petId=$(request.parameters.petId) status=$(request.parameters.status)"}
`;

describe("operations (OpenAPI 3)", () => {
  const gw = gatewayFor({ "pets-v3.yaml": petstore3 });
  const text = async (path: string, init?: RequestInit) => {
    const res = await gw.fetch(path, init);
    return { status: res.status, body: await res.text(), allow: res.headers.get("allow") };
  };

  it("takes the base path from a full server URL with a variable, and ignores path-level keys that are not verbs", async () => {
    expect(await text("/v3/pets/7")).toMatchObject({ status: 200, body: "GET /{petId} showPetById petId=7 status=" });
    expect((await text("/v3/pets/7", { method: "PATCH" })).body).toBe("PATCH /{petId} updatePet petId=7 status=");
  });

  it("prefers the literal /findByStatus over /{petId} and reads query parameters", async () => {
    expect((await text("/v3/pets/findByStatus?status=sold")).body).toBe("GET /findByStatus findPetsByStatus petId= status=sold");
  });

  it("answers 405 with the path's verbs, 404 outside every path; a path-level server does not add a base path", async () => {
    const post = await text("/v3/pets/7", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.allow).toBe("GET, PATCH");
    expect(JSON.parse(post.body)).toEqual({ httpCode: "405", httpMessage: "Method Not Allowed", moreInformation: "The method is not allowed for the requested URL" });
    expect((await text("/other/7")).status).toBe(404);
    expect((await text("/v3/pets/7/toys")).status).toBe(404);
  });
});

describe("operations: a definition without paths", () => {
  it("runs the assembly for every path under the base path, with api.operation.* empty", async () => {
    const gw = gatewayFor({
      "open.yaml": `swagger: "2.0"
info: {title: Open, x-ibm-name: open, version: 1.0.0}
basePath: /open
paths: {}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable: {actions: [{set: message.body, value: "[$(api.operation.path)] $(request.path)"}]}
`,
    });
    const res = await gw.fetch("/open/any/thing", { method: "PUT" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("[] /any/thing");
  });
});
