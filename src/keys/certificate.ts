/**
 * An X.509 certificate as JWS header parameters (RFC 7515 §4.1.6, §4.1.8): `x5t#S256`, the base64url
 * SHA-256 of its DER, and `x5c`, its DER in standard base64. The certificate's public key thumbprint is
 * returned too, so the caller can check the certificate belongs to its signing key.
 */
import { encodeBase64Url } from "../jose/base64url";
import { webBytes } from "../jose/bytes";
import { DerError } from "./der";
import { KeyError } from "./errors";
import { parseMaterial } from "./material";
import { parsePem } from "./pem";
import { publicThumbprint } from "./thumbprint";

export interface CertificateInfo {
  x5tS256: string;
  /** Standard base64 (not base64url) of the DER, as x5c requires. */
  x5c: string;
  /** RFC 7638 thumbprint of the certificate's public key. */
  thumbprint: string | undefined;
}

export async function certificateInfo(material: string, source: string): Promise<CertificateInfo> {
  let der: Uint8Array;
  try {
    const block = parsePem(material).find((b) => b.label === "CERTIFICATE" || b.label === "X509 CERTIFICATE");
    if (!block) throw new DerError("no CERTIFICATE block");
    der = block.der;
  } catch (e) {
    if (e instanceof DerError) throw new KeyError(`${source} is not a PEM X.509 certificate`);
    throw e;
  }
  const parsed = parseMaterial(material, source, false);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", webBytes(der)));
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  return { x5tS256: encodeBase64Url(digest), x5c: btoa(binary), thumbprint: await publicThumbprint(parsed) };
}
