/** base64url without padding (RFC 7515 §2), on the platform's btoa/atob. */

const CHUNK = 0x8000;

type WithToBase64 = Uint8Array & { toBase64(options: { alphabet: "base64url"; omitPadding: boolean }): string };
/** Uint8Array.prototype.toBase64 (ES2026; workerd has it, Node 20 does not): one native call per encoding. */
const NATIVE = typeof (Uint8Array.prototype as Partial<WithToBase64>).toBase64 === "function";

export function encodeBase64Url(bytes: Uint8Array): string {
  if (NATIVE) return (bytes as WithToBase64).toBase64({ alphabet: "base64url", omitPadding: true });
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const encoder = new TextEncoder();

export function encodeBase64UrlText(text: string): string {
  return encodeBase64Url(encoder.encode(text));
}

export function decodeBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("not base64url");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "===".slice((b64.length + 3) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
