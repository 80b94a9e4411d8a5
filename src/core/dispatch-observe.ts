/**
 * How each dispatch ends, told to the observer (metrics) and turned into the user's answer: a UserError
 * is shown as it is; anything else is a bug, logged once with the request id the reply quotes.
 */
import type { Log } from '../log.js'
import { isUserError } from './errors.js'
import { privateReply, type Reply, text } from './reply.js'

/** How a command ended: answered, refused as the user's mistake, refused by access control, or a bug. */
export type CommandOutcome = 'ok' | 'user_error' | 'denied' | 'bug'

export interface DispatchObserver {
  /**
   * `command` is the command path (`docker ps`), `help`, `unknown` for text matching no command,
   * `press` for a button press, `submit` for a form, `redelivered` for an event seen before.
   */
  commandFinished(event: { readonly command: string; readonly outcome: CommandOutcome; readonly seconds: number }): void
}

export const outcomeOf = (error: unknown): CommandOutcome =>
  isUserError(error) ? (error.code === 'access.denied' ? 'denied' : 'user_error') : 'bug'

/** What the observer is told when the command ends; its failures are logged, never the command's. */
export function observeCommand(
  observer: DispatchObserver | undefined,
  command: string,
): { command: string; outcome: CommandOutcome; done(log: Log): void } {
  const started = performance.now()
  const seen = {
    command,
    outcome: 'ok' as CommandOutcome,
    done: (log: Log) => {
      if (!observer) return
      try {
        observer.commandFinished({
          command: seen.command,
          outcome: seen.outcome,
          seconds: (performance.now() - started) / 1000,
        })
      } catch (error) {
        log.warn({ err: error }, 'the command observer failed')
      }
    },
  }
  return seen
}

export function failureReply(error: unknown, log: Log, requestId: string): Reply {
  if (isUserError(error)) {
    log.info({ code: error.code, source: error.source }, error.message)
    return privateReply(text(error.message, 'error'))
  }
  log.error({ err: error }, 'command failed')
  return privateReply(text(`Something went wrong on our side (request id ${requestId}); the error is logged.`, 'error'))
}
