/** A light loopback origin and a keep-alive HTTP load generator at fixed concurrency. */
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Origin {
  server: Server;
  url: string;
  /** The last Authorization header seen, by first path segment. */
  lastAuthorization: Map<string, string>;
}

/** Answers every request with a small fixed body; remembers the last bearer per first path segment. */
export async function startOrigin(): Promise<Origin> {
  const lastAuthorization = new Map<string, string>();
  const body = Buffer.from('{"ok":true}\n');
  const server = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth) lastAuthorization.set((req.url ?? "/").split("/")[1] ?? "", auth);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lastAuthorization };
}

export interface LoadResult {
  requests: number;
  errors: number;
  ms: number;
  rps: number;
  /** The first failure, for the report. */
  firstError?: string;
}

/** GETs `base + path` with `concurrency` requests in flight until `maxRequests` are done or `maxMs` has passed. */
export async function runLoad(base: string, path: string, opts: { concurrency: number; maxRequests: number; maxMs: number; agent: Agent }): Promise<LoadResult> {
  const target = new URL(path, base);
  let started = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + opts.maxMs;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, agent: opts.agent, headers: { "x-user": "alice" } },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 200) done++;
            else {
              errors++;
              firstError ??= `HTTP ${res.statusCode}`;
            }
            resolve();
          });
        },
      );
      req.on("error", (e) => {
        errors++;
        firstError ??= e.message;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (started < opts.maxRequests && performance.now() < deadline) {
      started++;
      await once();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const ms = performance.now() - t0;
  return { requests: done, errors, ms, rps: (done / ms) * 1000, firstError };
}

export function keepAliveAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency });
}
