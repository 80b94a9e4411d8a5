/**
 * The context a command runs with, built per invocation by the dispatcher: the ports it may use, the
 * asker's rights bound to the asker, and the secret stash behind `ctx.secret`.
 */
import type { Log } from '../log.js'
import type { Actor, AnyCommand, CommandContext } from './command.js'
import type { CommandButtons } from './command-buttons.js'
import type { DispatcherOptions } from './dispatcher-options.js'
import { UserError } from './errors.js'
import type { SecretStash } from './secret-stash.js'
import type { StatusSink } from './status-coalescer.js'

export interface ContextParts {
  readonly options: DispatcherOptions
  readonly actor: Actor
  readonly status?: StatusSink | undefined
  readonly requestId: string
  readonly log: Log
  readonly secrets: SecretStash
  readonly buttons: CommandButtons
  readonly visibleCommands: () => readonly AnyCommand[]
  /** `platform:id`, the key jobs are stored under. */
  readonly actorKey: string
}

export function buildContext(parts: ContextParts): CommandContext {
  const { options, actor, secrets } = parts
  return {
    actor,
    requestId: parts.requestId,
    log: parts.log,
    inventory: options.inventory,
    docker: options.docker,
    status: parts.status ?? (async () => undefined),
    visibleCommands: parts.visibleCommands,
    allows: (permission, target) => options.access.allows(actor, permission, target),
    require: (permission, target) => options.access.require(actor, permission, target),
    step: (_label, fn) => fn(() => undefined),
    button: (label, line, style) => ({ token: parts.buttons.create(line), label, style }),
    secret: (handle) => {
      const value = secrets.take(handle)
      if (value === undefined) {
        throw new UserError(
          'form.secret_gone',
          'the one-time secret from the form is no longer held (it is kept in memory only, read once, and forgotten on restart); run the command again',
        )
      }
      return value
    },
    doctor: options.doctor,
    dockerSetup: options.dockerSetup,
    provisioning: options.provisioning,
    suggest: options.suggestions,
    records: options.records && {
      recentJobs: async () => (await options.records?.recentJobs(parts.actorKey)) ?? [],
      pendingApprovals: async () => (await options.records?.pendingApprovals()) ?? [],
    },
  }
}
