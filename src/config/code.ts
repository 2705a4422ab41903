import type { ConfigReader } from "./reader";

/**
 * Code that definitions carry (v5 JavaScript conditions, GatewayScript). Workers refuse `eval` and
 * `new Function`, so each piece is compiled at build time: the build step checks its syntax and writes
 * it into the generated module as a real function, and the worker takes it from there by `id`.
 */
export interface CodeHost {
  /**
   * The function made from `source` — JavaScript text of one expression whose value is the function,
   * e.g. `(function (ctx) { … })` — registered under `id` (unique per definition: `file#path`).
   * `userStart` is the 1-based line of `source` where the user's own text begins, so a syntax
   * error is reported at the user's line. Returns undefined after reporting a problem at `path`.
   */
  compile(
    id: string,
    source: string,
    path: string,
    reader: ConfigReader,
    userStart?: number,
    options?: CodeOptions,
  ): ((...args: never[]) => unknown) | undefined;
}

/** What the build step checks or adapts in a piece of code, beyond its syntax (strict mode, as the bundle is an ES module). */
export interface CodeOptions {
  /**
   * The modules the code may `require('NAME')`. When given, a `require` of any other module, or one
   * whose argument is not a literal string, is a build problem at the user's line and column.
   */
  modules?: readonly string[];
  /**
   * Sloppy-mode code assigns names it never declares (`count = 1` meaning a global). The build declares
   * each such name as a local of the outermost function, so the code runs in strict mode and the value
   * lives for one call only (never shared between requests).
   */
  declareAssigned?: boolean;
}

/** The id of a piece of code: the file and the path of the property that holds it. */
export const codeId = (file: string, path: string): string => `${file}#${path}`;

/** In the worker: code the build step compiled into the generated module. */
export function bundledCode(table: Readonly<Record<string, unknown>>): CodeHost {
  return {
    compile(id, _source, path, reader) {
      const fn = Object.hasOwn(table, id) ? table[id] : undefined;
      if (typeof fn === "function") return fn as (...args: never[]) => unknown;
      reader.report(path, "this code was not compiled into the bundle: run `npm run build:apis` (wrangler does it before dev and deploy)");
      return undefined;
    },
  };
}

/** Where no build step ran (definitions compiled inside the worker at run time): code cannot be used. */
export const noCode: CodeHost = bundledCode({});
