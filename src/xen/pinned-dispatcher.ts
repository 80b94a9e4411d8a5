/**
 * Certificate pinning for a pool whose master has a self-signed certificate (the XenServer default).
 *
 * xen-api 4.7.6 offers only `allowUnauthorized` (accept anything) and has no `ca` option, and Node's
 * `checkServerIdentity` is never consulted once chain verification has failed. So the pin is checked
 * in an undici connector: the TLS handshake completes without chain verification, then the peer
 * certificate's SHA-256 fingerprint must equal the pin or the socket is destroyed before any request.
 * The client is then pointed at this dispatcher. This touches two private members of xen-api's Xapi
 * (`_undiciDispatcher`, `_setUrl`), pinned to 4.7.6; tests/xen/pool-connection.test.ts fails if an
 * upgrade changes them (a wrong pin must be refused).
 *
 * Every client gets a dispatcher of ours, pinned or not, because xen-api never closes its own: owning
 * it lets a stop wait for the in-flight requests (the logout, and the event.from long poll it wakes)
 * and then release the sockets, instead of leaving them to the server's side to reset.
 */
import type { TLSSocket } from 'node:tls'
import { Agent, buildConnector } from 'undici'
import type { Xapi } from 'xen-api'

export class FingerprintMismatchError extends Error {
  readonly expected: string
  readonly actual: string | undefined

  constructor(expected: string, actual: string | undefined) {
    super(
      `the pool's TLS certificate does not match the pinned fingerprint (expected sha256 ${expected}, got ${actual ?? 'no certificate'})`,
    )
    this.name = 'FingerprintMismatchError'
    this.expected = expected
    this.actual = actual
  }
}

export const normaliseFingerprint = (fp: string) => fp.replace(/:/g, '').toLowerCase()

export function createPinnedDispatcher(fingerprint: string, timeoutMs: number): Agent {
  const expected = normaliseFingerprint(fingerprint)
  // No TLS session resumption: a resumed session presents no peer certificate, so every connection
  // after the first would fail the check (or, worse, skip it).
  const base = buildConnector({ rejectUnauthorized: false, minVersion: 'TLSv1.2', maxCachedSessions: 0 })
  const connect: buildConnector.connector = (options, callback) => {
    base(options, (error, socket) => {
      if (error) return callback(error, null)
      if (options.protocol !== 'https:') return callback(null, socket)
      const cert = (socket as TLSSocket).getPeerCertificate()
      const actual = cert?.fingerprint256 ? normaliseFingerprint(cert.fingerprint256) : undefined
      if (actual !== expected) {
        socket.destroy()
        return callback(new FingerprintMismatchError(expected, actual), null)
      }
      callback(null, socket)
    })
  }
  return new Agent({ connect, bodyTimeout: timeoutMs, headersTimeout: timeoutMs })
}

/** The dispatcher for a pool's TLS setting: pinned, verified against the system CAs, or unchecked. */
export function createDispatcher(tls: 'verify' | 'insecure' | { readonly fingerprint: string }, timeoutMs: number) {
  if (typeof tls === 'object') return createPinnedDispatcher(tls.fingerprint, timeoutMs)
  return new Agent({
    connect: { rejectUnauthorized: tls === 'verify', minVersion: 'TLSv1.2' },
    bodyTimeout: timeoutMs,
    headersTimeout: timeoutMs,
  })
}

/** Closes a dispatcher once its in-flight requests are done, or destroys it after `graceMs`. */
export async function closeDispatcher(dispatcher: Agent, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs)
    timer.unref()
  })
  const outcome = await Promise.race([dispatcher.close().catch(() => undefined), late])
  clearTimeout(timer)
  if (outcome === 'late') await dispatcher.destroy().catch(() => undefined)
}

interface XapiInternals {
  _undiciDispatcher: unknown
  _url: unknown
  _setUrl(url: unknown): void
}

/** Makes every request of `xapi` (RPC and HTTP resources) go through `dispatcher`. */
export function useDispatcher(xapi: Xapi, dispatcher: Agent): void {
  const internals = xapi as unknown as XapiInternals
  if (typeof internals._setUrl !== 'function' || internals._undiciDispatcher === undefined) {
    throw new Error(
      "xen-api internals changed: the client's dispatcher cannot be replaced, so neither TLS pinning nor a clean stop works (expected xen-api 4.7.6)",
    )
  }
  internals._undiciDispatcher = dispatcher
  internals._setUrl(internals._url)
}
