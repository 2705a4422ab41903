/**
 * Load with verification: drives N requests at concurrency C through the real worker (bundled,
 * in Miniflare/workerd, via test/support/run-worker.ts) to a local origin in this process that
 * VERIFIES EVERY TOKEN and checks it belongs to the request that produced it.
 *
 * - The worker has one API per algorithm (HS256, ES256, and ES256 nested in RSA-OAEP-256/A256GCM).
 *   Each sets `sub.claim` from `$(request.headers.x-user)` and private claims from
 *   `$(request.headers.x-claims)`, mints, and invokes the origin (`$(env.ORIGIN_URL)$(request.path)`).
 * - The client sends request n with `x-user: u-<n>` and `x-claims: {"req":"u-<n>"}` (unique per request).
 * - The origin decrypts/verifies the bearer token with jose (signature, issuer, audience, expiry),
 *   and answers what it found: the x-user header it received and the token's sub and req claims.
 * - The client counts: answered (200 from the origin through the worker), errors (anything else:
 *   transport failures, other statuses, tokens that do not verify), and mismatches (a verified token
 *   whose sub or req is not this request's id, or an origin that saw another request's x-user).
 * - Secret hygiene: every response body, every token the origin received and every line of the
 *   worker's console output are checked for the keys and secrets this run configured.
 *
 * Used by test/node/safety-load.test.ts (a CI size) and test/load/cli.ts (`npm run load`).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { Agent, createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { compactDecrypt, importJWK, jwtVerify, type JWTPayload } from "jose";
import { startWorker, type RunningWorker } from "../support/run-worker";
import { OutputRecorder, SecretRegistry, type Leak } from "../worker/safety/hygiene";

export const ALGS = ["HS256", "ES256", "nested"] as const;
export type LoadAlg = (typeof ALGS)[number];

export interface LoadOptions {
  requests: number;
  concurrency: number;
  algs?: readonly LoadAlg[];
  /** Stop issuing new requests after this long (ms); default 15 minutes. */
  maxMs?: number;
  /** Per-request timeout (ms); default 30 s. */
  requestTimeoutMs?: number;
  /**
   * Negative control: every k-th request carries the next request's x-user, as if the gateway had
   * mixed them up. The report must count exactly those as mismatches (proves the check works).
   */
  injectMismatchesEvery?: number;
  /** Progress callback, called about every 5% of requests. */
  progress?: (done: number, total: number) => void;
}

export interface LoadReport {
  requests: number;
  concurrency: number;
  algs: LoadAlg[];
  sent: number;
  answered: number;
  errors: number;
  mismatches: number;
  /** Error and mismatch counts by kind, and a few examples. */
  errorKinds: Record<string, number>;
  examples: string[];
  byAlg: Record<string, { sent: number; answered: number; errors: number; mismatches: number }>;
  /** Tokens the origin verified (decrypted and verified, for nested). */
  tokensVerified: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  workerLogLines: number;
  /** Texts checked for secrets: response bodies, tokens and worker log lines. */
  hygiene: { texts: number; chars: number; secrets: number; leaks: Leak[] };
}

interface OriginFinding {
  verified: boolean;
  /** The x-user header the origin received. */
  xUser: string | null;
  sub: unknown;
  req: unknown;
  error?: string;
}

const ISSUER = "https://gateway.load.test";
const AUDIENCE = "load-origin";

function apiDefinition(alg: LoadAlg): string {
  const q = JSON.stringify;
  const policy: Record<string, string> =
    alg === "HS256"
      ? { "jws-alg": "HS256", "jws-crypto": "LOAD_HMAC" }
      : alg === "ES256"
        ? { "jws-alg": "ES256", "jws-crypto": "LOAD_ES256" }
        : { "jws-alg": "ES256", "jws-crypto": "LOAD_ES256", "jwe-alg": "RSA-OAEP-256", "jwe-enc": "A256GCM", "jwe-crypto": "LOAD_RSA_PUBLIC" };
  const props = Object.entries({ "iss-claim": "iss.claim", "sub-claim": "sub.claim", "aud-claim": "aud.claim", "private-claims": "pc", "exp-claim": "300", "jti-claim": "true", ...policy })
    .map(([k, v]) => `${k}: ${v === "true" || /^\d+$/.test(v) ? v : q(v)}`)
    .join(", ");
  const base = `/${alg.toLowerCase()}`;
  return `swagger: "2.0"
info: {title: load-${alg}, x-ibm-name: load-${alg.toLowerCase()}, version: 1.0.0}
basePath: ${base}
x-ibm-configuration:
  assembly:
    execute:
      - set-variable:
          actions:
            - {set: iss.claim, value: ${q(ISSUER)}}
            - {set: sub.claim, value: '$(request.headers.x-user)'}
            - {set: aud.claim, value: ${q(AUDIENCE)}}
            - {set: pc, value: '$(request.headers.x-claims)'}
      - jwt-generate: {${props}}
      - invoke: {target-url: '$(env.ORIGIN_URL)${base}$(request.path)', timeout: 30}
`;
}

/** Keys for one run, generated fresh; the worker gets the private signing keys and the recipient's public key. */
function generateKeys() {
  const hmac = randomBytes(32);
  const es = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    hmac,
    esPrivatePem: es.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    esPrivateJwk: es.privateKey.export({ format: "jwk" }) as JsonWebKey,
    esPublicJwk: es.publicKey.export({ format: "jwk" }) as JsonWebKey,
    rsaPublicPem: rsa.publicKey.export({ type: "spki", format: "pem" }) as string,
    rsaPrivatePem: rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    rsaPrivateJwk: rsa.privateKey.export({ format: "jwk" }) as JsonWebKey,
  };
}

/** The verifying origin: answers JSON `OriginFinding`; records every token for the hygiene check. */
async function startVerifyingOrigin(keys: ReturnType<typeof generateKeys>, output: OutputRecorder): Promise<{ server: Server; url: string; verified: () => number }> {
  const esPublic = await importJWK({ ...keys.esPublicJwk, alg: "ES256" } as never, "ES256");
  const rsaPrivate = await importJWK({ ...keys.rsaPrivateJwk, alg: "RSA-OAEP-256" } as never, "RSA-OAEP-256");
  let verified = 0;
  const check = async (req: IncomingMessage): Promise<OriginFinding> => {
    const xUser = typeof req.headers["x-user"] === "string" ? req.headers["x-user"] : null;
    const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return { verified: false, xUser, sub: undefined, req: undefined, error: "no bearer token" };
    output.record("token", token);
    const alg = (req.url ?? "").split("/")[1];
    const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg === "hs256" ? "HS256" : "ES256"], requiredClaims: ["exp", "iat", "jti"] };
    try {
      let payload: JWTPayload;
      if (alg === "hs256") payload = (await jwtVerify(token, keys.hmac, options)).payload;
      else if (alg === "es256") payload = (await jwtVerify(token, esPublic, options)).payload;
      else if (alg === "nested") {
        const { plaintext, protectedHeader } = await compactDecrypt(token, rsaPrivate, { keyManagementAlgorithms: ["RSA-OAEP-256"], contentEncryptionAlgorithms: ["A256GCM"] });
        if (protectedHeader.cty !== "JWT") throw new Error(`nested token's cty is ${String(protectedHeader.cty)}`);
        payload = (await jwtVerify(new TextDecoder().decode(plaintext), esPublic, options)).payload;
      } else throw new Error(`unknown API /${alg}`);
      verified++;
      return { verified: true, xUser, sub: payload.sub, req: payload.req };
    } catch (e) {
      return { verified: false, xUser, sub: undefined, req: undefined, error: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 200) };
    }
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      void check(req).then((finding) => {
        const body = JSON.stringify(finding);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, verified: () => verified };
}

function get(agent: Agent, url: URL, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0));

/** Runs one load test end to end (start origin and worker, drive, stop) and reports. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const algs = [...(options.algs ?? ALGS)];
  const keys = generateKeys();
  const secrets = new SecretRegistry()
    .addBytes("LOAD_HMAC", keys.hmac)
    .addPem("LOAD_ES256", keys.esPrivatePem)
    .addJwk("LOAD_ES256 (JWK)", keys.esPrivateJwk)
    .addPem("recipient RSA private key", keys.rsaPrivatePem)
    .addJwk("recipient RSA private key (JWK)", keys.rsaPrivateJwk);
  const output = new OutputRecorder();
  const origin = await startVerifyingOrigin(keys, output);
  let worker: RunningWorker | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    worker = await startWorker({
      apis: Object.fromEntries(algs.map((alg) => [`load-${alg.toLowerCase()}.yaml`, apiDefinition(alg)])),
      bindings: { ORIGIN_URL: origin.url, LOAD_HMAC: `0x${keys.hmac.toString("hex")}`, LOAD_ES256: keys.esPrivatePem, LOAD_RSA_PUBLIC: keys.rsaPublicPem },
    });
    const base = new URL(worker.url);
    const byAlg = Object.fromEntries(algs.map((a) => [a, { sent: 0, answered: 0, errors: 0, mismatches: 0 }]));
    const errorKinds: Record<string, number> = {};
    const examples: string[] = [];
    const latencies: number[] = [];
    let next = 0;
    let sent = 0;
    let answered = 0;
    let errors = 0;
    let mismatches = 0;
    const fail = (alg: LoadAlg, kind: string, detail: string, mismatch = false) => {
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      if (examples.length < 10) examples.push(`${kind}: ${detail}`);
      if (mismatch) {
        mismatches++;
        byAlg[alg]!.mismatches++;
      } else {
        errors++;
        byAlg[alg]!.errors++;
      }
    };
    const deadline = Date.now() + (options.maxMs ?? 15 * 60_000);
    const step = Math.max(1, Math.floor(options.requests / 20));
    const t0 = performance.now();
    /** One request: its id is u-<n>; the API is chosen round-robin. */
    const one = async (n: number): Promise<void> => {
      const alg = algs[n % algs.length] as LoadAlg;
      const id = `u-${n}`;
      const url = new URL(`/${alg.toLowerCase()}/orders/${n}`, base);
      sent++;
      byAlg[alg]!.sent++;
      const started = performance.now();
      let res: { status: number; body: string };
      try {
        const k = options.injectMismatchesEvery;
        const sentId = k && n % k === 0 ? `u-${n + 1}` : id;
        res = await get(agent, url, { "x-user": sentId, "x-claims": JSON.stringify({ req: sentId }) }, options.requestTimeoutMs ?? 30_000);
      } catch (e) {
        latencies.push(performance.now() - started);
        return fail(alg, "transport", `${id} ${alg}: ${(e as Error).message}`);
      }
      latencies.push(performance.now() - started);
      output.record(`response ${id}`, res.body);
      if (res.status !== 200) return fail(alg, `HTTP ${res.status}`, `${id} ${alg}: ${res.body.slice(0, 200)}`);
      let finding: OriginFinding;
      try {
        finding = JSON.parse(res.body) as OriginFinding;
      } catch {
        return fail(alg, "not the origin's answer", `${id} ${alg}: ${res.body.slice(0, 200)}`);
      }
      answered++;
      byAlg[alg]!.answered++;
      if (!finding.verified) fail(alg, "token did not verify", `${id} ${alg}: ${finding.error}`);
      else if (finding.xUser !== id) fail(alg, "origin saw another request", `${id} ${alg}: origin saw x-user ${finding.xUser}`, true);
      else if (finding.sub !== id || finding.req !== id) fail(alg, "token of another request", `${id} ${alg}: token sub ${String(finding.sub)} req ${String(finding.req)}`, true);
    };
    let completed = 0;
    const lane = async () => {
      for (let n = next++; n < options.requests && Date.now() <= deadline; n = next++) {
        await one(n);
        completed++;
        if (options.progress && completed % step === 0) options.progress(completed, options.requests);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.requests) }, lane));
    const seconds = (performance.now() - t0) / 1000;
    // Let the worker's last log lines arrive before checking them.
    await new Promise((r) => setTimeout(r, 200));
    for (const line of worker.logs) output.record("worker log", line);
    latencies.sort((a, b) => a - b);
    const leaks = output.leaks(secrets);
    return {
      requests: options.requests,
      concurrency: options.concurrency,
      algs,
      sent,
      answered,
      errors,
      mismatches,
      errorKinds,
      examples,
      byAlg,
      tokensVerified: origin.verified(),
      seconds,
      requestsPerSecond: sent / seconds,
      latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
      workerLogLines: worker.logs.length,
      hygiene: { texts: output.texts.length, chars: output.chars, secrets: secrets.labels().length, leaks },
    };
  } finally {
    agent.destroy();
    await worker?.stop();
    origin.server.closeAllConnections();
    await new Promise<void>((r) => origin.server.close(() => r()));
  }
}

/** A short, human-readable report. */
export function formatReport(r: LoadReport): string {
  const lines = [
    `load: ${r.sent} requests sent at concurrency ${r.concurrency} (${r.algs.join(", ")}) in ${r.seconds.toFixed(1)} s: ${r.requestsPerSecond.toFixed(0)} req/s`,
    `load: answered ${r.answered}, errors ${r.errors}, mismatches ${r.mismatches}; tokens verified by the origin: ${r.tokensVerified}`,
    `load: latency ms p50 ${r.latencyMs.p50.toFixed(1)}, p90 ${r.latencyMs.p90.toFixed(1)}, p99 ${r.latencyMs.p99.toFixed(1)}, max ${r.latencyMs.max.toFixed(1)}`,
    ...Object.entries(r.byAlg).map(([alg, s]) => `load:   ${alg.padEnd(7)} sent ${s.sent}, answered ${s.answered}, errors ${s.errors}, mismatches ${s.mismatches}`),
    `load: hygiene: ${r.hygiene.texts} texts (${r.hygiene.chars} chars: responses, tokens, ${r.workerLogLines} worker log lines) checked for ${r.hygiene.secrets} secrets: ${r.hygiene.leaks.length} leaks`,
  ];
  if (Object.keys(r.errorKinds).length > 0) lines.push(`load: by kind: ${JSON.stringify(r.errorKinds)}`, ...r.examples.map((e) => `load:   e.g. ${e}`));
  if (r.hygiene.leaks.length > 0) lines.push(...r.hygiene.leaks.slice(0, 10).map((l) => `load:   LEAK of ${l.secret} in ${l.where}`));
  return lines.join("\n");
}

/** A run passes when every request was answered with a verifying token of its own, and nothing leaked. */
export const passed = (r: LoadReport) => r.sent === r.requests && r.answered === r.requests && r.errors === 0 && r.mismatches === 0 && r.hygiene.leaks.length === 0;

