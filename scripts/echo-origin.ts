import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBearer, type OriginKeys } from "./read-bearer";

/**
 * A local origin that answers with the request it received, as JSON:
 * `{method, path, headers, body}`; `body` is the UTF-8 text, `bodySha256` its hash, and
 * `bearer` what a bearer token holds (decoded; decrypted and verified when `keys` are given).
 * Paths starting with `/slow/MS` answer after MS milliseconds, `/status/CODE` with that status,
 * `/redirect/PATH` with a 302 to `/PATH`.
 */
export async function startEchoOrigin(port = 0, host = "127.0.0.1", keys?: OriginKeys): Promise<Server> {
  const { createHash } = await import("node:crypto");
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? "/";
      const slow = /^\/slow\/(\d+)/.exec(url);
      const status = /^\/status\/(\d{3})/.exec(url);
      const redirect = /^\/redirect(\/.*)$/.exec(url);
      const answer = async () => {
        const payload = JSON.stringify(
          {
            method: req.method,
            path: url,
            headers: req.headers,
            body: body.toString("utf8"),
            bodyLength: body.length,
            bodySha256: createHash("sha256").update(body).digest("hex"),
            bearer: await readBearer(req.headers.authorization, keys),
          },
          null,
          2,
        );
        res.writeHead(status ? Number(status[1]) : 200, { "content-type": "application/json", "x-echo": "1" });
        res.end(payload + "\n");
      };
      if (redirect) {
        res.writeHead(302, { location: redirect[1] as string, "x-echo": "1" });
        res.end();
      } else if (slow) setTimeout(() => void answer(), Number(slow[1]));
      else void answer();
    });
  });
  // A taken port is an error the caller can handle (start-demo falls back to a free port), not a crash.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

// Run directly: `tsx scripts/echo-origin.ts [port]`.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, "/"))) {
  const server = await startEchoOrigin(Number(process.argv[2] ?? 8790));
  console.log(`echo origin listening on http://127.0.0.1:${portOf(server)}`);
}
