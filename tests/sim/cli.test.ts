/**
 * The `xen-chatops` command line, run from source. The CLI is started as
 * `node --import tsx src/cli.ts …` rather than `npx tsx src/cli.ts …`: it is the same tsx loader
 * and the same source, but one process, so SIGTERM reaches the CLI itself and the exit code is its
 * own (`npx` runs npm, a shell and tsx's relay process in front of it, and npm does not pass
 * SIGTERM on).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

interface Cli {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with stdout once it contains `text`; rejects if the process exits first. */
  waitFor(text: string): Promise<string>
  exited: Promise<Exit>
}

const children = new Set<ChildProcess>()

afterAll(() => {
  // Tests run concurrently, so left-overs (from a failed test) are only killed once all are done;
  // only the processes these tests started, by their own handle.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children.clear()
})

function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const check of waiters) check()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  // stdout may still hold data when 'exit' fires; wait for the streams to close too.
  const closed = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!stdout.includes(text)) return
          waiters.delete(check)
          resolve(stdout)
        }
        waiters.add(check)
        check()
        void exited.then(() =>
          setImmediate(() => {
            if (!waiters.has(check)) return
            waiters.delete(check)
            reject(new Error(`the CLI exited before printing ${JSON.stringify(text)}; stderr: ${stderr}`))
          }),
        )
      }),
    exited: closed,
  }
}

/** Runs the CLI to completion. */
async function runCli(args: string[]): Promise<Exit & { stdout: string; stderr: string }> {
  const cli = startCli(args)
  const exit = await cli.exited
  return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() }
}

const withinMs = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms)),
  ])

async function rpc(url: string, method: string, params: unknown[]): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
  })
  return (await res.json()) as Record<string, unknown>
}

/** A JSON-RPC call over https to the CLI's self-signed endpoint (verification off: its certificate is not ours to pin). */
function httpsRpc(url: string, method: string, params: unknown[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}/jsonrpc`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, rejectUnauthorized: false, agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>))
      },
    )
    req.on('error', reject)
    req.end(JSON.stringify({ jsonrpc: '2.0', method, params, id: 2 }))
  })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no address')
  return address.port
}

interface JsonBanner {
  url: string
  username: string
  password: string
  pools: { name: string; url: string; username: string; password: string; members: { host: string; url: string }[] }[]
}

async function firstLine(cli: Cli): Promise<JsonBanner> {
  const stdout = await cli.waitFor('\n')
  return JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as JsonBanner
}

describe.concurrent('xen-chatops sim', { timeout: 30_000 }, () => {
  it('--json prints the endpoint as the first stdout line, answers, and on SIGTERM answers a pending event.from and exits 0', async ({
    expect,
  }) => {
    const cli = startCli(['sim', '--scenario', 'lab', '--json'])
    const banner = await firstLine(cli)
    expect(banner).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[0-9]+$/),
      username: 'root',
      password: 'xenroot',
      pools: [
        {
          name: 'lab',
          url: banner.url,
          username: 'root',
          password: 'xenroot',
          members: [{ host: 'lab-host-2', url: banner.url.replace('127.0.0.1', '127.0.0.2') }],
        },
      ],
    })

    const login = await rpc(banner.url, 'session.login_with_password', [banner.username, banner.password])
    const session = login.result as string
    expect(session).toMatch(/^OpaqueRef:/)
    const first = (await rpc(banner.url, 'event.from', [session, ['VM'], '', 0.0])).result as { token: string }
    const pending = rpc(banner.url, 'event.from', [session, ['VM'], first.token, 30.0])
    const early = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('pending'), 300))])
    expect(early).toBe('pending')

    expect(cli.child.kill('SIGTERM')).toBe(true)
    expect(await withinMs(pending, 5000, 'the pending event.from')).toEqual({
      jsonrpc: '2.0',
      error: { code: 1, message: 'SESSION_INVALID', data: [session] },
      id: 1,
    })
    expect(await withinMs(cli.exited, 5000, 'the exit')).toEqual({ code: 0, signal: null })
    expect(cli.stdout().split('\n')).toEqual([JSON.stringify(banner), ''])
    expect(cli.stderr()).toBe('')
  })

  it('prints the URL and credentials for people, and stops cleanly on Ctrl-C (SIGINT)', async ({ expect }) => {
    const cli = startCli(['sim']) // lab is the default scenario
    const stdout = await cli.waitFor('Press Ctrl-C to stop.\n')
    const url = /pool lab: (http:\/\/127\.0\.0\.1:[0-9]+) {2}user root {2}password xenroot\n/.exec(stdout)?.[1]
    expect(url, stdout).toBeDefined()
    expect(stdout.split('\n')[0]).toBe('xen-chatops simulator: scenario "lab"')

    const login = await rpc(url ?? '', 'session.login_with_password', ['root', 'xenroot'])
    expect(login.result).toMatch(/^OpaqueRef:/)

    cli.child.kill('SIGINT')
    expect(await withinMs(cli.exited, 5000, 'the exit')).toEqual({ code: 0, signal: null })
    expect(cli.stdout().endsWith('Press Ctrl-C to stop.\nsimulator stopped\n')).toBe(true)
    expect(cli.stderr()).toBe('')
  })

  it('--tls --port serve https on that port, for the master and the members', async ({ expect }) => {
    const port = await freePort()
    const cli = startCli(['sim', '--scenario', 'lab', '--json', '--tls', '--port', String(port)])
    const banner = await firstLine(cli)
    expect(banner.url).toBe(`https://127.0.0.1:${port}`)
    expect(banner.pools[0]?.members).toEqual([{ host: 'lab-host-2', url: `https://127.0.0.2:${port}` }])

    const login = await httpsRpc(banner.url, 'session.login_with_password', ['root', 'x'])
    expect(login).toEqual({
      jsonrpc: '2.0',
      error: { code: 1, message: 'SESSION_AUTHENTICATION_FAILED', data: ['root', 'Authentication failure'] },
      id: 2,
    })
    const slave = await httpsRpc(`https://127.0.0.2:${port}`, 'session.login_with_password', ['root', 'xenroot'])
    expect(slave).toEqual({ jsonrpc: '2.0', error: { code: 1, message: 'HOST_IS_SLAVE', data: ['127.0.0.1'] }, id: 2 })

    cli.child.kill('SIGTERM')
    expect(await withinMs(cli.exited, 5000, 'the exit')).toEqual({ code: 0, signal: null })
  })

  it('exits non-zero naming a scenario that does not exist', async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(['sim', '--scenario', 'nope'])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^xen-chatops: no scenario named "nope"/)
  })

  it('exits non-zero with a clear message for a --port that is not a number', async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(['sim', '--port', 'notanumber'])
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'xen-chatops: --port must be a port number (0-65535), got "notanumber"\n',
    })
  })
})

describe.concurrent('xen-chatops', { timeout: 30_000 }, () => {
  it('--version prints the package version', async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(['--version'])
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: '' })
  })

  it('exits 2 with the usage for an unknown command', async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(['frobnicate'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^xen-chatops: unknown command "frobnicate"\n\nusage: xen-chatops <command>/)
  })
})
