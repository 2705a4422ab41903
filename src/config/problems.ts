/** A problem found in an API definition: which file, where inside it, and what was expected. */
export interface Problem {
  file: string;
  /** Dotted path inside the definition, e.g. `x-ibm-configuration.assembly.execute[1].invoke.target-url`. */
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
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
