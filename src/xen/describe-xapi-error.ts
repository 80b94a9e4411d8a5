/** Pool-status reasons in words: XAPI codes with their params, TLS failures with what to do. */

/** Node's codes for a certificate that does not verify against the system CAs. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

export function describeXapiError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
    const { code, params, message } = error as { code: string; params?: unknown; message?: string }
    if (Array.isArray(params)) return `${code}(${params.join(', ')})`
    const text = message ? `${code}: ${message}` : code
    if (CERTIFICATE_ERRORS.has(code)) {
      return `${text} (the certificate does not verify against the system CAs: pin it with tls: { fingerprint: <sha256> }, or give the pool a trusted certificate)`
    }
    return text
  }
  return error instanceof Error ? error.message : String(error)
}
