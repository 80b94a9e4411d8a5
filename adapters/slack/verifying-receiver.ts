/**
 * HTTP mode: Slack POSTs slash commands, interactions and options requests to one URL. This receiver
 * reads the raw body (bounded), verifies the signature itself (verify-signature.ts: raw bytes, constant
 * time, ±5 minutes), answers 401 to anything unsigned, stale, future-dated or tampered with, and only
 * then hands the request to bolt's HTTPReceiver — with bolt's own (weaker) check turned off, since the
 * body it sees has been verified already — for parsing, ack and dispatch.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type App, HTTPReceiver, type Receiver } from '@slack/bolt'
import type { Log } from '../../src/log.js'
import { verifySlackSignature } from './verify-signature.js'

/** Slack's payloads are small; a cloud-config in a modal is the largest thing, well under this. */
const BODY_LIMIT = 1024 * 1024

export interface VerifyingReceiverOptions {
  readonly signingSecret: string
  readonly path: string
  readonly log: Log
  /** bolt's logger, for the inner receiver's own messages. */
  readonly boltLogger: ConstructorParameters<typeof HTTPReceiver>[0]['logger']
  readonly now?: (() => number) | undefined
}

export class VerifyingHttpReceiver implements Receiver {
  readonly #options: VerifyingReceiverOptions
  readonly #inner: HTTPReceiver
  #server: Server | undefined

  constructor(options: VerifyingReceiverOptions) {
    this.#options = options
    this.#inner = new HTTPReceiver({
      // Verified here before bolt sees the request; bolt requires a secret even with its check off.
      signingSecret: options.signingSecret,
      signatureVerification: false,
      endpoints: options.path,
      ...(options.boltLogger ? { logger: options.boltLogger } : {}),
    })
  }

  init(app: App): void {
    this.#inner.init(app)
  }

  /** The URL the server listens on (after start). */
  get url(): string | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined
    if (!address) return undefined
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `http://${host}:${address.port}${this.#options.path}`
  }

  get listening(): boolean {
    return this.#server?.listening === true
  }

  async start(port: number, host: string): Promise<Server> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#options.log.warn({ err: error }, 'a Slack request could not be read')
        if (!res.headersSent) res.writeHead(400).end()
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    return server
  }

  async stop(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]
    if (req.method !== 'POST' || path !== this.#options.path) {
      res.writeHead(404).end()
      return
    }
    const body = await readBody(req, BODY_LIMIT)
    if (body === 'too-large') {
      res.writeHead(413).end()
      return
    }
    const header = (name: string) => {
      const value = req.headers[name]
      return typeof value === 'string' ? value : undefined
    }
    const check = verifySlackSignature({
      signingSecret: this.#options.signingSecret,
      body,
      timestamp: header('x-slack-request-timestamp'),
      signature: header('x-slack-signature'),
      nowMs: (this.#options.now ?? Date.now)(),
    })
    if (!check.ok) {
      this.#options.log.warn(
        { reason: check.reason, ip: req.socket.remoteAddress },
        'refused a Slack request: bad signature',
      )
      res.writeHead(401).end()
      return
    }
    // bolt reads `rawBody` when it is already there instead of reading the (consumed) stream again.
    Object.assign(req, { rawBody: body })
    this.#inner.requestListener(req, res)
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        resolve('too-large')
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
