/**
 * Client secrets are stored as salted PBKDF2-SHA256 hashes, never as text. This module is shared by
 * the worker (verification) and scripts/app.ts (registration), so both read and write one format.
 * WebCrypto only: it runs in workerd and in Node.
 */

/** How a stored secret is described in an application record. */
export interface SecretHash {
  alg: "PBKDF2-SHA256";
  iterations: number;
  /** base64url, 16 random bytes per secret. */
  salt: string;
  /** base64url, 32 bytes. */
  hash: string;
}

/** workerd refuses PBKDF2 above 100,000 iterations; the script uses that maximum. */
export const MAX_ITERATIONS = 100_000;
export const MIN_ITERATIONS = 1_000;
const HASH_BYTES = 32;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** PBKDF2-SHA256 of `secret` with `salt`: 32 bytes. */
export async function derive(secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BYTES * 8);
  return new Uint8Array(bits);
}

/** A new hash record for `secret`, with a fresh random salt. */
export async function hashSecret(secret: string, iterations = MAX_ITERATIONS): Promise<SecretHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { alg: "PBKDF2-SHA256", iterations, salt: toBase64Url(salt), hash: toBase64Url(await derive(secret, salt, iterations)) };
}

/** A new client secret: 32 random bytes, base64url (43 characters). */
export function newSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A new client ID: 16 random bytes as 32 hex digits (the shape of API Connect's client IDs). */
export function newClientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
