/**
 * XAPI failures → UserErrors in plain words, in one table (style rule 7). The raw code and params stay
 * on the error (`source`) for logs and audit; the sentence names the VM, container or host involved and,
 * where there is one, what to do. Anything not in the table is not a user error: it stays a bug.
 */
import { UserError } from '../core/errors.js'
import { FingerprintMismatchError } from './pinned-dispatcher.js'

export interface ErrorContext {
  readonly pool?: string | undefined
  readonly vm?: string | undefined
  readonly container?: string | undefined
  readonly host?: string | undefined
  /** The container action being run (start, stop…), for the 304 sentence. */
  readonly action?: string | undefined
}

interface XapiLikeError {
  readonly code: string
  readonly params: readonly string[]
}

function isXapiError(error: unknown): error is XapiLikeError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    Array.isArray((error as { params?: unknown }).params)
  )
}

/** Docker's 304 (Not Modified) per action: the container is already where the action would take it. */
const ALREADY: Record<string, { readonly code: string; readonly words: string }> = {
  start: { code: 'docker.already_running', words: 'is already running' },
  stop: { code: 'docker.already_stopped', words: 'is already stopped' },
  restart: { code: 'docker.cannot_restart', words: 'cannot be restarted right now' },
  pause: { code: 'docker.already_paused', words: 'is already paused' },
  unpause: { code: 'docker.not_paused', words: 'is not paused' },
}

type Found = { readonly code: string; readonly message: string }

/** "pool lab-legacy", or "the pool" when the context does not name it. */
const poolWords = (ctx: ErrorContext) => (ctx.pool ? `pool ${ctx.pool}` : 'the pool')

/** The plugin's XSContainerException / SSH texts (xscontainer.md §1.3, §3.4) → sentences. */
function pluginFailure(params: readonly string[], ctx: ErrorContext): Found | undefined {
  const [fn, exception, text = ''] = params
  const vm = ctx.vm ?? 'the VM'
  const container = ctx.container ?? 'the container'
  if (fn === 'non-zero exit')
    return { code: 'vm.not_found', message: `${vm} is not known to ${poolWords(ctx)} any more` }
  if (text === 'INVALID_ARGUMENTS') return undefined
  if (text === 'Invalid container') {
    return {
      code: 'docker.invalid_container',
      message: `"${container}" is not a container id xscontainer accepts (lower-case letters, digits, _ . - only); use the container's short id`,
    }
  }
  if (/led to status Not Modified/.test(text)) {
    const already = ALREADY[ctx.action ?? fn ?? '']
    return {
      code: already?.code ?? 'docker.already',
      message: `${container} ${already?.words ?? 'is already in that state'}`,
    }
  }
  if (/led to status Not Found/.test(text)) {
    return { code: 'docker.no_such_container', message: `there is no container "${container}" in ${vm}` }
  }
  if (/Multiple IDs found with provided prefix/.test(text)) {
    return {
      code: 'docker.ambiguous_container',
      message: `"${container}" matches several containers in ${vm}: give more of its id, or its name`,
    }
  }
  if (/is not running/.test(text)) return { code: 'docker.not_running', message: `${container} is not running` }
  if (/is already paused/.test(text))
    return { code: 'docker.already_paused', message: `${container} is already paused` }
  if (/is restarting, wait/.test(text)) {
    return { code: 'docker.restarting', message: `${container} is restarting: try again once it is running` }
  }
  if (/is not paused/.test(text)) return { code: 'docker.not_paused', message: `${container} is not paused` }
  if (/cannot start a paused container/.test(text)) {
    return { code: 'docker.paused', message: `${container} is paused: unpause it instead` }
  }
  if (/^No valid IP found/.test(text)) {
    return {
      code: 'docker.unreachable',
      message: `${vm} reports no IP address dom0 can reach: check that its guest tools are installed and its network is up`,
    }
  }
  if (exception === 'AuthenticationException') {
    return {
      code: 'docker.key_not_authorized',
      message: `the pool's xscontainer SSH key is not authorized in ${vm}: run /docker enable ${ctx.vm ?? '<vm>'} to install it`,
    }
  }
  if (exception === 'SshException') {
    return {
      code: 'docker.unreachable',
      message: `Docker is not reachable inside ${vm} over SSH (is ncat installed and Docker running?)`,
    }
  }
  if (/^\['XENAPI_MISSING_PLUGIN'/.test(text)) {
    return {
      code: 'docker.no_xscontainer',
      message: `the host running ${vm} has no xscontainer pack: install it on that host, or use the SSH backend`,
    }
  }
  return undefined
}

function sentence(error: XapiLikeError, ctx: ErrorContext): Found | undefined {
  const p = error.params
  const vm = ctx.vm ?? 'the VM'
  switch (error.code) {
    case 'VM_BAD_POWER_STATE':
      return {
        code: 'vm.bad_power_state',
        message: `${vm} is ${p[2] ?? 'in another state'}; it must be ${p[1] ?? 'in another state'} for that`,
      }
    case 'HANDLE_INVALID':
    case 'UUID_INVALID':
      return {
        code: 'xen.not_found',
        message: `that ${p[0] ?? 'object'} no longer exists${ctx.pool ? ` on pool ${ctx.pool}` : ''}`,
      }
    case 'SESSION_AUTHENTICATION_FAILED':
      return {
        code: 'xen.auth_failed',
        message: `${poolWords(ctx)} refused the configured credentials: check its username and password secret`,
      }
    case 'HOST_OFFLINE':
      // The parameter is the host's opaque ref: not something to show.
      return {
        code: 'xen.host_offline',
        message: ctx.host ? `host ${ctx.host} is offline` : `a host of ${poolWords(ctx)} is offline`,
      }
    case 'HOST_IS_SLAVE':
      // xen-api follows the redirect itself; reaching a user means the master address is unreachable.
      return {
        code: 'xen.not_master',
        message: `${poolWords(ctx)} answered from a member host; its master at ${p[0] ?? '?'} is not reachable`,
      }
    case 'RBAC_PERMISSION_DENIED':
      return {
        code: 'xen.permission_denied',
        message: `the pool account lacks the XenServer role for that (${p[0] ?? 'permission'}); it needs pool-admin`,
      }
    case 'XENAPI_MISSING_PLUGIN':
      return {
        code: 'docker.no_xscontainer',
        message: `${ctx.host ? `host ${ctx.host}` : `the host running ${vm}`} has no xscontainer pack: install the supplemental pack on that host (every host of the pool needs it), or use the SSH backend`,
      }
    case 'OTHER_OPERATION_IN_PROGRESS':
      return {
        code: 'xen.busy',
        message: `${vm} is busy with another operation (${p[2] ?? 'in progress'}); try again when it ends`,
      }
    case 'XENAPI_PLUGIN_FAILURE':
      return pluginFailure(p, ctx)
  }
  return undefined
}

/**
 * The socket closed after the request went out and before the answer came (undici's UND_ERR_SOCKET
 * "other side closed", a reset, a broken pipe). Unlike a refused connection, the pool may have acted:
 * xen-api rightly retries only reads, so a change is neither repeated nor known to have failed.
 */
const MID_CALL = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE'])

function droppedMidCall(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 3; depth++) {
    if (MID_CALL.has(String((e as { code?: unknown }).code))) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/**
 * For a container action whose answer never came: a truthful card cannot say it failed, only that it
 * may have taken effect, and where to look before anyone presses again (a second restart is not harmless).
 */
function mayStillAct(ctx: ErrorContext, words: string): string {
  if (!ctx.action || !ALREADY[ctx.action]) {
    return words === 'may have happened' ? '; what it was asked may have been done: check before trying again' : ''
  }
  const what = ctx.container ? `the ${ctx.action} of ${ctx.container}` : `the ${ctx.action}`
  return `; ${what} ${words}: check ${ctx.vm ? `/docker ps ${ctx.vm}` : 'the container list'} before trying again`
}

/** A UserError for what the user can act on; the original error otherwise (a bug to log). */
export function translateXenError(error: unknown, ctx: ErrorContext = {}): unknown {
  if (error instanceof UserError) return error
  if (error instanceof FingerprintMismatchError) {
    return new UserError('xen.tls_pin_mismatch', `${ctx.pool ? `pool ${ctx.pool}: ` : ''}${error.message}`, {
      cause: error,
    })
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new UserError(
      'xen.timeout',
      `${poolWords(ctx)} did not answer in time; it may be overloaded or unreachable${mayStillAct(ctx, 'may still happen')}`,
      { cause: error },
    )
  }
  if (droppedMidCall(error)) {
    return new UserError(
      'xen.connection_lost',
      `the connection to ${poolWords(ctx)} dropped before it answered${mayStillAct(ctx, 'may have happened')}`,
      { cause: error },
    )
  }
  if (!isXapiError(error)) return error
  const found = sentence(error, ctx)
  if (!found) return error
  return new UserError(found.code, found.message, {
    source: { code: error.code, params: [...error.params] },
    cause: error,
  })
}
