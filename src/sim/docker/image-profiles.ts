/**
 * What the model knows about a few well-known images: the config their Dockerfile bakes in (ENTRYPOINT,
 * CMD, ENV, EXPOSE, VOLUME, STOPSIGNAL, LABEL), how their PID 1 reacts to signals, the processes
 * `docker top` shows and the lines they log on start and stop. Anything else behaves like a busybox/alpine
 * image running `/bin/sh`.
 *
 * Signals: a container's PID 1 is the init of its PID namespace, and the kernel drops signals sent to a
 * namespace init for which it installed no handler (SIGKILL excepted). So `/bin/sh` ignores SIGTERM and
 * `docker stop` has to wait out the timeout and SIGKILL it (Exited (137)), while nginx/redis/postgres
 * install handlers and exit 0.
 */
export interface ProcessRow {
  /** As `ps` on the host prints it: container users without a host account show as their uid. */
  uid: string
  cmd: string
  /** Child of the container's first process (else child of containerd-shim). */
  child: boolean
}

export interface LogLine {
  stream: 'stdout' | 'stderr'
  line: string
}

/** How PID 1 reacts to a signal it has a handler for; unhandled signals other than SIGKILL are ignored. */
type Reaction = 'exit' | 'stay'

export interface ImageProfile {
  entrypoint: string[]
  cmd: string
  env: (tag: string) => string[]
  exposed: string[]
  labels: Record<string, string>
  /** The image's STOPSIGNAL (Config.StopSignal); null means Docker's default SIGTERM. */
  stopSignal: string | null
  /** [UNVERIFIED] per-image signal handling is from the daemons' documentation, not tested against images. */
  handles: Record<number, Reaction>
  workingDir: string
  volumes: string[]
  sizeBytes: number
  processes: (cmdLine: string, ncpu: number) => ProcessRow[]
  startLogs: (now: number) => LogLine[]
  stopLogs: (now: number, signal: number) => LogLine[]
}

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** nginx's error-log timestamp, `2026/01/01 00:00:00`. */
const nginxTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/-/g, '/').replace('T', ' ')
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** redis's log timestamp, `01 Jan 2026 00:00:00.000`. */
const redisTime = (ms: number) => {
  const d = new Date(ms)
  const iso = d.toISOString()
  return `${iso.slice(8, 10)} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${iso.slice(11, 23)}`
}
const pgTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 23).replace('T', ' ')} UTC`
const SIGNAMES: Record<number, string> = { 2: 'SIGINT', 3: 'SIGQUIT', 15: 'SIGTERM' }

const nginx: ImageProfile = {
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: "nginx -g 'daemon off;'",
  // [UNVERIFIED] NJS_VERSION / PKG_RELEASE values vary per tag; these match the 1.25.3 image.
  env: (tag) => [
    PATH,
    `NGINX_VERSION=${/^\d+\.\d+\.\d+$/.test(tag) ? tag : '1.25.3'}`,
    'NJS_VERSION=0.8.2',
    'PKG_RELEASE=1~bookworm',
  ],
  exposed: ['80/tcp'],
  labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' },
  // The official image sets STOPSIGNAL SIGQUIT (graceful shutdown) since 2020.
  stopSignal: 'SIGQUIT',
  handles: { 1: 'stay', 2: 'exit', 3: 'exit', 10: 'stay', 12: 'stay', 15: 'exit', 28: 'stay' },
  workingDir: '',
  volumes: [],
  sizeBytes: 187_000_000,
  processes: (cmdLine, ncpu) => [
    { uid: 'root', cmd: `nginx: master process ${cmdLine}`, child: false },
    ...Array.from({ length: ncpu }, () => ({ uid: '101', cmd: 'nginx: worker process', child: true })),
  ],
  startLogs: (now) => [
    {
      stream: 'stdout',
      line: '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
    },
    { stream: 'stdout', line: '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/' },
    { stream: 'stdout', line: '/docker-entrypoint.sh: Configuration complete; ready for start up' },
    { stream: 'stderr', line: `${nginxTime(now)} [notice] 1#1: start worker processes` },
  ],
  stopLogs: (now, signal) => [
    {
      stream: 'stderr',
      line: `${nginxTime(now)} [notice] 1#1: signal ${signal} (${SIGNAMES[signal] ?? signal}) received, ${signal === 3 ? 'shutting down' : 'exiting'}`,
    },
    { stream: 'stderr', line: `${nginxTime(now)} [notice] 1#1: exit` },
  ],
}

const redis: ImageProfile = {
  entrypoint: ['docker-entrypoint.sh'],
  cmd: 'redis-server',
  env: (tag) => [PATH, 'GOSU_VERSION=1.17', `REDIS_VERSION=${/^\d+\.\d+\.\d+$/.test(tag) ? tag : '7.2.4'}`],
  exposed: ['6379/tcp'],
  labels: {},
  stopSignal: null,
  handles: { 2: 'exit', 15: 'exit' },
  workingDir: '/data',
  volumes: ['/data'],
  sizeBytes: 138_000_000,
  processes: () => [{ uid: '999', cmd: 'redis-server *:6379', child: false }],
  startLogs: (now) => [{ stream: 'stdout', line: `1:M ${redisTime(now)} * Ready to accept connections tcp` }],
  stopLogs: (now, signal) => [
    {
      stream: 'stdout',
      line: `1:signal-handler (${Math.floor(now / 1000)}) Received ${SIGNAMES[signal]} scheduling shutdown...`,
    },
    { stream: 'stdout', line: `1:M ${redisTime(now)} # Redis is now ready to exit, bye bye...` },
  ],
}

const postgres: ImageProfile = {
  entrypoint: ['docker-entrypoint.sh'],
  cmd: 'postgres',
  env: (tag) => [PATH, `PG_MAJOR=${tag.split('.')[0] || '16'}`, 'PGDATA=/var/lib/postgresql/data'],
  exposed: ['5432/tcp'],
  labels: {},
  // The official image sets STOPSIGNAL SIGINT (fast shutdown).
  stopSignal: 'SIGINT',
  handles: { 1: 'stay', 2: 'exit', 3: 'exit', 15: 'exit' },
  workingDir: '',
  volumes: ['/var/lib/postgresql/data'],
  sizeBytes: 412_000_000,
  processes: () => [
    { uid: '999', cmd: 'postgres', child: false },
    ...['checkpointer', 'background writer', 'walwriter', 'autovacuum launcher', 'logical replication launcher'].map(
      (p) => ({ uid: '999', cmd: `postgres: ${p} `, child: true }),
    ),
  ],
  startLogs: (now) => [
    { stream: 'stderr', line: `${pgTime(now)} [1] LOG:  database system is ready to accept connections` },
  ],
  stopLogs: (now, signal) => [
    {
      stream: 'stderr',
      line: `${pgTime(now)} [1] LOG:  received ${signal === 15 ? 'smart' : 'fast'} shutdown request`,
    },
    { stream: 'stderr', line: `${pgTime(now)} [1] LOG:  database system is shut down` },
  ],
}

const shell: ImageProfile = {
  entrypoint: [],
  cmd: '/bin/sh',
  env: () => [PATH],
  exposed: [],
  labels: {},
  stopSignal: null,
  handles: {},
  workingDir: '',
  volumes: [],
  sizeBytes: 7_340_000,
  processes: (cmdLine) => [{ uid: 'root', cmd: cmdLine, child: false }],
  startLogs: () => [],
  stopLogs: () => [],
}

const PROFILES: Record<string, ImageProfile> = { nginx, redis, postgres }

/** `docker.io/library/nginx:1.25@sha256:…` → { repo: 'nginx', tag: '1.25' }; no tag means `latest`. */
export function parseImage(image: string): { repo: string; tag: string } {
  const noDigest = image.split('@')[0] ?? image
  const lastSlash = noDigest.lastIndexOf('/')
  const colon = noDigest.indexOf(':', lastSlash + 1)
  const path = colon >= 0 ? noDigest.slice(0, colon) : noDigest
  return { repo: path.slice(lastSlash + 1), tag: colon >= 0 ? noDigest.slice(colon + 1) : 'latest' }
}

export function profileFor(image: string): ImageProfile {
  return PROFILES[parseImage(image).repo] ?? shell
}

/** The default command a scenario gets when it names none: the image's CMD. */
export function defaultCommand(image: string): string {
  return profileFor(image).cmd
}

/** Splits a command the way a shell would for the exec form: whitespace, '…' and "…" quoting, \ escapes. */
export function splitCommand(command: string): string[] {
  const words: string[] = []
  let word: string | null = null
  let quote: "'" | '"' | null = null
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string
    if (quote) {
      if (ch === quote) quote = null
      else if (ch === '\\' && quote === '"' && i + 1 < command.length) word += command[++i] as string
      else word += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      word ??= ''
    } else if (ch === '\\' && i + 1 < command.length) {
      word = (word ?? '') + (command[++i] as string)
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word)
      word = null
    } else {
      word = (word ?? '') + ch
    }
  }
  if (word !== null) words.push(word)
  return words
}
