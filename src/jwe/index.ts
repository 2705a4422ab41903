export { encryptCompact, encryptPrepared, prepareJwe, type PreparedJwe } from "./encrypt";
export { encryptContent, type ContentCiphertext } from "./content";
export { JweError } from "./errors";
export type { EncryptionKey, JweHeader, JweTestingOverrides } from "./types";
