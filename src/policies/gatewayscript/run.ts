import type { Context } from "../../assembly/context";
import { PolicyError } from "../../assembly/errors";

/** A callback a script hands to a shim (`readAsJSON(cb)`, `urlopen.open(opts, cb)`, `setTimeout(cb)`). */
export type ScriptCallback = (...args: unknown[]) => unknown;

/** Default per-policy time limit; a Workers var `GATEWAYSCRIPT_TIME_LIMIT_MS` overrides it (see docs/gatewayscript.md). */
export const DEFAULT_TIME_LIMIT_MS = 30_000;
const MAX_TIME_LIMIT_MS = 300_000;

/** The time limit for this request: the var when it is a whole number of milliseconds in range, else the default. */
export function timeLimitMs(env: Readonly<Record<string, unknown>>): number {
  const raw = env.GATEWAYSCRIPT_TIME_LIMIT_MS;
  const n = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return n >= 1 && n <= MAX_TIME_LIMIT_MS ? n : DEFAULT_TIME_LIMIT_MS;
}

/** What the script threw, as the error API Connect names for a failing script. */
export function scriptError(e: unknown, title: string): PolicyError {
  if (e instanceof PolicyError) return e;
  const kind = e instanceof Error ? e.name : typeof e;
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : "";
  // The detail goes to the log and error.message only; the client sees the generic reason.
  return new PolicyError("JavaScriptError", `${title}: the script threw ${kind}${text ? `: ${text.slice(0, 300)}` : ""}`);
}

/**
 * One execution of a script for one request. The policy finishes when the script has returned and
 * every callback the shims started has run; the first error (a throw, `reject`, `apim.error`) or the
 * time limit ends it at once. After the end, shims refuse to touch the context, and callbacks still in
 * flight are dropped, so a late callback can never change a message another policy is working on.
 */
export class ScriptRun {
  private pending = 0;
  private returned = false;
  private settled = false;
  private resolve!: () => void;
  private reject!: (e: PolicyError) => void;
  private readonly limit: ReturnType<typeof setTimeout>;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private nextTimer = 1;
  readonly done: Promise<void>;
  /** Aborted when the policy ends, so calls still in flight (urlopen) stop instead of running on unseen. */
  readonly ended = new AbortController();
  /** A read of the message's stream in progress, shared by the script's readers within this run only. */
  reading: { stream: ReadableStream<Uint8Array>; bytes: Promise<Uint8Array<ArrayBuffer>> } | undefined;

  constructor(
    readonly ctx: Context,
    readonly title: string,
    limitMs: number,
  ) {
    this.done = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.limit = setTimeout(
      () => this.fail(new PolicyError("JavaScriptError", `${title}: the script did not finish within ${limitMs} ms (a callback never ran, or a timer was never cleared)`)),
      limitMs,
    );
  }

  /** Runs the script's function with its shims; resolves when it is complete. */
  start(fn: (...shims: unknown[]) => unknown, shims: readonly unknown[]): Promise<void> {
    try {
      fn(...shims);
    } catch (e) {
      this.fail(e);
    }
    this.returned = true;
    this.check();
    return this.done;
  }

  get finished(): boolean {
    return this.settled;
  }

  /** Every shim that changes state calls this first. */
  assertActive(): void {
    if (this.settled) throw new Error("this gatewayscript policy has already finished");
  }

  /** Asynchronous work started for the script; its callbacks go through `deliver`. */
  track(work: () => Promise<void>): void {
    this.assertActive();
    this.pending++;
    work()
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        this.pending--;
        this.check();
      });
  }

  /** Calls the script's callback, unless the policy already ended; what it throws ends the policy. */
  deliver(callback: unknown, ...args: unknown[]): void {
    if (this.settled || typeof callback !== "function") return;
    try {
      (callback as ScriptCallback)(...args);
    } catch (e) {
      this.fail(e);
    }
  }

  /** `setTimeout` for the script: counted as pending work until it fires or is cleared. */
  setTimer(callback: unknown, ms: unknown, repeat: boolean, args: unknown[]): number {
    this.assertActive();
    const id = this.nextTimer++;
    const delay = typeof ms === "number" && ms > 0 ? ms : 0;
    this.pending++;
    const fire = () => {
      this.deliver(callback, ...args);
      // A one-shot timer stops being pending only after its callback ran (which may start more work).
      if (!repeat) this.clearTimer(id);
    };
    this.timers.set(id, repeat ? setInterval(fire, delay) : setTimeout(fire, delay));
    return id;
  }

  clearTimer(id: unknown): void {
    const handle = typeof id === "number" ? this.timers.get(id) : undefined;
    if (handle === undefined) return;
    clearTimeout(handle);
    clearInterval(handle);
    this.timers.delete(id as number);
    this.pending--;
    this.check();
  }

  /** Ends the policy with an error (the first one wins). */
  fail(e: unknown): void {
    if (this.settled) return;
    this.end();
    this.reject(scriptError(e, this.title));
  }

  private check(): void {
    if (this.settled || !this.returned || this.pending > 0) return;
    this.end();
    this.resolve();
  }

  private end(): void {
    this.settled = true;
    this.ended.abort();
    clearTimeout(this.limit);
    for (const handle of this.timers.values()) {
      clearTimeout(handle);
      clearInterval(handle);
    }
    this.timers.clear();
  }
}
