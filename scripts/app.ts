/**
 * Registers client applications in the APPS KV namespace (key = client ID), in the format the worker
 * reads (src/security/app-record.ts), through wrangler's own KV commands.
 *
 *   npm run app -- add NAME [--secret] [--api API-NAME]... [--local|--remote]
 *   npm run app -- disable ID | enable ID | rotate-secret ID [--local|--remote]
 *
 * Prints `client_id: ID` and, for a new secret, `client_secret: SECRET` — the only time the secret is
 * shown: only its salted PBKDF2-SHA256 hash is stored. `--local` (the default) writes the store that
 * `wrangler dev` reads; `--remote` the deployed namespace. `--env ENV` (e.g. `production`) and
 * `--persist-to DIR` are passed to wrangler.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAppRecord, type AppRecord } from "../src/security/app-record";
import { newApplication, rotateSecret } from "../src/security/new-app";

const USAGE = `usage: npm run app -- add NAME [--secret] [--api API-NAME]... [--local|--remote] [--env ENV] [--persist-to DIR]
       npm run app -- disable ID | enable ID | rotate-secret ID [--local|--remote] [--env ENV] [--persist-to DIR]`;

interface Options {
  command: string;
  arg: string;
  secret: boolean;
  apis: string[];
  remote: boolean;
  persistTo: string | undefined;
  env: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const positional: string[] = [];
  const opts: Options = { command: "", arg: "", secret: false, apis: [], remote: false, persistTo: undefined, env: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--secret") opts.secret = true;
    else if (a === "--remote") opts.remote = true;
    else if (a === "--local") opts.remote = false;
    else if (a === "--api" || a === "--persist-to" || a === "--env") {
      const value = argv[++i];
      if (value === undefined) fail(`${a} needs a value`);
      if (a === "--api") opts.apis.push(value);
      else if (a === "--env") opts.env = value;
      else opts.persistTo = value;
    } else if (a.startsWith("--")) fail(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2) fail(USAGE);
  [opts.command, opts.arg] = positional as [string, string];
  return opts;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Runs wrangler (the project's own) with `args`; its output is kept, and shown only when it fails. */
function wrangler(args: string[]): Promise<string> {
  const bin = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${code}):\n${stderr}${stdout}`))));
  });
}

/** The APPS namespace through wrangler: the same store `wrangler dev` (local) or the deployed worker (remote) reads. */
class WranglerKv {
  constructor(private readonly opts: Options) {}

  private where(): string[] {
    // The worker (dev and deploy) reads the namespace's id, never a preview_id.
    const flags = ["--binding", "APPS", "--preview", "false", this.opts.remote ? "--remote" : "--local"];
    if (this.opts.persistTo !== undefined) flags.push("--persist-to", this.opts.persistTo);
    if (this.opts.env !== undefined) flags.push("--env", this.opts.env);
    return flags;
  }

  async get(id: string): Promise<string | null> {
    const out = await wrangler(["kv", "key", "get", id, ...this.where()]);
    return out.trim() === "Value not found" ? null : out;
  }

  /** Writes through a file (mode 0600), so the record is not on a command line or in wrangler's debug log. */
  async put(id: string, record: AppRecord): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), "app-"));
    try {
      const file = join(dir, "record.json");
      await writeFile(file, JSON.stringify(record), { mode: 0o600 });
      await wrangler(["kv", "key", "put", id, "--path", file, ...this.where()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function existing(kv: WranglerKv, id: string): Promise<AppRecord> {
  const text = await kv.get(id);
  if (text === null) fail(`no application with client ID ${id}`);
  const record = parseAppRecord(text);
  if (!record) fail(`the record of ${id} is not an application record`);
  return record;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const kv = new WranglerKv(opts);
  switch (opts.command) {
    case "add": {
      const app = await newApplication(opts.arg, { secret: opts.secret, apis: opts.apis });
      await kv.put(app.id, app.record);
      console.log(`client_id: ${app.id}`);
      if (app.secret !== undefined) console.log(`client_secret: ${app.secret}`);
      return;
    }
    case "disable":
    case "enable": {
      const record = await existing(kv, opts.arg);
      await kv.put(opts.arg, { ...record, enabled: opts.command === "enable" });
      console.log(`client_id: ${opts.arg}`);
      console.log(`enabled: ${opts.command === "enable"}`);
      return;
    }
    case "rotate-secret": {
      const rotated = await rotateSecret(await existing(kv, opts.arg));
      await kv.put(opts.arg, rotated.record);
      console.log(`client_id: ${opts.arg}`);
      console.log(`client_secret: ${rotated.secret}`);
      return;
    }
  }
  fail(USAGE);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
