/** A problem found in an API definition: which file, where inside it, and what was expected. */
export interface Problem {
  file: string;
  /** Dotted path inside the definition, e.g. `x-ibm-configuration.assembly.execute[1].invoke.target-url`. */
  path: string;
  message: string;
  /** 1-based line in the file of the nearest node that has one (YAML and JSON sources read by the build). */
  line?: number;
}

/** `file:line: path: message`, the shape editors and CI annotate from. */
export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Thrown when one or more definitions are invalid; its message holds one line per problem. */
export class DefinitionError extends Error {
  override readonly name = "DefinitionError";
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

/** Joins a path and a member name: `a.b` + `c` → `a.b.c`; `a` + 2 → `a[2]`. */
export function child(path: string, member: string | number): string {
  if (typeof member === "number") return `${path}[${member}]`;
  return path ? `${path}.${member}` : member;
}

/** The closest candidate to `word` within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2] as number[])[j - 2]! + 1);
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
