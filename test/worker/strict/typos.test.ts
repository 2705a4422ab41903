import { describe, expect, it } from "vitest";
import { parseApiText } from "../../../src/config/parse-source";
import { compileApis } from "../../../src/config/compile-api";
import { formatProblem } from "../../../src/config/problems";

/** Builds one YAML definition as the build does (with line numbers); returns problem and warning lines. */
function build(yaml: string) {
  const { source, problem } = parseApiText("apis/a.yaml", yaml);
  if (problem) throw new Error(problem.message);
  const { problems, warnings } = compileApis([source!]);
  return { problems: problems.map(formatProblem), warnings };
}

const HEAD = `swagger: "2.0"
info: {title: A, x-ibm-name: a, version: 1.0.0}
basePath: /a
`;

describe("strict definitions: a typo fails the build with file, line, path and a suggestion", () => {
  it("assembly: exectue", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    exectue:
      - invoke: {target-url: "https://o.example"}
`);
    expect(problems).toContain("apis/a.yaml:6: x-ibm-configuration.assembly.exectue: unknown property 'exectue'; did you mean 'execute'?");
  });

  it("assembly: finally is refused with what to do instead", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute: []
    finally: []
`);
    expect(problems).toEqual([
      "apis/a.yaml:7: x-ibm-configuration.assembly.finally: 'finally' is not supported at the edge; move its policies to the end of 'execute' and to each 'catch' entry",
    ]);
  });

  it("x-ibm-configuration: a misspelled key, and documented keys that do nothing here are warnings", () => {
    const { problems, warnings } = build(`${HEAD}x-ibm-configuration:
  phase: realized
  testable: true
  enforced: true
  buffering: true
  propertes: {}
  assembly: {execute: []}
`);
    expect(problems).toEqual(["apis/a.yaml:9: x-ibm-configuration.propertes: unknown property 'propertes'; did you mean 'properties'?"]);
    expect(warnings).toEqual(["apis/a.yaml:8: x-ibm-configuration.buffering: accepted but not applied at the edge: bodies always stream through the worker"]);
  });

  it("x-ibm-configuration.enforced: false is a warning (API Connect would not serve the API; the worker does)", () => {
    const { problems, warnings } = build(`${HEAD}x-ibm-configuration:
  enforced: false
  assembly: {execute: []}
`);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      "apis/a.yaml:5: x-ibm-configuration.enforced: false: API Connect does not enforce (serve) this API, but this worker serves it, with its assembly and security; remove the file from apis/ to leave it out",
    ]);
  });

  it("the top level: a misspelled x-ibm-configuration, and an unknown OpenAPI member", () => {
    const { problems } = build(`${HEAD}pathz: {}
x-ibm-configuraton:
  assembly: {execute: []}
`);
    expect(problems).toContain("apis/a.yaml:4: pathz: unknown top-level property 'pathz'; did you mean 'paths'?");
    expect(problems).toContain("apis/a.yaml:5: x-ibm-configuraton: unknown extension 'x-ibm-configuraton'; did you mean 'x-ibm-configuration'?");
    // Other vendor extensions are free.
    expect(build(`${HEAD}x-my-team: {owner: me}\nx-ibm-configuration: {assembly: {execute: []}}\n`).problems).toEqual([]);
  });

  it("catch entries: a misspelled key and an error name nothing raises", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute: []
    catch:
      - errors: [ConectionError]
        exectue: []
`);
    expect(problems).toContain(
      "apis/a.yaml:8: x-ibm-configuration.assembly.catch[0].errors[0]: no policy raises 'ConectionError' and API Connect does not define it, so this catch never runs; did you mean 'ConnectionError'?",
    );
    expect(problems).toContain("apis/a.yaml:9: x-ibm-configuration.assembly.catch[0].exectue: unknown property 'exectue'; did you mean 'execute'?");
  });

  it("catch: a name that a throw of the same API raises is fine; API Connect's names are fine", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - throw: {name: OutOfStock, message: none left}
    catch:
      - errors: [OutOfStock, ValidateError, ConnectionError]
        execute: []
`);
    expect(problems).toEqual([]);
  });

  it("set-variable: a misspelled action key and policy key", () => {
    const policy = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          titel: x
          actions: []
`);
    expect(policy.problems).toEqual(["apis/a.yaml:8: x-ibm-configuration.assembly.execute[0].set-variable.titel: unknown property 'titel'; did you mean 'title'?"]);
    const action = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: a, valeu: b}
`);
    expect(action.problems).toEqual(["apis/a.yaml:9: x-ibm-configuration.assembly.execute[0].set-variable.actions[0].valeu: unknown property 'valeu'; did you mean 'value'?"]);
  });

  it("set-variable: writing a read-only variable fails the build, not every request", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: request.token, value: b}
`);
    expect(problems).toEqual([
      "apis/a.yaml:9: x-ibm-configuration.assembly.execute[0].set-variable.actions[0].set: variable 'request.token' is read-only: write to a variable of your own (e.g. 'my.token') or to message.*",
    ]);
  });

  it("throw: a misspelled key", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - throw: {name: E, mesage: hi}
`);
    expect(problems).toEqual(["apis/a.yaml:7: x-ibm-configuration.assembly.execute[0].throw.mesage: unknown property 'mesage'; did you mean 'message'?"]);
  });

  it("templates: an unterminated, nested or empty $( reference fails with the fix", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: a, value: "$(request.path"}
            - {set: b, value: "x $(f(y)) z"}
            - {set: c, value: "$()"}
      - throw: {name: E, message: "sorry $(error.name"}
`);
    expect(problems).toEqual([
      'apis/a.yaml:9: x-ibm-configuration.assembly.execute[0].set-variable.actions[0].value: unterminated reference at "$(request.path": write $(NAME), closing it with \')\'',
      'apis/a.yaml:10: x-ibm-configuration.assembly.execute[0].set-variable.actions[1].value: a reference cannot contain \'(\' at "$(f(y)) z": write $(NAME), one variable name between \'$(\' and \')\'',
      "apis/a.yaml:11: x-ibm-configuration.assembly.execute[0].set-variable.actions[2].value: empty reference '$()': write $(NAME) with a variable name",
      'apis/a.yaml:12: x-ibm-configuration.assembly.execute[1].throw.message: unterminated reference at "$(error.name": write $(NAME), closing it with \')\'',
    ]);
  });

  it("templates in invoke: target-url, username, password and cache-key fail the build, not the request", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - invoke:
          target-url: "https://$(target-host/orders"
          username: "$()"
          password: "$(pw(x))"
          cache-response: time-to-live
          cache-key: "k-$(request.path"
      - proxy: {target-url: "$(api.endpoint.address"}
`);
    expect(problems).toEqual([
      'apis/a.yaml:8: x-ibm-configuration.assembly.execute[0].invoke.target-url: unterminated reference at "$(target-host/orders": write $(NAME), closing it with \')\'',
      "apis/a.yaml:9: x-ibm-configuration.assembly.execute[0].invoke.username: empty reference '$()': write $(NAME) with a variable name",
      'apis/a.yaml:10: x-ibm-configuration.assembly.execute[0].invoke.password: a reference cannot contain \'(\' at "$(pw(x))": write $(NAME), one variable name between \'$(\' and \')\'',
      'apis/a.yaml:12: x-ibm-configuration.assembly.execute[0].invoke.cache-key: unterminated reference at "$(request.path": write $(NAME), closing it with \')\'',
      'apis/a.yaml:13: x-ibm-configuration.assembly.execute[1].proxy.target-url: unterminated reference at "$(api.endpoint.address": write $(NAME), closing it with \')\'',
    ]);
  });
});

describe("templates in jwt-generate's x-edge claims and headers", () => {
  it("a malformed $( reference fails the build at the claim or header that holds it", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - jwt-generate:
          jws-alg: HS256
          jws-crypto: k
          x-edge:
            claims:
              tenant: "$(request.headers.x-tenant"
              level: {value: "$()", type: number}
            headers:
              ctx: "a-$(x(y))"
`);
    expect(problems).toEqual([
      'apis/a.yaml:12: x-ibm-configuration.assembly.execute[0].jwt-generate.x-edge.claims.tenant: unterminated reference at "$(request.headers.x-tenant": write $(NAME), closing it with \')\'',
      "apis/a.yaml:13: x-ibm-configuration.assembly.execute[0].jwt-generate.x-edge.claims.level.value: empty reference '$()': write $(NAME) with a variable name",
      'apis/a.yaml:15: x-ibm-configuration.assembly.execute[0].jwt-generate.x-edge.headers.ctx: a reference cannot contain \'(\' at "$(x(y))": write $(NAME), one variable name between \'$(\' and \')\'',
    ]);
  });
});

describe("jwt-generate's jwt variable", () => {
  it("a read-only variable (jwt: request.token) fails the build instead of every request", () => {
    const { problems } = build(`${HEAD}x-ibm-configuration:
  assembly:
    execute:
      - jwt-generate: {jwt: request.token, jws-alg: HS256, jws-crypto: k}
`);
    expect(problems).toEqual([
      "apis/a.yaml:7: x-ibm-configuration.assembly.execute[0].jwt-generate.jwt: variable 'request.token' is read-only: write to a variable of your own (e.g. 'my.token') or to message.*",
    ]);
  });
});
