/** Every failure of JWE production. The message names what is wrong, never key material. */
export class JweError extends Error {
  override name = "JweError";
}
