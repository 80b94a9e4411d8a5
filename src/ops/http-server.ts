/**
 * The operations endpoint (issue #12): `GET /healthz` (200 healthy, 503 not, JSON body saying why) and
 * `GET /metrics` (Prometheus text). Off unless `http.port` is configured; binds 127.0.0.1 by default.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Health } from './health.js'
import type { Scrape } from './prom-metrics.js'

export interface OpsHttpOptions {
  readonly port: number
  readonly host: string
  health(): Health
  scrape(): Promise<Scrape>
  /** Told when a request fails unexpectedly (the scrape threw); the client gets a 500. */
  onError?: ((error: unknown) => void) | undefined
}

export interface OpsHttpServer {
  /** The bound address (the real port when 0 was asked for). */
  readonly address: AddressInfo
  readonly url: string
  close(): Promise<void>
}

export async function startOpsHttpServer(options: OpsHttpOptions): Promise<OpsHttpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n')
      return
    }
    if (path === '/healthz') {
      const health = options.health()
      res
        .writeHead(health.ok ? 200 : 503, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(`${JSON.stringify(health)}\n`)
      return
    }
    if (path === '/metrics') {
      const { contentType, body } = await options.scrape()
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /healthz or /metrics\n')
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('internal error\n')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined
  return {
    address,
    url: `http://${host}:${address.port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Scrapers keep connections alive; they must not hold the shutdown.
        server.closeAllConnections()
      })
      return closing
    },
  }
}
