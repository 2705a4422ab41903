/**
 * The secret-hygiene checker itself: it must find a secret in every form it can take in a
 * response or a log line (positive controls), and not flag public material. Without these, a
 * checker that finds nothing would pass every suite.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, gatewayFor } from "../gateway-helpers";
import { OutputRecorder, SecretRegistry, readAndRecord } from "./recorder";
import { hex, randomBytes, signingPair } from "./support";

describe("secret hygiene checker", () => {
  it("finds a private key's PEM whole, by a window, in a JSON log line (escaped newlines), and its JWK members", async () => {
    const pair = await signingPair("RS256");
    const secrets = new SecretRegistry().addPem("rsa", pair.privatePem).addJwk("rsa-jwk", pair.privateJwk);
    const body = pair.privatePem.split("\n").slice(1, -2).join("\n");
    const middle = body.replace(/\n/g, "").slice(600, 660);
    const cases: Record<string, string> = {
      whole: pair.privatePem,
      "in a JSON log line": JSON.stringify({ level: "error", message: `bad key ${pair.privatePem}` }),
      "a 60-character slice of the body": `... ${middle} ...`,
      "one line of the PEM": `line: ${pair.privatePem.split("\n")[5]}`,
      "JWK d": `{"d":"${pair.privateJwk.d}"}`,
      "JWK p": `p=${pair.privateJwk.p}`,
      "JWK qi": String(pair.privateJwk.qi),
    };
    for (const [what, text] of Object.entries(cases)) expect(secrets.findIn(text), what).not.toEqual([]);
    // Public material is not a secret.
    expect(secrets.findIn(pair.publicPem + JSON.stringify(pair.publicJwk))).toEqual([]);
  });

  it("finds any 39 consecutive characters of a PEM body or a JWK d, wherever they start", async () => {
    const pair = await signingPair("ES256");
    const secrets = new SecretRegistry().addPem("ec", pair.privatePem).addJwk("ec-jwk", pair.privateJwk);
    const body = pair.privatePem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    fc.assert(
      fc.property(fc.integer({ min: 48, max: body.length - 39 }), fc.string({ maxLength: 10 }), (start, around) => {
        expect(secrets.findIn(`${around}${body.slice(start, start + 39)}${around}`)).not.toEqual([]);
      }),
      { numRuns: 200 },
    );
    // Labelled "ec-jwk.d", or "ec" when the PEM holds d at the same base64 alignment.
    expect(secrets.findIn(`x${pair.privateJwk.d!.slice(3)}`)).not.toEqual([]);
  });

  it("finds shared secrets as text, hex (either case), base64 and base64url", () => {
    const bytes = randomBytes(32);
    const b64 = btoa(String.fromCharCode(...bytes));
    const secrets = new SecretRegistry().addBytes("bytes", bytes).addText("text", "correct horse battery staple 42");
    for (const text of [hex(bytes), hex(bytes).toUpperCase(), b64, b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), "x correct horse battery staple 42 y"]) {
      expect(secrets.findIn(text), text).not.toEqual([]);
    }
    expect(secrets.findIn("correct horse")).toEqual([]);
    expect(() => new SecretRegistry().addText("short", "abc")).toThrow(/shorter/);
  });

  it("end to end: a definition that echoes a secret into a body or a header is caught", async () => {
    const secret = `0x${hex(randomBytes(24))}`;
    const secrets = new SecretRegistry().addText("LEAKY", secret);
    const output = new OutputRecorder();
    const gw = gatewayFor(
      { "leak.yaml": api("/leak", "execute:\n  - set-variable:\n      actions:\n        - {set: message.headers.X-Debug, value: '$(env.LEAKY)'}\n        - {set: message.body, value: 'ok'}") },
      { LEAKY: secret },
    );
    await readAndRecord(output, "GET /leak", await gw.fetch("/leak"));
    expect(output.leaks(secrets)).toEqual([{ secret: "LEAKY", where: "GET /leak" }]);
  });
});
