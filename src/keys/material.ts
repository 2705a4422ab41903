/**
 * Key material (string or object) to ParsedKey, with errors worded as "<source> is …".
 * A string is, in this order: PEM, JSON (a JWK), `0x`-hex (DataPower's shared-secret convention),
 * else a plain-text secret used byte for byte.
 */
import { UnsupportedKey, parsePemBlock, selectBlock } from "./containers";
import { DerError } from "./der";
import { KeyError } from "./errors";
import { isObject, parseJwk } from "./jwk";
import { looksLikePem, parsePem } from "./pem";
import type { ParsedKey } from "./types";

const encoder = new TextEncoder();

/**
 * Parses material. It is typed `unknown` because values from context variables are checked here,
 * not trusted. `wantPrivate` picks the private key out of a PEM bundle (signing); `source` labels
 * messages, e.g. "crypto object 'hmac-key'".
 */
export function parseMaterial(material: unknown, source: string, wantPrivate: boolean): ParsedKey {
  if (isObject(material)) return fromJwk(material, source, wantPrivate);
  if (typeof material !== "string") throw new KeyError(`${source} is not PEM, JWK, 0x-hex or text`);
  const trimmed = material.trim();
  if (trimmed === "") throw new KeyError(`${source} is empty`);
  if (looksLikePem(trimmed)) return fromPem(trimmed, source, wantPrivate);
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // Never quote the parser's message: V8 includes a slice of the input.
      throw new KeyError(`${source} starts with '{' but is not valid JSON (a JWK was expected)`);
    }
    if (!isObject(parsed)) throw new KeyError(`${source} is JSON but not a JWK object`);
    return fromJwk(parsed, source, wantPrivate);
  }
  if (/^0x/i.test(trimmed)) {
    const hex = trimmed.slice(2);
    if (hex === "") throw new KeyError(`${source} is empty (0x with no hex digits)`);
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new KeyError(`${source} starts with 0x but is not an even number of hex digits`);
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return { kty: "oct", bytes, form: "0x-hex" };
  }
  // A text secret is used exactly as stored (no trimming): it must match the verifier's bytes.
  return { kty: "oct", bytes: encoder.encode(material), form: "text" };
}

function fromPem(text: string, source: string, wantPrivate: boolean): ParsedKey {
  let label = "";
  try {
    const block = selectBlock(parsePem(text), wantPrivate);
    if (!block) throw new DerError("no key block");
    label = block.label;
    return parsePemBlock(block);
  } catch (e) {
    if (e instanceof UnsupportedKey) throw new KeyError(`${source} is ${e.description}`);
    if (e instanceof DerError) {
      if (e.message === "not a valid X.509 certificate") throw new KeyError(`${source} is not a valid X.509 certificate`);
      throw new KeyError(label ? `${source} is a PEM '${label}' whose contents are not a valid key (${e.message})` : `${source} is not a valid PEM (${e.message})`);
    }
    throw e;
  }
}

/** A JWK, or a JWK Set: for signing (`wantPrivate`) its first key, for encryption its only key. */
function fromJwk(jwk: Record<string, unknown>, source: string, wantPrivate: boolean): ParsedKey {
  try {
    return parseJwk(jwk, wantPrivate);
  } catch (e) {
    if (e instanceof UnsupportedKey) throw new KeyError(`${source} is ${e.description}`);
    if (e instanceof DerError) throw new KeyError(`${source} is not a valid JWK (${e.message})`);
    throw e;
  }
}
