import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { compileApis, type ApiSource } from "../../src/config/compile-api";
import { parseApiText } from "../../src/config/parse-source";
import { formatProblem, type Problem } from "../../src/config/problems";
import { BuildCodeHost } from "../code-host";
import { readApiDirectory } from "../read-apis";

/** Reads definitions from folders (every *.yaml|yml|json) and single files. */
export async function readDefinitions(paths: readonly string[]): Promise<{ sources: ApiSource[]; problems: Problem[] }> {
  const sources: ApiSource[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      problems.push({ file: path, path: "", message: "no such file or folder" });
    } else if (info.isDirectory()) {
      const read = await readApiDirectory(resolve(path));
      sources.push(...read.sources);
      problems.push(...read.problems);
    } else {
      const { source, problem } = parseApiText(path, await readFile(path, "utf8"));
      if (source) sources.push(source);
      if (problem) problems.push(problem);
    }
  }
  return { sources, problems };
}

/** `edge-jwt check [DIR|FILE…]`: the build's validation, without writing the bundle. Exit code 1 on a problem. */
export async function runCheck(args: readonly string[]): Promise<number> {
  const paths = args.length > 0 ? args : ["apis"];
  const read = await readDefinitions(paths);
  const { problems, warnings } = compileApis(read.sources, new BuildCodeHost());
  const all = [...read.problems, ...problems];
  for (const w of warnings) console.warn(`warning: ${w}`);
  for (const p of all) console.error(formatProblem(p));
  if (all.length > 0) {
    console.error(`edge-jwt check: ${all.length} problem${all.length === 1 ? "" : "s"} in ${paths.join(", ")}`);
    return 1;
  }
  console.log(`edge-jwt check: ${read.sources.length} API${read.sources.length === 1 ? "" : "s"} OK in ${paths.join(", ")}`);
  return 0;
}
