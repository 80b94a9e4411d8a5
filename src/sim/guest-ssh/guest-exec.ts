/**
 * What one exec channel does in the simulated guest: the fixed commands of guest-commands.ts with the
 * exit codes and stderr a Linux guest gives (bash's 127 for a missing program, dial-stdio's "failed to
 * open the raw stream connection", docker-over-ssh.md §1.3 and §5.2), the key file edits of the
 * install / remove scripts, and the byte pipe from dial-stdio or `ncat -U` to the daemon socket.
 */
import { connect } from 'node:net'
import type { ServerChannel } from 'ssh2'
import type { DockerDaemon } from '../docker/docker-daemon.js'
import { commandOf, SOCKET_PATH } from './guest-commands.js'
import type { GuestSsh, GuestUser } from './guest-ssh.js'

export interface ExecContext {
  readonly ssh: GuestSsh
  readonly user: GuestUser
  readonly daemon: DockerDaemon | undefined
  /** The port of the guest's Engine API listener (its /var/run/docker.sock). */
  engine(): Promise<number>
}

function finish(channel: ServerChannel, code: number, stdout = '', stderr = ''): void {
  if (stdout) channel.write(stdout)
  if (stderr) channel.stderr.write(stderr)
  channel.exit(code)
  channel.end()
}

/** Everything the client writes until it closes its side (the keys of the install / remove scripts). */
function readStdin(channel: ServerChannel): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    channel.on('data', (chunk: Buffer) => chunks.push(chunk))
    channel.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

/** The lines `while IFS= read -r` yields: complete lines only (a last line without newline is not read). */
function stdinLines(text: string): string[] {
  const parts = text.split('\n')
  parts.pop()
  return parts.filter((line) => line !== '')
}

/** The script's effect: each key not already a whole line is appended, after a newline the file lacked. */
export function appendKeys(file: string, keys: readonly string[]): string {
  let out = file
  for (const key of keys) {
    if (out.split('\n').includes(key)) continue
    if (out !== '' && !out.endsWith('\n')) out += '\n'
    out += `${key}\n`
  }
  return out
}

/** `grep -vxF` per key: other lines are kept, each ending in a newline as grep prints them. */
export function removeKeys(file: string, keys: readonly string[]): string {
  if (file === '') return file
  const lines = file.replace(/\n$/, '').split('\n')
  return lines
    .filter((line) => !keys.includes(line))
    .map((line) => `${line}\n`)
    .join('')
}

export async function runExec(ctx: ExecContext, line: string, channel: ServerChannel): Promise<void> {
  const { ssh, user, daemon } = ctx
  const access = ssh.socketAccess(user.name, daemon?.up ?? false)
  switch (commandOf(line)) {
    case 'hello':
      return finish(channel, 0, 'hello world\n')
    case 'ncat':
      return ssh.ncat ? finish(channel, 0, '/usr/bin/ncat\n') : finish(channel, 1)
    case 'dockerCli':
      return ssh.dockerCli ? finish(channel, 0, '/usr/bin/docker\n') : finish(channel, 1)
    case 'socketExists':
      return finish(channel, access === 'missing' ? 1 : 0)
    case 'socketAccess':
      return finish(channel, access === 'ok' ? 0 : 1)
    case 'installKeys': {
      const keys = stdinLines(await readStdin(channel))
      user.authorizedKeys = appendKeys(user.authorizedKeys, keys)
      return finish(channel, 0)
    }
    case 'removeKeys': {
      const keys = stdinLines(await readStdin(channel))
      user.authorizedKeys = removeKeys(user.authorizedKeys, keys)
      return finish(channel, 0)
    }
    case 'dialStdio': {
      if (!ssh.dockerCli) return finish(channel, 127, '', 'bash: line 1: docker: command not found\n')
      if (access !== 'ok') {
        const why = access === 'missing' ? 'no such file or directory' : 'permission denied'
        return finish(
          channel,
          1,
          '',
          `failed to open the raw stream connection: dial unix ${SOCKET_PATH}: connect: ${why}\n`,
        )
      }
      return pipeToDaemon(ctx, channel)
    }
    case 'ncatDocker': {
      if (!ssh.ncat) return finish(channel, 127, '', 'bash: line 1: ncat: command not found\n')
      // [UNVERIFIED] ncat's exact wording and status for a missing or forbidden socket.
      if (access === 'missing') return finish(channel, 2, '', 'Ncat: No such file or directory.\n')
      if (access === 'denied') return finish(channel, 2, '', 'Ncat: Permission denied.\n')
      return pipeToDaemon(ctx, channel)
    }
    default: {
      const program = line.trim().split(/\s+/)[0] ?? ''
      return finish(channel, 127, '', `bash: line 1: ${program}: command not found\n`)
    }
  }
}

/**
 * dial-stdio's copy loop (docker/cli dial_stdio.go): stdin to the daemon, the daemon to stdout; the
 * client's EOF half-closes the daemon side; when the daemon side ends the command exits 0 at once.
 */
async function pipeToDaemon(ctx: ExecContext, channel: ServerChannel): Promise<void> {
  const port = await ctx.engine()
  const socket = connect({ host: '127.0.0.1', port })
  socket.setNoDelay(true)
  channel.pipe(socket)
  socket.on('data', (chunk: Buffer) => channel.write(chunk))
  socket.once('end', () => {
    channel.exit(0)
    channel.end()
  })
  socket.once('error', () => {
    channel.exit(1)
    channel.end()
  })
  channel.once('close', () => socket.destroy())
}
