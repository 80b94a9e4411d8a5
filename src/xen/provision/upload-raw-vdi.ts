/**
 * `PUT /import_raw_vdi` with our own undici request through the pool connection's dispatcher, so the
 * upload honours the pool's TLS setting — a pinned certificate included, which xen-api's putResource
 * (another HTTP stack) would bypass. The body is a Buffer, so it goes with a Content-Length: XAPI
 * refuses chunked transfer (config-drive.md §6). Any failure is fatal: a drive that did not arrive
 * must not be attached (Xen Orchestra ignores these errors; we do not).
 */
import { request } from 'undici'
import type { PoolConnection } from '../pool-connection.js'

/** A host that cannot see the SR answers 302 to one that can; one hop is all XAPI ever needs. */
const MAX_HOPS = 2

export class UploadError extends Error {
  readonly status: number | undefined

  constructor(message: string, status?: number) {
    super(message)
    this.name = 'UploadError'
    this.status = status
  }
}

export async function uploadRawVdi(connection: PoolConnection, vdiRef: string, image: Buffer): Promise<void> {
  const xapi = connection.client
  const dispatcher = connection.httpDispatcher
  if (!xapi || !dispatcher) throw new UploadError(`pool ${connection.name} is not connected`)
  let url = new URL('/import_raw_vdi', connection.url)
  url.search = new URLSearchParams({ session_id: xapi.sessionId, vdi: vdiRef, format: 'raw' }).toString()
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const response = await request(url, {
      method: 'PUT',
      dispatcher,
      body: image,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(image.length) },
      maxRedirections: 0,
    })
    const text = (await response.body.text()).trim().slice(0, 200)
    const location = response.headers.location
    if ((response.statusCode === 301 || response.statusCode === 302) && typeof location === 'string') {
      url = new URL(location, url)
      continue
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return
    // The reply body is the host's own words (HANDLE_INVALID…); the session id is never part of it.
    throw new UploadError(
      `the upload of the config drive failed: HTTP ${response.statusCode}${text ? ` (${text})` : ''}`,
      response.statusCode,
    )
  }
  throw new UploadError('the upload of the config drive was redirected more than once')
}
