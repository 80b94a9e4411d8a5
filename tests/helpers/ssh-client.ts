/**
 * A real ssh2 client for tests against the simulated guests: connect with a password or a key, run one
 * command (optionally with stdin) and collect its exit code and output. Every client opened here is
 * ended after the test.
 */
import { createHash } from 'node:crypto'
import ssh2, { type Client, type ConnectConfig } from 'ssh2'
import { afterEach } from 'vitest'

export interface Endpoint {
  readonly host: string
  readonly port: number
}

export interface ExecResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const open: Client[] = []

afterEach(() => {
  for (const client of open.splice(0)) client.end()
})

/** SHA256:… as `ssh-keygen -lf` prints it, from a host key blob. */
export const fingerprintOf = (key: Buffer) =>
  `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`

/** Connects and authenticates; rejects with ssh2's error (its `level` says which stage failed). */
export function connect(
  endpoint: Endpoint,
  auth: { username: string; password?: string; privateKey?: string },
  options: { hostKeys?: Buffer[] } & Partial<ConnectConfig> = {},
): Promise<Client> {
  const { hostKeys, ...config } = options
  const client = new ssh2.Client()
  open.push(client)
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client))
    // Only the first error decides; later ones (a refused client's socket reset, the simulator closing
    // under a client after its test) concern no test and must not go unhandled.
    client.on('error', reject)
    client.connect({
      host: endpoint.host,
      port: endpoint.port,
      readyTimeout: 5000,
      ...auth,
      hostVerifier: (key: Buffer) => {
        hostKeys?.push(key)
        return true
      },
      ...config,
    })
  })
}

/** Runs one command line; `stdin` is written and the input closed (as the bot sends keys). */
export function exec(client: Client, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error)
      let stdout = ''
      let stderr = ''
      let code: number | null = null
      channel.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8')
      })
      channel.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
      })
      channel.on('exit', (exitCode: number | null) => {
        code = exitCode
      })
      channel.on('close', () => resolve({ code, stdout, stderr }))
      channel.end(stdin)
    })
  })
}
