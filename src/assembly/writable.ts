/**
 * Why `name` cannot be written by a policy, or undefined. Checked at build time so a definition that writes a
 * read-only variable fails there, not on every request (the same rule Context.set applies at run time).
 */
export function readOnlyProblem(name: string, mode: "set" | "add" | "clear" = "set"): string | undefined {
  if (/^(request|api|env|client)\./.test(name) || /^(request|api|env|client)$/.test(name)) {
    return `variable '${name}' is read-only: write to a variable of your own (e.g. '${name.replace(/^(request|api|env|client)\.?/, "my.")}') or to message.*`;
  }
  if (mode === "clear" && name.startsWith("message.") && !name.startsWith("message.headers.") && name !== "message.body") {
    return `'${name}' cannot be cleared; only message.headers.NAME and message.body can`;
  }
  return undefined;
}
