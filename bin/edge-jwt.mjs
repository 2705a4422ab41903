#!/usr/bin/env node
// `npx edge-jwt …`: runs the TypeScript CLI (scripts/cli.ts) through tsx, so the checks are the worker's own code.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// tsx resolved from this project, not from the folder the command runs in.
const tsx = import.meta.resolve("tsx");
const result = spawnSync(process.execPath, ["--import", tsx, join(root, "scripts", "cli.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
