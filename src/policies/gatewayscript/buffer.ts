/**
 * DataPower scripts use Node's `Buffer` (readAsBuffer's result, `new Buffer(s).toString('base64')` for Basic
 * credentials). Workers have no Buffer without Node compatibility, so this is the small part scripts use, by hand:
 * utf8, base64, base64url, hex and latin1 (binary, ascii) encodings; `from`, `alloc`, `concat`, `isBuffer`, `byteLength`.
 */
const utf8 = new TextEncoder();
const looseUtf8 = new TextDecoder();

/** Each byte as one character, in chunks (a spread of a large array would overflow the stack). */
function binaryString(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

const encodingOf = (encoding: unknown): string => (typeof encoding === "string" ? encoding.toLowerCase().replace("-", "") : "utf8");

/** Bytes whose `toString(encoding)` decodes as Node's Buffer does. */
export class ScriptBuffer extends Uint8Array {
  override toString(encoding?: unknown): string {
    switch (encodingOf(encoding)) {
      case "base64":
        return btoa(binaryString(this));
      case "base64url":
        return btoa(binaryString(this)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      case "hex":
        return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
      case "latin1":
      case "binary":
        return binaryString(this);
      case "ascii":
        return binaryString(this.map((b) => b & 0x7f));
      default:
        return looseUtf8.decode(this);
    }
  }

  toJSON(): { type: "Buffer"; data: number[] } {
    return { type: "Buffer", data: Array.from(this) };
  }
}

/** Text in an encoding, as bytes; invalid base64 or hex characters are skipped, as Node does. */
function encode(text: string, encoding: unknown): ScriptBuffer {
  switch (encodingOf(encoding)) {
    case "base64":
    case "base64url": {
      const clean = text.replace(/-/g, "+").replace(/_/g, "/").replace(/[^A-Za-z0-9+/]/g, "");
      const padded = clean.length % 4 === 1 ? clean.slice(0, -1) : clean + "=".repeat((4 - (clean.length % 4)) % 4);
      return new ScriptBuffer(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    }
    case "hex": {
      const pairs = text.match(/[0-9a-fA-F]{2}/g) ?? [];
      return new ScriptBuffer(Uint8Array.from(pairs, (h) => parseInt(h, 16)));
    }
    case "latin1":
    case "binary":
    case "ascii":
      return new ScriptBuffer(Uint8Array.from({ length: text.length }, (_, i) => text.charCodeAt(i) & 0xff));
    default:
      return new ScriptBuffer(utf8.encode(text));
  }
}

function from(value: unknown, encoding?: unknown): ScriptBuffer {
  if (typeof value === "string") return encode(value, encoding);
  if (value instanceof ArrayBuffer) return new ScriptBuffer(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return new ScriptBuffer(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (Array.isArray(value)) return new ScriptBuffer(Uint8Array.from(value, (n) => Number(n) & 0xff));
  if (typeof value === "number") return new ScriptBuffer(Math.max(0, Math.trunc(value)));
  throw new TypeError("Buffer.from: expected a string, bytes or a list of numbers");
}

function concat(list: unknown, total?: unknown): ScriptBuffer {
  const parts = Array.isArray(list) ? list.filter((p): p is Uint8Array => p instanceof Uint8Array) : [];
  const length = typeof total === "number" ? total : parts.reduce((n, p) => n + p.length, 0);
  const out = new ScriptBuffer(length);
  let at = 0;
  for (const p of parts) {
    if (at >= length) break;
    out.set(p.subarray(0, length - at), at);
    at += p.length;
  }
  return out;
}

/** The `Buffer` a script sees: callable with or without `new` (old scripts write `new Buffer(text)`). Stateless and frozen. */
export const BufferShim = Object.freeze(
  Object.assign(
    function Buffer(value: unknown, encoding?: unknown): ScriptBuffer {
      return from(value, encoding);
    },
    {
      from,
      concat,
      alloc: (size: unknown, fill?: unknown) => new ScriptBuffer(Math.max(0, Math.trunc(Number(size) || 0))).fill(typeof fill === "number" ? fill : 0),
      isBuffer: (value: unknown) => value instanceof ScriptBuffer,
      byteLength: (value: unknown, encoding?: unknown) => (typeof value === "string" ? encode(value, encoding).length : from(value).length),
    },
  ),
);
