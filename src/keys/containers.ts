/**
 * DER key containers to ParsedKey. Private keys are normalized to plain PKCS#8 v1 (what every
 * WebCrypto imports); public keys only need n/e (RSA) or the curve point (EC).
 *
 *   PKCS#8   PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING privateKey, ... }
 *   PKCS#1   RSAPrivateKey  ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qi }
 *            RSAPublicKey   ::= SEQUENCE { n, e }
 *   SEC1     ECPrivateKey   ::= SEQUENCE { 1, OCTET STRING d, [0] curve OID OPTIONAL, [1] BIT STRING point OPTIONAL }
 *   SPKI     SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }
 *   X.509    Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 */
import {
  DerError, TAG, bitStringBytes, children, contents, encodeNull, encodeOctetString, encodeOid, encodeSequence,
  encodeUnsignedInteger, expectTag, oidToString, readRoot, unsignedInteger, type Tlv,
} from "./der";
import type { PemBlock } from "./pem";
import type { Curve, MaterialForm, OkpCurve, ParsedKey } from "./types";

/** A well-formed key this module does not handle; `description` completes "… is <description>". */
export class UnsupportedKey extends Error {
  override name = "UnsupportedKey";
  constructor(readonly description: string) {
    super(description);
  }
}

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";

const CURVE_BY_OID: Readonly<Record<string, Curve>> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};
const OID_BY_CURVE: Readonly<Record<Curve, string>> = { "P-256": "1.2.840.10045.3.1.7", "P-384": "1.3.132.0.34", "P-521": "1.3.132.0.35" };

/** Coordinate (and private scalar) length in bytes for each curve. */
export const COORDINATE_BYTES: Readonly<Record<Curve, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 };

/** Key types we can recognise but not use, named so the message says what the key is. */
/** RFC 8410 OIDs of the octet key pairs WebCrypto has. */
const OKP_BY_OID: Readonly<Record<string, OkpCurve>> = { "1.3.101.112": "Ed25519", "1.3.101.110": "X25519" };

const OTHER_KEY_TYPES: Readonly<Record<string, string>> = {
  "1.3.101.113": "Ed448",
  "1.3.101.111": "X448",
  "1.2.840.10040.4.1": "DSA",
  "1.2.840.113549.1.1.10": "RSASSA-PSS-restricted RSA",
  "1.2.840.113549.1.3.1": "Diffie-Hellman",
};

const PRIVATE_LABELS = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]);

/**
 * The block that holds the key: OpenSSL writes `EC PARAMETERS` before `EC PRIVATE KEY`, and a
 * bundle may hold a key and its certificate. Signing wants the private key; encryption the first key.
 */
export function selectBlock(blocks: PemBlock[], wantPrivate: boolean): PemBlock | undefined {
  const candidates = blocks.filter((b) => b.label !== "EC PARAMETERS");
  return (wantPrivate ? candidates.find((b) => PRIVATE_LABELS.has(b.label)) : undefined) ?? candidates[0];
}

/** Parses one PEM block. Throws DerError (malformed) or UnsupportedKey; messages never hold key bytes. */
export function parsePemBlock(block: PemBlock): ParsedKey {
  const encrypted = () => new UnsupportedKey("an encrypted private key; encrypted keys are not supported (store the key unencrypted, as PKCS#8 'PRIVATE KEY')");
  switch (block.label) {
    case "PRIVATE KEY":
      return parsePkcs8(block.der);
    case "RSA PRIVATE KEY":
      if (block.encryptedHeaders) throw encrypted();
      return parsePkcs1Private(block.der, "PKCS#1 PEM");
    case "EC PRIVATE KEY":
      if (block.encryptedHeaders) throw encrypted();
      return parseSec1(block.der, undefined, "SEC1 PEM");
    case "ENCRYPTED PRIVATE KEY":
      throw encrypted();
    case "PUBLIC KEY":
      return parseSpki(readRoot(block.der), "SPKI PEM");
    case "RSA PUBLIC KEY":
      return parsePkcs1Public(readRoot(block.der), "PKCS#1 public PEM");
    case "CERTIFICATE":
    case "X509 CERTIFICATE":
      return parseCertificate(block.der);
    default:
      throw new UnsupportedKey(`a PEM of type '${block.label}', which is not a key or certificate jwt-generate can use`);
  }
}

/** PKCS#1 RSAPrivateKey DER (the bytes inside PKCS#8, or an `RSA PRIVATE KEY` PEM). */
function parsePkcs1Private(der: Uint8Array, form: MaterialForm): ParsedKey {
  const fields = children(expectTag(readRoot(der), TAG.SEQUENCE, "RSAPrivateKey SEQUENCE"));
  if (fields.length < 9 || !fields.slice(0, 9).every((f) => f.tag === TAG.INTEGER)) throw new DerError("expected RSAPrivateKey fields");
  // version 1 means multi-prime RSA, which WebCrypto cannot import.
  if (unsignedInteger(fields[0]!)[0] !== 0) throw new UnsupportedKey("a multi-prime RSA private key, which WebCrypto cannot import");
  return {
    kty: "RSA",
    n: unsignedInteger(fields[1]!),
    e: unsignedInteger(fields[2]!),
    private: { format: "pkcs8", data: pkcs8(encodeSequence(encodeOid(RSA_ENCRYPTION), encodeNull()), der) },
    form,
  };
}

/** SEC1 ECPrivateKey DER; `outerCurve` is the curve named by an enclosing PKCS#8, if any. */
function parseSec1(der: Uint8Array, outerCurve: Curve | undefined, form: MaterialForm): ParsedKey {
  const fields = children(expectTag(readRoot(der), TAG.SEQUENCE, "ECPrivateKey SEQUENCE"));
  const version = unsignedInteger(expectTag(fields[0], TAG.INTEGER, "ECPrivateKey version"));
  if (version.length !== 1 || version[0] !== 1) throw new DerError("ECPrivateKey version is not 1");
  const d = contents(expectTag(fields[1], TAG.OCTET_STRING, "ECPrivateKey privateKey"));
  let innerCurve: Curve | undefined;
  let point: Uint8Array | undefined;
  for (const field of fields.slice(2)) {
    if (field.tag === TAG.CONTEXT_0) innerCurve = namedCurve(children(field)[0]);
    else if (field.tag === TAG.CONTEXT_1) point = bitStringBytes(expectTag(children(field)[0], TAG.BIT_STRING, "ECPrivateKey publicKey"));
  }
  if (outerCurve && innerCurve && outerCurve !== innerCurve) throw new DerError("PKCS#8 and SEC1 name different curves");
  // Without parameters, the scalar's length (fixed by SEC1 §C.4) still identifies the curve.
  const crv = outerCurve ?? innerCurve ?? (Object.keys(COORDINATE_BYTES) as Curve[]).find((c) => COORDINATE_BYTES[c] === d.length);
  if (!crv) throw new DerError("EC private key names no curve");
  const coordinates = point ? uncompressedPoint(point, crv) : undefined;
  return {
    kty: "EC",
    crv,
    ...coordinates,
    private: { format: "pkcs8", data: pkcs8(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(OID_BY_CURVE[crv])), der) },
    form,
  };
}

/** PKCS#8 PrivateKeyInfo (v1) or OneAsymmetricKey (v2); re-wrapped as v1 without attributes. */
function parsePkcs8(der: Uint8Array): ParsedKey {
  const fields = children(expectTag(readRoot(der), TAG.SEQUENCE, "PrivateKeyInfo SEQUENCE"));
  expectTag(fields[0], TAG.INTEGER, "PrivateKeyInfo version");
  const [algorithm, parameters] = algorithmIdentifier(fields[1]);
  const inner = contents(expectTag(fields[2], TAG.OCTET_STRING, "PrivateKeyInfo privateKey"));
  if (algorithm === RSA_ENCRYPTION) return parsePkcs1Private(inner, "PKCS#8 PEM");
  if (algorithm === EC_PUBLIC_KEY) return parseSec1(inner, namedCurve(parameters), "PKCS#8 PEM");
  const okp = Object.hasOwn(OKP_BY_OID, algorithm) ? OKP_BY_OID[algorithm] : undefined;
  if (okp) {
    // RFC 8410 §7: the private key is an OCTET STRING of 32 bytes inside the privateKey OCTET STRING.
    if (contents(expectTag(readRoot(inner), TAG.OCTET_STRING, "CurvePrivateKey")).length !== 32) throw new DerError(`${okp} private key is not 32 bytes`);
    return { kty: "OKP", crv: okp, private: { format: "pkcs8", data: pkcs8(encodeSequence(encodeOid(algorithm)), inner) }, form: "PKCS#8 PEM" };
  }
  throw unsupportedAlgorithm(algorithm);
}

/** SubjectPublicKeyInfo, from a `PUBLIC KEY` PEM or a certificate. */
function parseSpki(spki: Tlv, form: MaterialForm): ParsedKey {
  const fields = children(expectTag(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo SEQUENCE"));
  const [algorithm, parameters] = algorithmIdentifier(fields[0]);
  const key = bitStringBytes(expectTag(fields[1], TAG.BIT_STRING, "subjectPublicKey"));
  if (algorithm === RSA_ENCRYPTION) return parsePkcs1Public(readRoot(key), form);
  if (algorithm === EC_PUBLIC_KEY) {
    const crv = namedCurve(parameters);
    return { kty: "EC", crv, ...uncompressedPoint(key, crv), form };
  }
  const okp = Object.hasOwn(OKP_BY_OID, algorithm) ? OKP_BY_OID[algorithm] : undefined;
  if (okp) {
    if (key.length !== 32) throw new DerError(`${okp} public key is not 32 bytes`);
    return { kty: "OKP", crv: okp, x: key, form };
  }
  throw unsupportedAlgorithm(algorithm);
}

/** PKCS#1 RSAPublicKey. */
function parsePkcs1Public(root: Tlv, form: MaterialForm): ParsedKey {
  const fields = children(expectTag(root, TAG.SEQUENCE, "RSAPublicKey SEQUENCE"));
  if (fields.length !== 2) throw new DerError("expected RSAPublicKey fields");
  return { kty: "RSA", n: unsignedInteger(expectTag(fields[0], TAG.INTEGER, "modulus")), e: unsignedInteger(expectTag(fields[1], TAG.INTEGER, "exponent")), form };
}

/**
 * An X.509 certificate's public key. Only the structure is checked (no dates, chain or signature):
 * DataPower, too, takes the certificate object as the recipient's key.
 */
function parseCertificate(der: Uint8Array): ParsedKey {
  let spki: Tlv;
  try {
    const certificate = children(expectTag(readRoot(der), TAG.SEQUENCE, "Certificate SEQUENCE"));
    if (certificate.length !== 3) throw new DerError("expected 3 Certificate fields");
    expectTag(certificate[1], TAG.SEQUENCE, "signatureAlgorithm");
    expectTag(certificate[2], TAG.BIT_STRING, "signature");
    const tbs = children(expectTag(certificate[0], TAG.SEQUENCE, "TBSCertificate"));
    // [0] version is optional (absent means v1); then serial, signature, issuer, validity, subject, key.
    const fields = tbs[0]?.tag === TAG.CONTEXT_0 ? tbs.slice(1) : tbs;
    expectTag(fields[0], TAG.INTEGER, "serialNumber");
    for (let i = 1; i <= 4; i++) expectTag(fields[i], TAG.SEQUENCE, "TBSCertificate field");
    spki = expectTag(fields[5], TAG.SEQUENCE, "subjectPublicKeyInfo");
  } catch (e) {
    if (e instanceof DerError) throw new DerError("not a valid X.509 certificate");
    throw e;
  }
  return parseSpki(spki, "X.509 certificate");
}

/** AlgorithmIdentifier ::= SEQUENCE { OID, parameters OPTIONAL } → [dotted OID, parameters]. */
function algorithmIdentifier(tlv: Tlv | undefined): [string, Tlv | undefined] {
  const fields = children(expectTag(tlv, TAG.SEQUENCE, "AlgorithmIdentifier"));
  return [oidToString(expectTag(fields[0], TAG.OID, "algorithm OID")), fields[1]];
}

/** A named curve from EC parameters; explicit parameters and other curves are refused by name. */
function namedCurve(parameters: Tlv | undefined): Curve {
  if (!parameters || parameters.tag !== TAG.OID) {
    if (parameters?.tag === TAG.SEQUENCE) throw new UnsupportedKey("an EC key with explicit curve parameters; only named curves P-256, P-384 and P-521 are supported");
    throw new DerError("EC key without a named curve");
  }
  const oid = oidToString(parameters);
  const crv = CURVE_BY_OID[oid];
  if (!crv) throw new UnsupportedKey(`an EC key on curve ${oid === "1.3.132.0.10" ? "secp256k1" : `OID ${oid}`}; only P-256, P-384 and P-521 are supported`);
  return crv;
}

/** x and y from an uncompressed point (04 ‖ x ‖ y). A compressed point gives neither (derived later). */
function uncompressedPoint(point: Uint8Array, crv: Curve): { x?: Uint8Array; y?: Uint8Array } {
  const size = COORDINATE_BYTES[crv];
  if (point[0] === 0x04) {
    if (point.length !== 1 + 2 * size) throw new DerError(`EC point has the wrong length for ${crv}`);
    return { x: point.slice(1, 1 + size), y: point.slice(1 + size) };
  }
  if ((point[0] === 0x02 || point[0] === 0x03) && point.length === 1 + size) return {};
  throw new DerError("EC point is not a valid encoding");
}

function unsupportedAlgorithm(oid: string): UnsupportedKey {
  const name = OTHER_KEY_TYPES[oid];
  return new UnsupportedKey(`a key of type ${name ?? `OID ${oid}`}, which jwt-generate does not support`);
}

/** PKCS#8 v1 around a private key: SEQUENCE { 0, AlgorithmIdentifier, OCTET STRING key }. */
function pkcs8(algorithmIdentifierDer: Uint8Array, privateKeyDer: Uint8Array): Uint8Array {
  return encodeSequence(encodeUnsignedInteger(new Uint8Array([0])), algorithmIdentifierDer, encodeOctetString(privateKeyDer));
}
