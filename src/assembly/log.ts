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
