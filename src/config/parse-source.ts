import { LineCounter, parseDocument } from "yaml";
import type { ApiSource } from "./compile-api";
import type { Problem } from "./problems";

// Used by the build step and tests only: the worker bundles definitions already parsed.
/** Parses one definition file's text; a syntax error is a problem naming the line and column. */
export function parseApiText(file: string, text: string): { source?: ApiSource; problem?: Problem } {
  if (/\.json$/i.test(file)) {
    try {
      return { source: { file, definition: JSON.parse(text) } };
    } catch (e) {
      return { problem: { file, path: "", message: `invalid JSON: ${(e as Error).message}` } };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const error = doc.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    return { problem: { file, path: "", message: `invalid YAML${where}: ${error.message.split("\n")[0]}` } };
  }
  return { source: { file, definition: doc.toJS({ maxAliasCount: 100 }) } };
}

