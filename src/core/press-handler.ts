/**
 * Buttons that are not confirmations or approval votes (issue #11: the Acknowledge, Mute, Restart and
 * Logs buttons on alerts) still go through the dispatcher's `press`: it hands their tokens to the
 * handlers registered here, with the actor's access checks, the audit log and the whole command flow
 * (access, approvals, confirmations, jobs) at hand. A token is opaque and points at server-side state;
 * a handler trusts nothing else the press carries.
 */
import type { Log } from '../log.js'
import type { AccessPolicy } from './access.js'
import type { Actor, Permission, Target } from './command.js'
import type { Governance } from './governance.js'
import type { Reply } from './reply.js'

export interface PressContext {
  readonly actor: Actor
  readonly requestId: string
  readonly log: Log
  /** Throws the standard denial unless the actor holds `permission` on `target`; the decision is audited. */
  require(permission: Permission, target: Target, what: string): Promise<void>
  /** Audits the press before anything changes; throws (so nothing is done) when the audit log cannot be written. */
  audit(text: string): Promise<void>
  /** Runs chat text as the actor through the whole command flow: access, approval or confirmation, job. */
  run(text: string): Promise<Reply>
}

export interface PressHandler {
  /** The answer to a press of one of this handler's tokens; undefined when the token is not one of its own. */
  press(token: string, ctx: PressContext): Promise<Reply> | undefined
}

/** The context a press handler gets: access and audit exactly as the dispatcher applies them to commands. */
export function pressContext(options: {
  readonly actor: Actor
  readonly requestId: string
  readonly log: Log
  readonly access: AccessPolicy
  readonly governance?: Governance | undefined
  readonly run: (text: string) => Promise<Reply>
}): PressContext {
  const { actor, requestId, log, access, governance } = options
  return {
    actor,
    requestId,
    log,
    require: async (permission, target, what) => {
      try {
        access.require(actor, permission, target)
      } catch (error) {
        await governance?.auditAccess(actor, requestId, what, false, `${permission} missing`)
        throw error
      }
      await governance?.auditAccess(actor, requestId, what, true, permission)
    },
    audit: async (text) => {
      await governance?.auditRequest(actor, requestId, text, true, log)
    },
    run: options.run,
  }
}

/** The first handler's answer to `token`, or undefined when no handler owns it. */
export function handlePress(
  handlers: readonly PressHandler[],
  token: string,
  ctx: PressContext,
): Promise<Reply> | undefined {
  for (const handler of handlers) {
    const answer = handler.press(token, ctx)
    if (answer) return answer
  }
  return undefined
}
