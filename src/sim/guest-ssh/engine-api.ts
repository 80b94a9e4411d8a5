/**
 * The Docker Engine API (1.41, as Docker 20.10 serves it on /var/run/docker.sock) over one guest's
 * DockerDaemon model: enough of it for dockerode and the Docker CLI — /_ping, /version, /info, the
 * container list, inspect, top, logs in the multiplexed stream framing, one-shot stats, the lifecycle
 * POSTs and the /events stream. Paths may carry a `/v1.xx` prefix. Answers and errors are the model's
 * own JSON and DockerError bodies, so what a client sees is what the xscontainer emulation sees.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { DaemonDownError, type DockerDaemon, DockerError, type DockerEvent } from '../docker/docker-daemon.js'
import { goJson } from '../docker/docker-errors.js'

export const API_VERSION = '1.41'

/** Headers dockerd puts on every answer (api/server/server.go and middleware, v20.10). */
function baseHeaders(daemon: DockerDaemon): Record<string, string> {
  const version = String(daemon.up ? (daemon.version().Version ?? '20.10.24') : '20.10.24')
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Docker/${version} (linux)`,
  }
}

const truthy = (value: string | null) => value !== null && ['1', 'true', 'True'].includes(value)

/** One multiplexed-stream frame: [stream, 0, 0, 0, uint32 BE length] then the payload (docker-over-ssh.md §5.3). */
export function logFrame(stream: 'stdout' | 'stderr', payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8')
  const header = Buffer.alloc(8)
  header[0] = stream === 'stdout' ? 1 : 2
  header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body])
}

type Route = (daemon: DockerDaemon, id: string, query: URLSearchParams, res: ServerResponse) => void

function json(daemon: DockerDaemon, res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...baseHeaders(daemon), 'Content-Type': 'application/json' })
  res.end(goJson(value))
}

function noContent(daemon: DockerDaemon, res: ServerResponse): void {
  res.writeHead(204, baseHeaders(daemon))
  res.end()
}

const seconds = (query: URLSearchParams) => {
  const t = query.get('t')
  return t === null ? undefined : Number(t)
}

const CONTAINER_ROUTES: Record<string, Record<string, Route>> = {
  GET: {
    json: (d, id, _q, res) => json(d, res, 200, d.inspect(id)),
    top: (d, id, q, res) => json(d, res, 200, d.top(id, q.get('ps_args') ?? undefined)),
    stats: (d, id, _q, res) => {
      // [UNVERIFIED] simplification: stream=true (the API default) also gets a single sample, then the
      // end of the body; every client of this simulator asks for stream=false.
      json(d, res, 200, d.stats(id))
    },
    logs: (d, id, q, res) => {
      const stdout = truthy(q.get('stdout'))
      const stderr = truthy(q.get('stderr'))
      if (!stdout && !stderr) throw new DockerError(400, 'Bad parameters: you must choose at least one stream')
      const tailText = q.get('tail') ?? 'all'
      const tail = tailText === 'all' ? -1 : Number.parseInt(tailText, 10)
      const entries = d
        .logs(id, { tail: Number.isNaN(tail) ? -1 : tail, timestamps: truthy(q.get('timestamps')) })
        .filter((e) => (e.stream === 'stdout' ? stdout : stderr))
      // [UNVERIFIED] simplification: follow=1 is answered like follow=0 (what is there, then the end).
      res.writeHead(200, { ...baseHeaders(d), 'Content-Type': 'application/vnd.docker.multiplexed-stream' })
      res.end(Buffer.concat(entries.map((e) => logFrame(e.stream, `${e.line}\n`))))
    },
  },
  POST: {
    start: (d, id, _q, res) => {
      d.start(id)
      noContent(d, res)
    },
    stop: (d, id, q, res) => {
      d.stop(id, seconds(q))
      noContent(d, res)
    },
    restart: (d, id, q, res) => {
      d.restart(id, seconds(q))
      noContent(d, res)
    },
    pause: (d, id, _q, res) => {
      d.pause(id)
      noContent(d, res)
    },
    unpause: (d, id, _q, res) => {
      d.unpause(id)
      noContent(d, res)
    },
    kill: (d, id, q, res) => {
      d.kill(id, q.get('signal') ?? undefined)
      noContent(d, res)
    },
  },
}

/** `/events`: the daemon's container events as JSON lines until the client leaves or dockerd stops. */
function streamEvents(daemon: DockerDaemon, res: ServerResponse): void {
  res.writeHead(200, { ...baseHeaders(daemon), 'Content-Type': 'application/json' })
  res.flushHeaders()
  const onEvent = (event: DockerEvent) => res.write(goJson(event))
  const onDown = () => res.end()
  daemon.events.on('event', onEvent)
  daemon.events.on('down', onDown)
  res.on('close', () => {
    daemon.events.off('event', onEvent)
    daemon.events.off('down', onDown)
  })
}

const ENGINE_ROUTES: Record<string, (daemon: DockerDaemon, query: URLSearchParams, res: ServerResponse) => void> = {
  '/version': (d, _q, res) => json(d, res, 200, d.version()),
  '/info': (d, _q, res) => json(d, res, 200, d.info()),
  '/events': (d, _q, res) => streamEvents(d, res),
  '/containers/json': (d, q, res) =>
    json(d, res, 200, d.listContainers({ all: truthy(q.get('all')), size: truthy(q.get('size')) })),
}

/** Answers one request; false when the daemon is down (the caller drops the connection, as a dead socket would). */
export function handleEngineRequest(daemon: DockerDaemon, req: IncomingMessage, res: ServerResponse): boolean {
  if (!daemon.up) return false
  const url = new URL(req.url ?? '/', 'http://docker')
  const path = url.pathname.replace(/^\/v1\.\d+(?=\/)/, '')
  const method = req.method ?? 'GET'
  try {
    if (path === '/_ping' && (method === 'GET' || method === 'HEAD')) {
      daemon.ping()
      res.writeHead(200, {
        ...baseHeaders(daemon),
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-cache, no-store, must-revalidate',
        Pragma: 'no-cache',
      })
      res.end(method === 'HEAD' ? undefined : 'OK')
      return true
    }
    const engineRoute = method === 'GET' ? ENGINE_ROUTES[path] : undefined
    if (engineRoute) {
      engineRoute(daemon, url.searchParams, res)
      return true
    }
    const match = /^\/containers\/([^/]+)\/([a-z]+)$/.exec(path)
    const route = match ? CONTAINER_ROUTES[method]?.[match[2] ?? ''] : undefined
    if (!match || !route) {
      json(daemon, res, 404, { message: 'page not found' })
      return true
    }
    route(daemon, decodeURIComponent(match[1] ?? ''), url.searchParams, res)
    return true
  } catch (error) {
    if (error instanceof DaemonDownError) return false
    if (!(error instanceof DockerError)) throw error
    res.writeHead(error.status, {
      ...baseHeaders(daemon),
      ...(error.body ? { 'Content-Type': 'application/json' } : {}),
    })
    res.end(error.body || undefined)
    return true
  }
}
