/** The worker's own console, taken at load: a script gets only the shim below. */
const host = console;
const MAX_LINE = 2_000;

/** `%s %d %i %f %j %o %O %%` as Node's util.format (which DataPower's console follows), then the rest space-separated. */
export function formatArgs(args: readonly unknown[]): string {
  const show = (v: unknown): string => {
    if (typeof v === "string") return v;
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    if (typeof v === "object" && v !== null) {
      try {
        return JSON.stringify(v);
      } catch {
        return "[object]";
      }
    }
    return String(v);
  };
  const [first, ...rest] = args;
  let text: string;
  if (typeof first === "string") {
    text = first.replace(/%([sdifjoO%])/g, (m, c: string) => {
      if (c === "%") return "%";
      if (rest.length === 0) return m;
      const v = rest.shift();
      if (c === "d" || c === "i") return String(c === "i" ? Math.trunc(Number(v)) : Number(v));
      if (c === "f") return String(Number(v));
      return show(v);
    });
  } else text = first === undefined && args.length === 0 ? "" : show(first);
  for (const v of rest) text += ` ${show(v)}`;
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}

type Level = "debug" | "info" | "warn" | "error";

/**
 * `console` for a script: each call is one JSON log line naming the API and the policy, at the call's
 * level. Nothing a script logs reaches a response.
 */
export function scriptConsole(api: string, policy: string) {
  const line = (level: Level) => (...args: unknown[]) => {
    const text = JSON.stringify({ level, api, policy, source: "gatewayscript", message: formatArgs(args) });
    if (level === "error") host.error(text);
    else if (level === "warn") host.warn(text);
    else host.log(text);
  };
  return Object.freeze({
    log: line("info"),
    info: line("info"),
    debug: line("debug"),
    trace: line("debug"),
    notice: line("info"),
    warn: line("warn"),
    alert: line("error"),
    critical: line("error"),
    emerg: line("error"),
    error: line("error"),
    // DataPower's console.options({category}) picks a log category: no categories here, so it returns the same console.
    options(this: unknown) {
      return this;
    },
  });
}
