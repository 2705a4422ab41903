/**
 * Keys for jwt-generate: find crypto objects by name, parse every common key format, import
 * them into WebCrypto for one algorithm, and cache the result per material.
 */
export { KeyError } from "./errors";
export { resolveCryptoObject, passwordFor, CRYPTO_OBJECTS_BINDING, keyCacheSettings, keySourceReads, clearKeySourceMemo } from "./resolve";
export { importSigningKey, importEncryptionKey, type PasswordSource } from "./import";
export { getSigningKey, getEncryptionKey, keyCacheStats, clearKeyCache, countKeyCacheHit } from "./cache";
export { jwkThumbprint, type ThumbprintMembers } from "./thumbprint";
export { certificateInfo, type CertificateInfo } from "./certificate";
export type { KeyMaterial, SigningKey, EncryptionKey } from "./types";
