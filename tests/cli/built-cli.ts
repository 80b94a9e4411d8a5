/**
 * The built CLI, as people run it: `npm run build` (tsc -p tsconfig.build.json) into dist/, then
 * `node bin/xen-chatops.js …` as a child process with piped stdio.
 *
 * Test files run in parallel workers, and two tsc runs writing the same dist/ files at once could
 * leave a half-written file behind. So the build holds a lock file; the first worker of a vitest run
 * builds, and the others wait for it and reuse that build (they share the vitest process as parent,
 * which the stamp records, and the sources have not changed since: watch mode reruns build again).
 * A build that fails fails every test file that needs it, with tsc's output.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

const id = createHash('sha256').update(ROOT).digest('hex').slice(0, 12)
const LOCK = join(tmpdir(), `xen-chatops-test-build-${id}.lock`)
const STAMP = join(tmpdir(), `xen-chatops-test-build-${id}.json`)

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock file; a lock left by a process that died is taken over. */
async function lock(timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(LOCK, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let owner = Number.NaN
    try {
      owner = Number(readFileSync(LOCK, 'utf8'))
    } catch {
      continue // released between our open and our read
    }
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
      rmSync(LOCK, { force: true })
      continue
    }
    if (Date.now() > deadline) throw new Error(`the build lock ${LOCK} is held by process ${owner} for too long`)
    await sleep(200)
  }
}

function runTsc(): Promise<{ exit: Exit; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ exit: { code, signal }, output }))
  })
}

/** The newest modification time among the files the build reads (a change means building again). */
function sourcesChangedAt(): number {
  const newest = (path: string): number => {
    const stat = statSync(path, { throwIfNoEntry: false })
    if (!stat) return 0
    if (!stat.isDirectory()) return stat.mtimeMs
    return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
  }
  return Math.max(
    ...['src', 'adapters', 'commands', 'types', 'tsconfig.json', 'tsconfig.build.json'].map((p) =>
      newest(join(ROOT, p)),
    ),
  )
}

/**
 * Builds dist/ once per vitest run (see the file comment) and resolves when it exited 0; rejects with
 * tsc's output otherwise.
 */
export async function buildOnce(): Promise<void> {
  const release = await lock(120_000)
  try {
    const sources = sourcesChangedAt()
    try {
      const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as { runner?: unknown; sources?: unknown }
      if (stamp.runner === process.ppid && stamp.sources === sources) return
    } catch {
      // no stamp yet: build
    }
    rmSync(STAMP, { force: true })
    const { exit, output } = await runTsc()
    if (exit.code !== 0) {
      throw new Error(`tsc -p tsconfig.build.json exited with ${exit.code ?? exit.signal}:\n${output}`)
    }
    writeFileSync(STAMP, JSON.stringify({ runner: process.ppid, sources, builtAt: new Date().toISOString() }))
  } finally {
    release()
  }
}

export interface Cli {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves once `until` matches stdout after `from` (an offset); rejects on exit or after `ms`. */
  waitFor(until: RegExp, options?: { from?: number; ms?: number }): Promise<RegExpExecArray>
  /** Resolves when the process has exited and its output streams are closed. */
  readonly closed: Promise<Exit>
}

const started = new Set<ChildProcess>()

/** Kills what `startCli` started and is still running (only those, by their own handle). */
export function killStarted(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  started.clear()
}

/** `node bin/xen-chatops.js …args` with piped stdin, stdout and stderr (so stdin is not a TTY). */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Cli {
  const child = spawn(process.execPath, [join(ROOT, 'bin/xen-chatops.js'), ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  })
  started.add(child)
  let stdout = ''
  let stderr = ''
  const checks = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const check of checks) check()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  // A write after the child exited must not crash the test worker; the exit is reported instead.
  child.stdin.on('error', () => undefined)
  const closed = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    closed,
    waitFor: (until, { from = 0, ms = 20_000 } = {}) =>
      new Promise((resolve, reject) => {
        const done = (error?: Error, match?: RegExpExecArray) => {
          checks.delete(check)
          clearTimeout(timer)
          if (match) resolve(match)
          else reject(error)
        }
        const check = () => {
          const match = until.exec(stdout.slice(from))
          if (match) done(undefined, match)
        }
        const timer = setTimeout(
          () => done(new Error(`no ${until} in stdout after ${ms} ms:\n${stdout.slice(from)}\nstderr: ${stderr}`)),
          ms,
        )
        checks.add(check)
        check()
        void closed.then(() => {
          check()
          if (checks.has(check))
            done(new Error(`the CLI exited before printing ${until}:\n${stdout}\nstderr: ${stderr}`))
        })
      }),
  }
}

/** Runs the CLI to completion with `input` on stdin. */
export async function runCli(
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Exit & { readonly stdout: string; readonly stderr: string }> {
  const cli = startCli(args, options.env ? { env: options.env } : {})
  cli.child.stdin?.end(options.input ?? '')
  const exit = await cli.closed
  return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() }
}

/**
 * A config for the built CLI against simulated pools: alice may read and operate in the terminal chat,
 * the store and the log in `dir`, the pools' password from SIM_POOL_PASSWORD.
 */
export function writeSimBotConfig(
  dir: string,
  pools: readonly { readonly name: string; readonly url: string }[],
): { config: string; dataDir: string } {
  const dataDir = join(dir, 'data')
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    [
      'pools:',
      ...pools.map((p) => `  - { name: ${p.name}, url: '${p.url}', password: { env: SIM_POOL_PASSWORD } }`),
      'access:',
      '  roles: { operator: { permissions: [docker.read, docker.operate, xen.read] } }',
      '  subjects: [{ platform: shell, users: [alice], roles: [operator] }]',
      `store: { dataDir: '${dataDir}' }`,
      `log: { level: info, file: '${join(dir, 'bot.log')}' }`,
      'platforms: { shell: { user: alice } }',
      '',
    ].join('\n'),
  )
  return { config, dataDir }
}
