/**
 * The simulated host's HTTP face: XAPI over JSON-RPC (`POST /jsonrpc`) and XML-RPC (`POST /`,
 * `/RPC2`, `/xmlrpc`), raw VDI import/export, optional TLS. The envelope rules are xapi's, and
 * xen-api is strict about them: `content-type` must be exactly `application/json` (with a charset it
 * silently switches to XML-RPC), a JSON-RPC v2 success must not carry an `error` key, XAPI failures
 * go out as HTTP 200.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { CallResult } from './dispatch.js'
import type { SimPool } from './sim-pool.js'
import { XapiFault } from './xapi-fault.js'
import { formatXmlRpcFailure, formatXmlRpcSuccess } from './xmlrpc-encode.js'
import { parseXmlRpcCall, XmlRpcParseError } from './xmlrpc-parse.js'

export interface TlsMaterial {
  readonly key: string
  readonly cert: string
}

export interface XapiHttpServerOptions {
  readonly pool: SimPool
  readonly host: string
  readonly port: number
  readonly tls?: TlsMaterial | undefined
  /** Set for a pool member that is not the master: every call answers HOST_IS_SLAVE [address]. */
  readonly masterAddress?: string | undefined
}

/** Largest request body accepted on the RPC paths; VDI uploads are bounded by the VDI's size instead. */
const MAX_RPC_BODY = 16 * 1024 * 1024

export class XapiHttpServer {
  readonly #options: XapiHttpServerOptions
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  readonly #inFlight = new Set<Promise<void>>()
  /** HTTP requests answered, for tests that count a client's round trips. */
  requests = 0

  constructor(options: XapiHttpServerOptions) {
    this.#options = options
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const done = this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`internal error: ${String(error)}`)
      })
      this.#inFlight.add(done)
      void done.finally(() => this.#inFlight.delete(done))
    }
    this.#server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler)
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    this.#server.on('secureConnection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject)
        resolve()
      })
    })
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port
  }

  get url(): string {
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host
    return `${this.#options.tls ? 'https' : 'http'}://${host}:${this.port}`
  }

  /** Waits for answers already under way (pending event.from calls answer once sessions drop), then closes. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight])
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      for (const socket of this.#sockets) socket.destroy()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++
    const { pool } = this.#options
    if (pool.faults.takeConnectionReset()) {
      req.socket.destroy()
      return
    }
    const url = new URL(req.url ?? '/', 'http://sim')
    if (req.method === 'POST' && url.pathname === '/jsonrpc') return this.#jsonRpc(req, res)
    if (req.method === 'POST' && ['/', '/RPC2', '/xmlrpc'].includes(url.pathname)) return this.#xmlRpc(req, res)
    if (req.method === 'PUT' && url.pathname === '/import_raw_vdi') return this.#importRawVdi(req, res, url)
    if (req.method === 'GET' && url.pathname === '/export_raw_vdi') return this.#exportRawVdi(res, url)
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`no handler for ${req.method} ${url.pathname}\n`)
  }

  #call(method: string, params: readonly unknown[]): Promise<CallResult> {
    const { masterAddress, pool } = this.#options
    if (masterAddress !== undefined) return Promise.reject(new XapiFault('HOST_IS_SLAVE', [masterAddress]))
    return pool.call(method, params)
  }

  async #jsonRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    let request: { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown }
    try {
      request = JSON.parse((await readBody(req, MAX_RPC_BODY)).toString('utf8'))
    } catch {
      send({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
      return
    }
    const v2 = request.jsonrpc === '2.0'
    const id = request.id ?? null
    if (typeof request.method !== 'string' || (request.params !== undefined && !Array.isArray(request.params))) {
      send({ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id })
      return
    }
    let body: unknown
    try {
      const { value } = await this.#call(request.method, (request.params as unknown[] | undefined) ?? [])
      body = v2 ? { jsonrpc: '2.0', result: value, id } : { result: value, error: null, id }
    } catch (error) {
      const f = asFault(error)
      // xapi's error code for every API failure is 1; the XAPI code travels as the message.
      body = v2
        ? { jsonrpc: '2.0', error: { code: 1, message: f.code, data: f.params }, id }
        : { result: null, error: f.errorDescription, id }
    }
    if (this.#dropsAnswer(req, request.method)) return
    send(body)
  }

  async #xmlRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let call: { method: string; params: unknown[] }
    try {
      call = parseXmlRpcCall((await readBody(req, MAX_RPC_BODY)).toString('utf8'))
    } catch (error) {
      if (!(error instanceof XmlRpcParseError)) throw error
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad XML-RPC request: ${error.message}\n`)
      return
    }
    let body: string
    try {
      const { value, type } = await this.#call(call.method, call.params)
      body = formatXmlRpcSuccess(value, type, this.#options.pool.model)
    } catch (error) {
      body = formatXmlRpcFailure(asFault(error).errorDescription)
    }
    if (this.#dropsAnswer(req, call.method)) return
    res.writeHead(200, { 'content-type': 'text/xml' }).end(body)
  }

  /** The `dropAnswers` fault: the call ran, its connection goes without an answer. */
  #dropsAnswer(req: IncomingMessage, method: string): boolean {
    if (!this.#options.pool.faults.takeDroppedAnswer(method)) return false
    req.socket.destroy()
    return true
  }

  /** Looks up the session and VDI named in a raw-VDI URL; answers the HTTP error itself when they are bad. */
  #vdiFromQuery(res: ServerResponse, url: URL): string | undefined {
    const { pool } = this.#options
    const format = url.searchParams.get('format') ?? 'raw'
    if (!pool.sessions.isValid(url.searchParams.get('session_id'))) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('SESSION_INVALID\n')
      return undefined
    }
    const vdi = url.searchParams.get('vdi') ?? ''
    if (!pool.store.has('VDI', vdi)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`HANDLE_INVALID VDI ${vdi}\n`)
      return undefined
    }
    if (format !== 'raw') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`the simulator only handles format=raw, not ${format}\n`)
      return undefined
    }
    return vdi
  }

  async #importRawVdi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const vdi = this.#vdiFromQuery(res, url)
    if (!vdi) return
    const { pool } = this.#options
    const size = Number(pool.store.get('VDI', vdi).virtual_size)
    let data: Buffer
    try {
      data = await readBody(req, size)
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`image larger than the VDI (${size} bytes)\n`)
      return
    }
    pool.vdiData.set(vdi, data)
    pool.store.update('VDI', vdi, { physical_utilisation: data.length })
    res.writeHead(200, { 'content-type': 'text/plain' }).end()
  }

  #exportRawVdi(res: ServerResponse, url: URL): void {
    const vdi = this.#vdiFromQuery(res, url)
    if (!vdi) return
    const { pool } = this.#options
    const stored = pool.vdiData.get(vdi) ?? Buffer.alloc(0)
    const size = Number(pool.store.get('VDI', vdi).virtual_size)
    // A raw export is the whole virtual disk; small disks (config drives) are padded with zeros to
    // their size, large ones are sent as written so a test never streams gigabytes of zeros.
    const body =
      size > stored.length && size <= 64 * 1024 * 1024
        ? Buffer.concat([stored, Buffer.alloc(size - stored.length)])
        : stored
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body)
  }
}

function asFault(error: unknown): XapiFault {
  return error instanceof XapiFault ? error : new XapiFault('INTERNAL_ERROR', [String(error)])
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let length = 0
    req.on('data', (chunk: Buffer) => {
      length += chunk.length
      if (length > limit) {
        reject(new Error('body too large'))
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
