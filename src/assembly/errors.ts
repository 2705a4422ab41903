/**
 * Errors raised by policies, named as API Connect names them so a `catch`
 * written for API Connect matches the same errors here.
 */
export type ApicErrorName =
  | "RuntimeError"
  | "ConnectionError"
  | "PropertyError"
  | "JavaScriptError"
  | "BadRequestError"
  | "OperationError"
  | "ValidateError"
  | "UnauthorizedError"
  | (string & {});

export interface PolicyErrorOptions {
  /** HTTP status of the error response when nothing catches it. */
  status?: number;
  /** Reason phrase, shown as `httpMessage`. */
  reason?: string;
  /** What the client may see as `moreInformation`; the detail (the message) never reaches the client. */
  publicMessage?: string;
}

/**
 * A policy's failure. `message` is the detail: it goes to the log and to
 * `error.message` for a catch, never to a response body unless a catch puts it there.
 */
export class PolicyError extends Error {
  readonly errorName: ApicErrorName;
  readonly status: number;
  readonly reason: string;
  readonly publicMessage: string;
  /** Set by the assembly runner: which policy raised it. */
  policy?: string;

  constructor(errorName: ApicErrorName, detail: string, opts: PolicyErrorOptions = {}) {
    super(detail);
    this.name = "PolicyError";
    this.errorName = errorName;
    this.status = opts.status ?? 500;
    this.reason = opts.reason ?? "Internal Server Error";
    this.publicMessage = opts.publicMessage ?? this.reason;
  }
}

export const runtimeError = (detail: string, opts?: PolicyErrorOptions) => new PolicyError("RuntimeError", detail, opts);

export const connectionError = (detail: string) =>
  new PolicyError("ConnectionError", detail, { status: 500, reason: "URL Open error", publicMessage: "Could not connect to endpoint" });
