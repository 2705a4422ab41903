/**
 * PEM (RFC 7468) text to DER blocks, tolerant of the ways a PEM gets mangled on its way into a
 * Workers secret or KV value: CRLF line ends, surrounding whitespace, newlines turned into the two
 * characters `\n`, or no newlines at all.
 */
import { DerError } from "./der";

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "PRIVATE KEY", "RSA PRIVATE KEY", "CERTIFICATE". */
  label: string;
  der: Uint8Array;
  /** RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL encryption) were present. */
  encryptedHeaders: boolean;
}

const BEGIN = "-----BEGIN ";

/** True when the text looks like PEM (it may still be malformed). */
export const looksLikePem = (text: string): boolean => text.trimStart().startsWith(BEGIN);

/** Undoes the escaping that turns a multi-line secret into one line: literal `\r\n`, `\n`, `\r`. */
export const unescapeNewlines = (text: string): string => text.replace(/\\r\\n|\\n|\\r/g, "\n").replace(/\r\n?/g, "\n");

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----([\s\S]*?)-----END ([A-Z0-9 ]{1,64})-----/g;

/**
 * Every PEM block in the text, in order. Throws DerError (never including the text) when a block
 * is unterminated, mislabelled or not base64.
 */
export function parsePem(text: string): PemBlock[] {
  const normalized = unescapeNewlines(text);
  const blocks: PemBlock[] = [];
  for (const match of normalized.matchAll(BLOCK)) {
    const [, label = "", body = "", endLabel] = match;
    if (label !== endLabel) throw new DerError(`PEM block BEGIN ${label} ends with END ${endLabel}`);
    let encryptedHeaders = false;
    // RFC 1421 headers ("Name: value") come before the base64; base64 never contains ':'.
    const lines = body.split("\n").filter((line) => {
      if (!line.includes(":")) return true;
      if (/^\s*Proc-Type:.*ENCRYPTED/i.test(line)) encryptedHeaders = true;
      return false;
    });
    const b64 = lines.join("").replace(/\s+/g, "");
    blocks.push({ label, der: decodeBase64(b64, label), encryptedHeaders });
  }
  if (blocks.length === 0) throw new DerError("no complete PEM block (BEGIN/END lines missing or malformed)");
  return blocks;
}

function decodeBase64(b64: string, label: string): Uint8Array {
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new DerError(`PEM block ${label} is not valid base64`);
  }
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
