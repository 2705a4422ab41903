/**
 * Structured log lines, one JSON object per line. Callers pass only names and
 * detail messages that are built to be free of secrets and key material.
 */
export function logError(fields: { api: string; policy: string; error: string; message: string; caught: boolean }): void {
  console.error(JSON.stringify({ level: "error", ...fields }));
}

export function logWarning(fields: { api?: string; message: string }): void {
  console.warn(JSON.stringify({ level: "warn", ...fields }));
}

/** `activity-log`: one line per request; the caller passes names only (no headers, query or payload). */
export function logActivity(fields: { api: string; verb: string; path: string; operation: string }): void {
  console.log(JSON.stringify({ level: "info", event: "activity", ...fields }));
}
