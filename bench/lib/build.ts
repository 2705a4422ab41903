/** Bundles a bench worker with esbuild, as wrangler would (ESM, workerd conditions). */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import { BuildCodeHost } from "../../scripts/code-host";
import { compileApis, type ApiSource } from "../../src/config/compile-api";
import { formatProblem } from "../../src/config/problems";

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const SRC = resolve(ROOT, "src");

export interface BundleResult {
  outfile: string;
  /** src modules imported but not in the tree (yet): stubbed, so whatever uses them fails at run time. */
  missing: string[];
}

/**
 * `./generated/apis` (src/index.ts's build output) → the given sources, so the bench gateway
 * runs the bench's definitions without touching src/generated/. Code in them (gatewayscript) is
 * compiled into API_CODE by the build step's own CodeHost, as `npm run build:apis` would.
 */
function generatedApis(sources: readonly ApiSource[]): Plugin {
  const code = new BuildCodeHost();
  const { problems } = compileApis(sources, code);
  if (problems.length > 0) throw new Error(`bench definitions are invalid:\n${problems.map(formatProblem).join("\n")}`);
  return {
    name: "bench-generated-apis",
    setup(b) {
      b.onResolve({ filter: /(^|\/)generated\/apis$/ }, () => ({ path: "apis", namespace: "bench-generated" }));
      b.onLoad({ filter: /.*/, namespace: "bench-generated" }, () => ({
        contents: `export const API_SOURCES = ${JSON.stringify(sources)};\n${code.moduleText()}`,
        loader: "ts",
      }));
    },
  };
}

/** A relative import inside src/ whose file is missing becomes an empty module (and is reported). */
function missingSrcModules(missing: string[]): Plugin {
  return {
    name: "bench-missing-src-modules",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.startsWith(SRC)) return undefined;
        const base = resolve(args.resolveDir, args.path);
        const candidates = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`];
        if (candidates.some((p) => existsSync(p) && statSync(p).isFile())) return undefined;
        const name = relative(ROOT, base);
        if (!missing.includes(name)) missing.push(name);
        return { path: name, namespace: "bench-missing" };
      });
      b.onLoad({ filter: /.*/, namespace: "bench-missing" }, () => ({ contents: "module.exports = {};\n", loader: "js" }));
    },
  };
}

/** A text replacement in one src file, for an experiment: `find` must occur exactly once. */
export interface Patch {
  /** Relative to the repository root, e.g. `src/jose/base64url.ts`. */
  file: string;
  find: string;
  replace: string;
}

/** Bundles src as it is in the tree, with `patches` applied; a patch whose text is not found fails the build. */
function patchedSrc(patches: readonly Patch[]): Plugin {
  const byFile = new Map<string, Patch[]>();
  for (const p of patches) byFile.set(resolve(ROOT, p.file), [...(byFile.get(resolve(ROOT, p.file)) ?? []), p]);
  return {
    name: "bench-patched-src",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const list = byFile.get(args.path);
        if (!list) return undefined;
        let text = readFileSync(args.path, "utf8");
        for (const p of list) {
          const at = text.indexOf(p.find);
          if (at < 0 || text.indexOf(p.find, at + 1) >= 0) {
            throw new Error(`patch for ${p.file} no longer applies (its text is ${at < 0 ? "not found" : "found twice"}): src has changed`);
          }
          text = text.slice(0, at) + p.replace + text.slice(at + p.find.length);
        }
        return { contents: text, loader: "ts", resolveDir: dirname(args.path) };
      });
    },
  };
}

export async function bundleWorker(entry: string, outfile: string, opts: { apiSources?: readonly ApiSource[]; patches?: readonly Patch[] } = {}): Promise<BundleResult> {
  const missing: string[] = [];
  const plugins = [missingSrcModules(missing)];
  if (opts.patches?.length) plugins.push(patchedSrc(opts.patches));
  if (opts.apiSources !== undefined) plugins.unshift(generatedApis(opts.apiSources));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    logLevel: "silent",
    plugins,
  });
  return { outfile, missing };
}
