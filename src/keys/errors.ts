/**
 * Every failure to find, parse or import a key. The message says what is wrong and names the
 * key's source (a crypto object or a variable), never the key itself: messages reach logs and
 * the `jwt-generate.error-message` variable, so no PEM text, secret bytes or JWK members.
 */
export class KeyError extends Error {
  override name = "KeyError";
}
