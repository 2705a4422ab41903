/**
 * `bench/overhead.ts`: the gateway's own per-request work, without sockets. The origin is a stub (global fetch
 * answers at once), so what is timed is the handler: `bare` (a worker that only forwards) next to the gateway's
 * APIs. Loops `n` requests inside the isolate; the runner times them by workerd CPU time.
 */
import gateway from "../../src/index";

type Env = Record<string, unknown> & { BENCH_ORIGIN: string };

const stubOrigin = async (): Promise<Response> => new Response("ok", { headers: { "content-type": "text/plain", "x-origin": "1" } });

function bare(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  return fetch(env.BENCH_ORIGIN + url.pathname.replace(/^\/bare/, "") + url.search, { method: request.method, headers: request.headers, body: request.body });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const api = params.get("api") ?? "passthrough";
    const n = Number(params.get("n") ?? "1000");
    const real = globalThis.fetch;
    globalThis.fetch = stubOrigin as typeof fetch;
    let status = 0;
    try {
      for (let i = 0; i < n; i++) {
        const req = new Request(`https://gw.test/${api}/items/42`, { headers: { accept: "*/*", "user-agent": "bench", connection: "keep-alive" } });
        const res = api === "bare" ? await bare(req, env) : await gateway.fetch(req, env);
        status = res.status;
        await res.arrayBuffer();
      }
    } finally {
      globalThis.fetch = real;
    }
    return new Response(String(status));
  },
};
