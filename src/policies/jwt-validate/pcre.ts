/**
 * API Connect's `iss-claim` and `aud-claim` are PCRE patterns (DataPower's engine). Workers have
 * JavaScript's RegExp only, so a pattern is translated once, at build time, and a construct
 * RegExp cannot express (or would silently read differently) fails the build with the reason.
 *
 * Translated: `\Q…\E` (quoted literal), `(?P<name>…)`, `(?P=name)`, `(?#comment)`, a leading
 * `(?i)`, `(?s)`, `(?m)` (as flags), `\x{HH…}` up to FFFF.
 * Refused: possessive quantifiers, atomic groups, recursion and subroutine calls, conditionals,
 * branch reset, backtracking verbs, inline modifiers other than leading, POSIX classes, and the
 * escapes \A \Z \z \G \K \R \X \C \h \H \v \V \e \a \o{…} \N \g (JavaScript has none of them
 * or gives them another meaning).
 */

export type PcreResult = { regex: RegExp } | { problem: string };

/** Escapes JavaScript RegExp gives no meaning to, or a different one, with what to write instead. */
const REFUSED_ESCAPES: Readonly<Record<string, string>> = {
  A: "\\A (start of subject): use ^",
  Z: "\\Z (end of subject before a final newline): use $",
  z: "\\z (end of subject): use $",
  G: "\\G (first matching position)",
  K: "\\K (reset match start)",
  R: "\\R (any newline sequence): use (?:\\r\\n|[\\n\\r])",
  X: "\\X (extended grapheme cluster)",
  C: "\\C (one code unit)",
  h: "\\h (horizontal space): use [ \\t]",
  H: "\\H (not horizontal space): use [^ \\t]",
  v: "\\v (vertical space in PCRE, only VT in JavaScript): use [\\n\\r\\f]",
  V: "\\V (not vertical space)",
  e: "\\e (escape character): use \\x1b",
  a: "\\a (bell character): use \\x07",
  o: "\\o{…} (octal)",
  N: "\\N (not a newline): use [^\\n]",
  g: "\\g (back-reference or subroutine by number): use \\1",
  E: "\\E without \\Q",
};

/** Translates `pattern`; the result's problem completes "… is not supported by JavaScript RegExp: <problem>". */
export function translatePcre(pattern: string): PcreResult {
  let flags = "";
  let rest = pattern;
  // Leading option settings apply to the whole pattern: JavaScript expresses them as flags.
  for (let m = /^\(\?([ims]+)\)/.exec(rest); m; m = /^\(\?([ims]+)\)/.exec(rest)) {
    for (const f of m[1]!) if (!flags.includes(f)) flags += f;
    rest = rest.slice(m[0].length);
  }
  let out = "";
  let inClass = false;
  let unicode = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === "\\") {
      const n = rest[i + 1];
      if (n === undefined) return { problem: "the pattern ends with a lone backslash" };
      if (n === "Q") {
        // \Q…\E: everything up to \E (or the end) is literal.
        const end = rest.indexOf("\\E", i + 2);
        const literal = rest.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? rest.length : end + 1;
        continue;
      }
      if (n === "x" && rest[i + 2] === "{") {
        const m = /^\\x\{([0-9a-fA-F]{1,6})\}/.exec(rest.slice(i));
        if (!m || parseInt(m[1]!, 16) > 0xffff) return { problem: "\\x{…} above FFFF or malformed" };
        out += `\\u${m[1]!.padStart(4, "0")}`;
        i += m[0].length - 1;
        continue;
      }
      if ((n === "p" || n === "P") && rest[i + 2] === "{") {
        const end = rest.indexOf("}", i);
        if (end < 0) return { problem: "an unterminated \\p{…}" };
        unicode = true;
        out += rest.slice(i, end + 1);
        i = end;
        continue;
      }
      const refused = REFUSED_ESCAPES[n];
      if (refused !== undefined) return { problem: refused };
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === "[" && rest[i + 1] === ":") return { problem: "POSIX character classes such as [[:alpha:]]: use [A-Za-z] and the like" };
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in PCRE, but ends an empty class in JavaScript.
      const negated = rest[i + 1] === "^";
      if (negated) (out += "^"), i++;
      if (rest[i + 1] === "]") (out += "\\]"), i++;
      continue;
    }
    if ((c === "*" || c === "+" || c === "?" || c === "}") && rest[i + 1] === "+") {
      return { problem: "possessive quantifiers (*+, ++, ?+, {n}+)" };
    }
    if (c === "(" && rest[i + 1] === "*") return { problem: "backtracking control verbs such as (*SKIP) or (*UTF8)" };
    if (c === "(" && rest[i + 1] === "?") {
      const group = rest.slice(i + 2);
      if (group.startsWith("#")) {
        const end = rest.indexOf(")", i);
        if (end < 0) return { problem: "an unterminated (?#comment)" };
        i = end;
        continue;
      }
      if (group.startsWith("P<")) {
        out += "(?<";
        i += 3;
        continue;
      }
      if (group.startsWith("P=")) {
        const m = /^P=([A-Za-z_]\w*)\)/.exec(group);
        if (!m) return { problem: "a malformed (?P=name) back-reference" };
        out += `\\k<${m[1]}>`;
        i += 2 + m[0].length - 1;
        continue;
      }
      if (group.startsWith(">")) return { problem: "atomic groups (?>…)" };
      if (group.startsWith("|")) return { problem: "branch reset groups (?|…)" };
      if (group.startsWith("(")) return { problem: "conditional groups (?(…)…)" };
      if (/^(?:R|[+-]?\d|&|P>)/.test(group)) return { problem: "recursion and subroutine calls such as (?R), (?1), (?&name)" };
      if (/^(?::|=|!|<=|<!|<[A-Za-z_])/.test(group)) {
        out += "(?";
        i++;
        continue;
      }
      return { problem: "inline option settings such as (?i) anywhere but at the very start of the pattern" };
    }
    out += c;
  }
  if (unicode) flags += "u";
  try {
    return { regex: new RegExp(out, flags) };
  } catch {
    // The engine's message quotes the pattern; the caller names it already.
    return { problem: "the pattern is not a valid regular expression" };
  }
}
