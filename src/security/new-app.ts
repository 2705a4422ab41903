import type { AppRecord } from "./app-record";
import { hashSecret, newClientId, newSecret } from "./secret-hash";

/**
 * A new client application: its ID, the record to store under it in `APPS`, and — when asked for —
 * its secret in clear, to show the operator once. Used by scripts/app.ts and by tests, so the
 * entries the script writes are the ones the worker is tested against.
 */
export async function newApplication(name: string, opts: { secret?: boolean; apis?: readonly string[] } = {}): Promise<{ id: string; record: AppRecord; secret: string | undefined }> {
  const secret = opts.secret ? newSecret() : undefined;
  const record: AppRecord = { name, enabled: true };
  if (secret !== undefined) record.secret = await hashSecret(secret);
  if (opts.apis && opts.apis.length > 0) record.apis = [...opts.apis];
  return { id: newClientId(), record, secret };
}

/** A new secret for an existing record (the old one stops working when the record is read again). */
export async function rotateSecret(record: AppRecord): Promise<{ record: AppRecord; secret: string }> {
  const secret = newSecret();
  return { record: { ...record, secret: await hashSecret(secret) }, secret };
}
