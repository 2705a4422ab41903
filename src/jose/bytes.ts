/**
 * Narrows a Uint8Array to one over an ArrayBuffer, as TypeScript's DOM typings of WebCrypto want.
 * Every Uint8Array here is over an ArrayBuffer (none over a SharedArrayBuffer); no copy is made.
 */
export const webBytes = (u: Uint8Array): Uint8Array<ArrayBuffer> => u as Uint8Array<ArrayBuffer>;
