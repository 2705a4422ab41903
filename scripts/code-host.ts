import { transformSync } from "esbuild";
import type { CodeHost } from "../src/config/code";

/**
 * The build step's CodeHost: checks each piece of code's syntax (esbuild reports line and column),
 * keeps its source for the generated module, and — in Node, where it is allowed — makes the function
 * so that build-time tools can run it.
 */
export class BuildCodeHost implements CodeHost {
  /** id → source, in the order met; written into the generated module by `moduleText`. */
  readonly sources = new Map<string, string>();

  compile(id: string, source: string, path: string, reader: Parameters<CodeHost["compile"]>[3], userStart = 1) {
    try {
      transformSync(source, { loader: "js", logLevel: "silent" });
    } catch (e) {
      const first = (e as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
      const loc = first?.location;
      const where = loc ? ` at line ${loc.line - userStart + 1}, column ${loc.column + 1}` : "";
      reader.report(path, `JavaScript syntax error${where}: ${first?.text ?? "unreadable code"}`);
      return undefined;
    }
    this.sources.set(id, source);
    // Node may evaluate; the worker never does (it imports the generated module instead).
    return new Function(`return ${source}`)() as (...args: never[]) => unknown;
  }

  /** The generated module's `API_CODE` table: each entry a real function expression. */
  moduleText(): string {
    const entries = [...this.sources].map(([id, source]) => `  ${JSON.stringify(id)}: ${source},\n`);
    return `export const API_CODE: Record<string, unknown> = {\n${entries.join("")}};\n`;
  }
}
