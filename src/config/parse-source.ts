import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { ApiSource } from "./compile-api";
import { child, type Problem } from "./problems";

// Used by the build step and tests only: the worker bundles definitions already parsed.
/** Parses one definition file's text; a syntax error is a problem naming the line and column. */
export function parseApiText(file: string, text: string): { source?: ApiSource; problem?: Problem } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (/\.json$/i.test(file)) {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (e) {
      return { problem: { file, path: "", message: `invalid JSON: ${(e as Error).message}` } };
    }
    // JSON is read by JSON.parse; the YAML reading of the same text only gives line numbers.
    return { source: { file, definition, lines: doc.errors.length === 0 ? lineMap(doc.contents, lineCounter) : undefined } };
  }
  const error = doc.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    return { problem: { file, path: "", message: `invalid YAML${where}: ${error.message.split("\n")[0]}`, line: at?.line } };
  }
  return { source: { file, definition: doc.toJS({ maxAliasCount: 100 }), lines: lineMap(doc.contents, lineCounter) } };
}

/** Line of every key and list item, by the same dotted path the compiler reports problems at. */
function lineMap(root: unknown, counter: LineCounter): Map<string, number> {
  const lines = new Map<string, number>();
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as Node | null)?.range;
    return range ? counter.linePos(range[0]).line : undefined;
  };
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        const at = child(path, key);
        const line = lineOf(pair.key);
        if (line !== undefined) lines.set(at, line);
        walk(pair.value, at);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const at = child(path, i);
        const line = lineOf(item);
        if (line !== undefined) lines.set(at, line);
        walk(item, at);
      });
    }
  };
  walk(root, "");
  return lines;
}
