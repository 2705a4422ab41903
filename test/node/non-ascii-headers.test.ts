/**
 * Header values beyond ASCII, through the real worker (Miniflare/workerd) and over real sockets.
 *
 * workerd prints a warning on its console for every non-ASCII header value it stores ("As a quirk to support
 * Unicode, we are encoding values as UTF-8"), which the workerd test pool cannot capture. The fuzz tests there
 * (test/worker/safety/fuzz-variables.test.ts) therefore draw ASCII header values, and the non-ASCII cases are
 * checked here, where workerd's output is collected in `worker.logs` instead of printed.
 */
import { randomBytes } from "node:crypto";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/run-worker";

const SECRET = randomBytes(32);
let worker: RunningWorker;

const api = (name: string, last: string) => `swagger: "2.0"
info: {title: ${name}, x-ibm-name: ${name}, version: 1.0.0}
basePath: /${name}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: https://issuer.test}
            - {set: sub.claim, value: '$(request.headers.x-user)'}
            - {set: message.headers.X-Fuzz, value: '$(request.parameters.h)'}
      - jwt-generate: {jws-alg: HS256, jws-crypto: HMAC_KEY, sub-claim: sub.claim}
${last}`;

beforeAll(async () => {
  worker = await startWorker({
    apis: {
      // The origin receives the header the flow set, the token, and the client's x-user.
      "to-origin.yaml": api("to-origin", "      - invoke: {target-url: '$(env.ORIGIN_URL)/echo'}\n"),
      // No invoke: the message, with the header the flow set, is the response.
      "to-client.yaml": api("to-client", "      - set-variable: {actions: [{set: message.body, value: '$(message.headers.authorization)'}]}\n"),
    },
    bindings: { HMAC_KEY: `0x${SECRET.toString("hex")}` },
  });
});
afterAll(() => worker?.stop());

/** Text as UTF-8 bytes in a header: how a client sends it (Node's fetch takes header values byte per character). */
const asUtf8Bytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");
/** Header bytes Node read as latin1, decoded as the UTF-8 they are. */
const fromUtf8Bytes = (latin1: string) => Buffer.from(latin1, "latin1").toString("utf8");

const VALUES = ["é", "naïve café", "\u00ff\u0100", "日本語", "💥 boom", "  padded é  "];

async function subOf(authorization: string): Promise<unknown> {
  const token = /^Bearer (\S+)$/.exec(authorization)?.[1] ?? "";
  const { payload } = await jwtVerify(token, SECRET, { algorithms: ["HS256"], issuer: "https://issuer.test" });
  return payload.sub;
}

describe("non-ASCII header values", () => {
  for (const value of VALUES) {
    it(`${JSON.stringify(value)}: a header set from request data reaches the origin as UTF-8; the client's x-user becomes the sub claim`, async () => {
      const res = await worker.fetch(`/to-origin/x?${new URLSearchParams({ h: value })}`, { headers: { "x-user": asUtf8Bytes(value) } });
      expect(res.status).toBe(200);
      const echo = (await res.json()) as { headers: Record<string, string> };
      // Leading and trailing blanks are not part of a header value (RFC 9110 §5.5).
      expect(fromUtf8Bytes(echo.headers["x-fuzz"] ?? "")).toBe(value.trim());
      expect(await subOf(echo.headers.authorization ?? "")).toBe(value.trim());
    });
  }

  it("a header set from request data is sent to the client as UTF-8", async () => {
    for (const value of VALUES) {
      const res = await worker.fetch(`/to-client/x?${new URLSearchParams({ h: value })}`, { headers: { "x-user": "ascii" } });
      expect(res.status).toBe(200);
      expect(fromUtf8Bytes(res.headers.get("x-fuzz") ?? "")).toBe(value.trim());
      expect(await subOf(await res.text())).toBe("ascii");
    }
  });

  it("CR, LF or NUL from request data in a header still fails the flow with the generic 500, never reaching a header", async () => {
    for (const bad of ["é\r\nx-injected: 1", "é\nb", "é\0"]) {
      const res = await worker.fetch(`/to-client/x?${new URLSearchParams({ h: bad })}`);
      expect(res.status).toBe(500);
      expect(res.headers.get("x-injected")).toBeNull();
      expect(res.headers.get("x-fuzz")).toBeNull();
    }
    // The HMAC key never appears in what the worker printed.
    expect(worker.logs.filter((l) => l.includes(SECRET.toString("hex")))).toEqual([]);
  });
});
