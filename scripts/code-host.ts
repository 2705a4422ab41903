import type { CodeHost, CodeOptions } from "../src/config/code";
import { analyzeCode } from "./code-analysis";

/**
 * The build step's CodeHost: parses each piece of code as strict JavaScript (acorn reports line and
 * column), applies its CodeOptions (allowed modules, sloppy-mode assignments), keeps the resulting
 * source for the generated module, and — in Node, where it is allowed — makes the function so that
 * build-time tools can run it.
 */
export class BuildCodeHost implements CodeHost {
  /** id → source, in the order met; written into the generated module by `moduleText`. */
  readonly sources = new Map<string, string>();

  compile(id: string, source: string, path: string, reader: Parameters<CodeHost["compile"]>[3], userStart = 1, options: CodeOptions = {}) {
    const result = analyzeCode(source, options);
    if (!result.ok) {
      const { line, column, message } = result.problem;
      const userLines = source.split("\n").length - userStart; // lines after the user's text belong to the wrapper
      const userLine = line - userStart + 1;
      const where = userLine >= 1 && userLine <= userLines ? ` at line ${userLine}, column ${column}` : userLine < 1 ? " at line 1" : " at the end of the code";
      const kind = /^(module|require)/.test(message) ? "JavaScript" : "JavaScript syntax error";
      reader.report(path, `${kind}${where}: ${message}`);
      return undefined;
    }
    this.sources.set(id, result.source);
    // Node may evaluate; the worker never does (it imports the generated module instead).
    return new Function(`"use strict"; return ${result.source}`)() as (...args: never[]) => unknown;
  }

  /** The generated module's `API_CODE` table: each entry a real function expression. */
  moduleText(): string {
    const entries = [...this.sources].map(([id, source]) => `  ${JSON.stringify(id)}: ${source},\n`);
    return `export const API_CODE: Record<string, unknown> = {\n${entries.join("")}};\n`;
  }
}
