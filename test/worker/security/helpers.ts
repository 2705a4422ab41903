import { testEnv } from "../gateway-helpers";
import { newApplication } from "../../../src/security/new-app";
import type { AppRecord } from "../../../src/security/app-record";

export const APPS = () => (testEnv as unknown as { APPS: KVNamespace }).APPS;

/** Registers a new application in the test APPS namespace, as `npm run app -- add` would. */
export async function registerApp(name: string, opts: { secret?: boolean; apis?: string[]; edit?: (r: AppRecord) => AppRecord } = {}) {
  const app = await newApplication(name, opts);
  const record = opts.edit ? opts.edit(app.record) : app.record;
  await APPS().put(app.id, JSON.stringify(record));
  return { ...app, record };
}

/**
 * A definition with client ID schemes in header and query, a secret in each, an OAuth scheme, and
 * operations that use them; the assembly answers with the client variables, or forwards to the origin.
 */
export const ORDERS = `swagger: "2.0"
info: {title: Orders, x-ibm-name: orders, version: 1.0.0}
basePath: /orders
securityDefinitions:
  clientID: {type: apiKey, in: header, name: X-IBM-Client-Id}
  clientSecret: {type: apiKey, in: header, name: X-IBM-Client-Secret}
  queryID: {type: apiKey, in: query, name: client_id, x-key-type: client_id}
  querySecret: {type: apiKey, in: query, name: client_secret, x-key-type: client_secret}
  oauth: {type: oauth2, flow: application, tokenUrl: "https://idp.example/token", scopes: {read: read}}
security:
  - clientID: []
paths:
  /open: {get: {security: []}}
  /id: {get: {operationId: byApiLevel}}
  /secret: {get: {security: [{clientID: [], clientSecret: []}]}}
  /query: {get: {security: [{queryID: [], querySecret: []}]}}
  /either: {get: {security: [{clientID: [], clientSecret: []}, {queryID: []}]}}
  /oauth: {get: {operationId: tokenOnly, security: [{oauth: [read]}]}}
  /oauth-and-id: {get: {security: [{oauth: [], clientID: []}, {oauth: [], queryID: []}]}}
  /forward: {get: {}}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: message.body, value: "id=$(client.app.id) name=$(client.app.name) state=$(client.app.lifecycle-state) tier=$(client.app.metadata.tier) secret=$(client.app.secret)"}
      - invoke:
          target-url: $(env.ORIGIN_URL)/echo$(request.search)
          verb: GET
`;
