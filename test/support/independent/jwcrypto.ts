/**
 * Optional third opinion: Python's jwcrypto (Latchset; on top of pyca/cryptography), used only when
 * a python3 with jwcrypto is installed (Debian: apt-get install python3-jwcrypto). The npm-based
 * verifiers in this folder are the required ones; this one is skipped when absent.
 * All items go to one Python process, so the start-up cost is paid once.
 */
import { spawn, spawnSync } from "node:child_process";
import { privateJwk, publicJwk, type IndependentKey } from "./keys";

const SCRIPT = String.raw`
import json, sys
from jwcrypto import jwk, jws, jwe
out = []
for item in json.load(sys.stdin):
    try:
        key = jwk.JWK(**item["jwk"])
        if item["kind"] == "jws":
            s = jws.JWS()
            s.deserialize(item["token"])
            s.allowed_algs = [item["alg"]]
            s.verify(key, alg=item["alg"])
            out.append({"ok": True, "header": s.jose_header, "text": s.payload.decode("utf-8")})
        else:
            e = jwe.JWE()
            e.allowed_algs = [item["alg"], item["enc"]]
            e.deserialize(item["token"], key=key)
            if e.jose_header.get("alg") != item["alg"] or e.jose_header.get("enc") != item["enc"]:
                raise ValueError("unexpected alg/enc " + json.dumps(e.jose_header))
            out.append({"ok": True, "header": e.jose_header, "text": e.payload.decode("utf-8")})
    except Exception as ex:
        out.append({"ok": False, "error": type(ex).__name__ + ": " + str(ex)})
json.dump(out, sys.stdout)
`;

let cached: string | null | undefined;

/** A python3 that can import jwcrypto, or undefined. INDEPENDENT_PYTHON overrides the search. */
export function jwcryptoPython(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const candidates = process.env.INDEPENDENT_PYTHON ? [process.env.INDEPENDENT_PYTHON] : ["python3", "/usr/bin/python3"];
  cached = null;
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import jwcrypto.jwe, jwcrypto.jws"], { stdio: "ignore", timeout: 20_000 });
    if (r.status === 0) {
      cached = py;
      break;
    }
  }
  return cached ?? undefined;
}

export type JwcryptoItem =
  | { kind: "jws"; token: string; key: IndependentKey; alg: string }
  | { kind: "jwe"; token: string; key: IndependentKey; alg: string; enc: string };

export type JwcryptoResult = { ok: true; header: Record<string, unknown>; text: string } | { ok: false; error: string };

/** Verifies/decrypts every item with jwcrypto in one Python process; one result per item, in order. */
export async function jwcryptoBatch(items: JwcryptoItem[]): Promise<JwcryptoResult[]> {
  const py = jwcryptoPython();
  if (!py) throw new Error("python3 with jwcrypto is not installed");
  const input = JSON.stringify(
    items.map((it) => ({
      ...it,
      key: undefined,
      // jwcrypto also needs RSA1_5 allowed explicitly; allowed_algs above does that per item.
      jwk: it.kind === "jws" ? publicJwk(it.key) : privateJwk(it.key),
    })),
  );
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(py, ["-c", SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`jwcrypto exited ${code}: ${err}`))));
    child.stdin.end(input);
  });
  return JSON.parse(stdout) as JwcryptoResult[];
}
