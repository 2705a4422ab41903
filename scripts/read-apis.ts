import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseApiText } from "../src/config/parse-source";
import type { ApiSource } from "../src/config/compile-api";
import type { Problem } from "../src/config/problems";

const DEFINITION = /\.(ya?ml|json)$/i;

/** Every `*.yaml`, `*.yml` and `*.json` file of a folder, in name order. */
export async function readApiDirectory(dir: string): Promise<{ sources: ApiSource[]; problems: Problem[] }> {
  const names = (await readdir(dir)).filter((n) => DEFINITION.test(n)).sort();
  const sources: ApiSource[] = [];
  const problems: Problem[] = [];
  for (const name of names) {
    const file = join(basename(dir), name);
    const { source, problem } = parseApiText(file, await readFile(join(dir, name), "utf8"));
    if (source) sources.push(source);
    if (problem) problems.push(problem);
  }
  return { sources, problems };
}
