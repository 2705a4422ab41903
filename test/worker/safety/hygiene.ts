/**
 * Secret hygiene: a registry of every secret a suite configures, and a recorder of every text the
 * suite saw come out of the gateway (response bodies, status texts, headers, log lines). `leaks()`
 * answers which secrets appear in which texts; a suite asserts it is empty.
 *
 * Pure TypeScript with no imports, so it runs in workerd (test/worker/safety/recorder.ts wires it
 * to the console and to a gateway) and in Node (test/node/safety-load.test.ts, test/load/).
 *
 *   const secrets = new SecretRegistry();
 *   secrets.addText("hmac", hmacSecret);          // a shared secret as configured
 *   secrets.addPem("signing", privatePem);        // a private key's PEM: windows of its base64 body
 *   secrets.addJwk("signing-jwk", privateJwk);    // private JWK members d, p, q, dp, dq, qi, k
 *   secrets.addClientApp("app", { secret, record }); // a client secret, and its record's salt and hash
 *   const seen = new OutputRecorder();
 *   seen.record("response /x", await res.text());
 *   expect(seen.leaks(secrets)).toEqual([]);
 *
 * How material is matched: a text secret as itself; bytes as hex, base64 and base64url; a PEM by
 * its base64 body (newlines removed); a JWK by each private member. Long secrets are also cut into
 * 20-character blocks (a PEM's past the ASN.1 prefix all keys of one type share), so any 39
 * consecutive characters of them are found wherever they appear. Every text is checked as it is
 * and with whitespace and escaped newlines (`\n`, `\r` as two characters, as in a JSON log line)
 * removed, so a PEM printed inside JSON, or split across lines, still matches.
 */

/** Shorter needles would match by chance (a claim, a base64url token); secrets under test are longer. */
export const MIN_NEEDLE = 16;
/**
 * Long secrets (a PEM body, an RSA `d`) are also cut into blocks of this many characters at this
 * stride: any run of 2 × BLOCK − 1 consecutive characters of the secret contains a whole block,
 * so a partial leak of 39 characters or more is found, wherever it starts.
 */
export const BLOCK = 20;
/** The ASN.1 prefix all PKCS#8 keys of one type share (version, algorithm identifier): never a block. */
const PEM_PREFIX = 48;

export interface Leak {
  /** Which secret, by the label given when it was registered (never the secret itself). */
  secret: string;
  /** Where it was found, by the label given when the text was recorded. */
  where: string;
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
const toBase64Url = (bytes: Uint8Array) => toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Removes whitespace and escaped newlines, the ways a secret gets reformatted on its way into a text. */
export const squeeze = (text: string): string => text.replace(/\\r|\\n|\s+/g, "");

/** The secrets a suite configured, as substrings that must never appear in its output. */
export class SecretRegistry {
  /** Whole secrets (and their encodings), found with `includes`. */
  readonly #needles = new Map<string, string>();
  /** Blocks of long secrets, found by sliding over each text. */
  readonly #blocks = new Map<string, string>();

  /** Number of needles and blocks registered. */
  get size(): number {
    return this.#needles.size + this.#blocks.size;
  }

  /** Labels of the registered secrets (for reports). */
  labels(): string[] {
    return [...new Set([...this.#needles.values(), ...this.#blocks.values()])];
  }

  #add(label: string, needle: string, skip = 0): void {
    for (const form of new Set([needle, squeeze(needle)])) {
      if (form.length < MIN_NEEDLE) continue;
      if (!this.#needles.has(form)) this.#needles.set(form, label);
      for (let i = skip; i + BLOCK <= form.length && form.length >= 2 * BLOCK; i += BLOCK) {
        const block = form.slice(i, i + BLOCK);
        if (!this.#blocks.has(block)) this.#blocks.set(block, label);
      }
    }
  }

  /** A secret used as text (a Workers secret, a plain-text HMAC secret, a `0x`-hex string). */
  addText(label: string, secret: string): this {
    if (secret.trim().length < MIN_NEEDLE) throw new Error(`hygiene: secret '${label}' is shorter than ${MIN_NEEDLE} characters; use a longer one in tests`);
    this.#add(label, secret);
    const hex = /^0x([0-9a-f]+)$/i.exec(secret.trim());
    if (hex?.[1]) {
      this.#add(label, hex[1].toLowerCase());
      this.#add(label, hex[1].toUpperCase());
    }
    return this;
  }

  /** Secret bytes (a shared secret, a CEK): as hex (both cases), base64 and base64url. */
  addBytes(label: string, bytes: Uint8Array): this {
    if (bytes.length * 2 < MIN_NEEDLE) throw new Error(`hygiene: secret '${label}' has only ${bytes.length} bytes; use a longer one in tests`);
    const hex = toHex(bytes);
    this.#add(label, hex);
    this.#add(label, hex.toUpperCase());
    this.#add(label, toBase64(bytes).replace(/=+$/, ""));
    this.#add(label, toBase64Url(bytes));
    return this;
  }

  /** A private key's PEM (any label, literal `\n` allowed): its base64 body, whole and in blocks past the shared prefix. */
  addPem(label: string, pem: string): this {
    const blocks = [...pem.replace(/\\n/g, "\n").matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
    if (blocks.length === 0) throw new Error(`hygiene: '${label}' is not a PEM`);
    for (const block of blocks) this.#add(label, (block[2] ?? "").replace(/\s+/g, ""), PEM_PREFIX);
    return this;
  }

  /** A private or secret JWK: each of its private members (d, p, q, dp, dq, qi, k). */
  addJwk(label: string, jwk: Record<string, unknown> | JsonWebKey): this {
    const members = ["d", "p", "q", "dp", "dq", "qi", "k"];
    let found = 0;
    for (const name of members) {
      const value = (jwk as Record<string, unknown>)[name];
      if (typeof value === "string" && value.length >= MIN_NEEDLE) {
        this.#add(`${label}.${name}`, value);
        found++;
      }
    }
    if (found === 0) throw new Error(`hygiene: '${label}' has no private JWK member long enough to check`);
    return this;
  }

  /**
   * A client application's secret material: the secret as issued, and the salt and PBKDF2 hash its
   * record holds (base64url as stored, and their bytes in every encoding).
   */
  addClientApp(label: string, app: { secret?: string; record: { secret?: { salt: string; hash: string } } }): this {
    if (app.secret !== undefined) this.addText(`${label}.secret`, app.secret);
    const stored = app.record.secret;
    if (!stored) return this;
    for (const [part, value] of [["salt", stored.salt], ["hash", stored.hash]] as const) {
      this.addText(`${label}.${part}`, value);
      const bytes = Uint8Array.from(atob(value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4)), (c) => c.charCodeAt(0));
      this.addBytes(`${label}.${part}`, bytes);
    }
    return this;
  }

  /** Which registered secrets appear in `text`. */
  findIn(text: string): string[] {
    const found = new Set<string>();
    for (const t of new Set([text, squeeze(text)])) {
      for (const [needle, label] of this.#needles) if (t.includes(needle)) found.add(label);
      for (let i = 0; i + BLOCK <= t.length; i++) {
        const label = this.#blocks.get(t.slice(i, i + BLOCK));
        if (label !== undefined) found.add(label);
      }
    }
    return [...found];
  }
}

/** Every text a suite saw come out of the gateway, with where it came from. */
export class OutputRecorder {
  readonly texts: { where: string; text: string }[] = [];
  /** Characters recorded so far. */
  chars = 0;

  record(where: string, text: string): void {
    this.texts.push({ where, text });
    this.chars += text.length;
  }

  /** A response's status text, headers and body (already read as `body`). */
  recordResponse(where: string, res: { status: number; statusText: string; headers: Headers }, body: string): void {
    const headers: string[] = [];
    res.headers.forEach((value, name) => void headers.push(`${name}: ${value}`));
    this.record(where, `${res.status} ${res.statusText}\n${headers.join("\n")}\n\n${body}`);
  }

  /** Secrets found in any recorded text, one entry per (secret, text); empty when clean. */
  leaks(secrets: SecretRegistry): Leak[] {
    const out: Leak[] = [];
    for (const { where, text } of this.texts) {
      for (const secret of secrets.findIn(text)) out.push({ secret, where });
    }
    return out;
  }

  clear(): void {
    this.texts.length = 0;
    this.chars = 0;
  }
}
