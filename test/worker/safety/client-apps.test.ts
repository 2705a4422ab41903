/**
 * Client applications and secret hygiene: no client secret, nor the salt or hash its record holds,
 * reaches a response or a log line — through refusals, wrong secrets, KV failures whose messages
 * carry the secret, malformed records, and an assembly that logs its failures.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useSafety } from "./recorder";
import { SecretRegistry } from "./hygiene";
import { ORDERS, registerApp, APPS } from "../security/helpers";
import { testEnv } from "../gateway-helpers";

describe("client applications: secret hygiene", () => {
  const safety = useSafety("client-apps");
  const apps: Awaited<ReturnType<typeof registerApp>>[] = [];
  beforeAll(async () => {
    apps.push(await registerApp("hygiene one", { secret: true }));
    apps.push(await registerApp("hygiene disabled", { secret: true, edit: (r) => ({ ...r, enabled: false }) }));
    apps.push(await registerApp("hygiene limited", { secret: true, apis: ["elsewhere"] }));
    apps.forEach((app, i) => safety.secrets.addClientApp(`app${i}`, app));
    // A record that is malformed but holds a hash and salt: its content must not be logged.
    const [good] = apps;
    await APPS().put("malformed-with-hash", JSON.stringify({ ...good!.record, enabled: "yes" }));
  });

  it("the checker finds a planted secret, salt or hash (positive control)", async () => {
    const app = apps[0]!;
    const secrets = new SecretRegistry().addClientApp("planted", app);
    const salt = app.record.secret!.salt;
    const saltHex = Array.from(Uint8Array.from(atob(salt.replace(/-/g, "+").replace(/_/g, "/") + "=="), (c) => c.charCodeAt(0)), (b) => b.toString(16).padStart(2, "0")).join("");
    for (const text of [`x ${app.secret} y`, JSON.stringify({ hash: app.record.secret!.hash }), `salt=${salt}`, saltHex]) {
      expect(secrets.findIn(text), text).not.toEqual([]);
    }
    expect(secrets.findIn(`client ${app.id} name ${app.record.name}`)).toEqual([]);
  });

  it("every outcome, with and without the right secret, in headers and the query: 0 leaks", async () => {
    const defWithCatchLog = ORDERS.replace("basePath: /orders", "basePath: /h");
    const gw = safety.gateway({ "h.yaml": defWithCatchLog });
    const failing = safety.gateway({ "f.yaml": defWithCatchLog.replace("basePath: /h", "basePath: /f") }, {
      ...testEnv,
      APPS: { get: () => Promise.reject(new Error(`KV failed for ${apps[0]!.secret} ${apps[0]!.record.secret!.hash}`)) },
    });
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    for (const app of apps) {
      const variants: [string, Record<string, string>][] = [
        ["/h/secret", { "X-IBM-Client-Id": app.id, "X-IBM-Client-Secret": app.secret! }],
        ["/h/secret", { "X-IBM-Client-Id": app.id, "X-IBM-Client-Secret": app.secret!.slice(0, -1) }],
        ["/h/secret", { "X-IBM-Client-Id": app.id }],
        [`/h/query?client_id=${app.id}&client_secret=${app.secret}`, {}],
        [`/h/query?client_id=${app.id}&client_secret=${app.record.secret!.hash}`, {}],
        ["/h/either", { "X-IBM-Client-Id": app.id, "X-IBM-Client-Secret": app.record.secret!.salt }],
        ["/h/id", { "X-IBM-Client-Id": "malformed-with-hash" }],
      ];
      for (const [path, headers] of variants) {
        count((await gw.fetch(path, { headers })).status);
        count((await failing.fetch(path.replace(/^\/h/, "/f"), { headers })).status);
      }
    }
    // Passes, refusals and generic 500s all happened; none carried a secret.
    expect([...statuses.keys()].sort()).toEqual([200, 401, 500]);
    const credentialEchoes = safety.output.texts.filter((t) => t.where.startsWith("GET /h/secret") && /x-ibm-client-secret/i.test(t.text));
    expect(credentialEchoes).toEqual([]);
    safety.expectNoLeaks();
  });
});
