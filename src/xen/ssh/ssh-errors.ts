/**
 * Failures on the way to Docker over SSH, as sentences a user can act on: the login stages in
 * xscontainer's words (diagnosis.ts), a changed host key with both fingerprints and the command that
 * re-trusts it, dial-stdio's exit status, Docker's own HTTP answers, and a guest that stays silent.
 * The raw error stays on the UserError for the log, never in the sentence.
 */
import { UserError } from '../../core/errors.js'
import { RemoteCommandError } from './channel-socket.js'
import { CAUSES } from './diagnosis.js'
import { sshFailureCause } from './guest-session.js'
import { HostKeyChangedError } from './host-key-policy.js'

export interface SshErrorContext {
  readonly vm: string
  readonly user: string
  readonly address: string
  /** The container the call was about (its name as people know it), if any. */
  readonly container?: string | undefined
  /** start, stop, inspect, logs… */
  readonly action: string
}

/** The call's deadline passed (the guest froze, or the daemon did not finish its answer). */
export class DeadlineError extends Error {
  readonly ms: number
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'DeadlineError'
    this.ms = ms
  }
}

/** The refusal for a changed host key: xscontainer's sentence, both fingerprints, and how to re-trust. */
export function hostKeyChanged(vm: string, error: HostKeyChangedError): UserError {
  return new UserError(
    'ssh.host_key_changed',
    `${vm}: ${CAUSES.hostKey} It now presents ${error.presented.fingerprint}; the bot trusts ${error.pinned.fingerprint} ` +
      `(pinned ${new Date(error.pinned.pinnedAt).toISOString()} by ${error.pinned.pinnedBy}). Nothing was sent to it. ` +
      `If the VM was reinstalled or its SSH server's keys regenerated, check the new fingerprint on its console ` +
      `(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then an admin runs /xen trust ${vm} ${error.presented.fingerprint}`,
    { cause: error },
  )
}

const HTTP_REASON: Record<number, (c: SshErrorContext, message: string) => string> = {
  304: (c) =>
    c.action === 'start' || c.action === 'unpause'
      ? `${c.container} in ${c.vm} is already running`
      : `${c.container} in ${c.vm} is already stopped`,
  404: (c) => `there is no container ${c.container} in ${c.vm} (any more); run /docker ps ${c.vm} --all`,
  409: (c, message) => `Docker in ${c.vm} refused to ${c.action} ${c.container}: ${message}`,
}

export function translateSshError(error: unknown, c: SshErrorContext): UserError {
  if (error instanceof UserError) return error
  if (error instanceof HostKeyChangedError) return hostKeyChanged(c.vm, error)
  if (error instanceof DeadlineError) {
    return new UserError(
      'ssh.timeout',
      `${c.vm} did not answer the ${c.action} request within ${Math.round(error.ms / 1000)} s over SSH (${c.user}@${c.address}); ` +
        'the VM may be overloaded or its network down. Try again; /xen doctor checks the pools',
      { cause: error },
    )
  }
  if (error instanceof RemoteCommandError) {
    const cause = error.exitCode === 127 ? 'dockerCli' : /permission denied/i.test(error.stderr) ? 'access' : 'socket'
    return new UserError('ssh.docker_unreachable', `${c.vm}: ${CAUSES[cause]} (as ${c.user})`, {
      cause: error,
      source: { code: 'EDIALSTDIO', params: [String(error.exitCode), error.stderr] },
    })
  }
  const status = (error as { statusCode?: number }).statusCode
  if (typeof status === 'number') {
    const json = (error as { json?: { message?: unknown } }).json
    const message = typeof json?.message === 'string' ? json.message : 'no reason given'
    const sentence =
      HTTP_REASON[status]?.(c, message) ?? `Docker in ${c.vm} could not ${c.action}: ${message} (HTTP ${status})`
    return new UserError(`docker.http_${status}`, sentence, {
      cause: error,
      source: { code: `HTTP_${status}`, params: [message] },
    })
  }
  if (/Channel open failure/i.test(String((error as Error).message))) {
    // Stream-local refused: sshd forbids forwarding, or the socket is missing or not the user's to open.
    return new UserError(
      'ssh.docker_unreachable',
      `${c.vm}: the SSH server refused to connect ${c.user} to /var/run/docker.sock. ${CAUSES.access} ` +
        'If it is, check that Docker runs and that sshd allows stream-local forwarding (AllowStreamLocalForwarding)',
      { cause: error },
    )
  }
  const level = (error as { level?: string }).level
  if (level !== undefined) {
    const cause = sshFailureCause(error)
    const how =
      cause === 'auth'
        ? ` The login as ${c.user} with the bot's key was refused: run /docker enable ${c.vm} to install it.`
        : ''
    return new UserError(`ssh.${cause}`, `${c.vm} (${c.user}@${c.address}): ${CAUSES[cause]}${how}`, { cause: error })
  }
  return new UserError(
    'ssh.failed',
    `${c.vm}: the connection to Docker over SSH failed (${(error as Error).message ?? String(error)}); try again`,
    { cause: error },
  )
}
