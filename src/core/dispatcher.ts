/**
 * The flow of one command (DESIGN.md): find → validate → access → plan → access on the real target →
 * confirm when destructive → run → reply. UserErrors become private replies as they are; anything
 * else is a bug, logged once with a request id that the reply quotes, so a user can report it.
 */
import { randomUUID } from 'node:crypto'
import type { Log } from '../log.js'
import type { AccessPolicy } from './access.js'
import { type Actor, ANYONE, type AnyCommand, type CommandContext, type Target } from './command.js'
import { findCommand, validateArgs } from './command-lookup.js'
import { ConfirmationStore, digestOf } from './confirmations.js'
import type { Doctor } from './doctor-port.js'
import { isUserError, UserError } from './errors.js'
import type { Governance, PlannedCommand } from './governance.js'
import { tokenize } from './grammar.js'
import { helpReply, suggestCommands } from './help.js'
import type { DockerBackend, Inventory, VmSummary } from './ports.js'
import { handlePress, type PressHandler, pressContext } from './press-handler.js'
import { actions, context, privateReply, type Reply, type StatusCard, text } from './reply.js'
import type { StatusSink } from './status-coalescer.js'
import type { ApprovalRecord, JobRecord } from './store-ports.js'
import type { Suggestions } from './suggestions.js'

export interface Invocation {
  readonly actor: Actor
  /** The chat text, with or without the leading slash: `/docker ps web-1 --all`. */
  readonly text: string
  /** Where live status cards go for this invocation (the adapter edits one message). */
  readonly status?: ((card: StatusCard) => Promise<void>) | undefined
  /**
   * The platform's id for this event (Slack's trigger / action ts, Discord's interaction id): the same
   * id seen twice is a redelivery, answered without running anything.
   */
  readonly interactionId?: string | undefined
}

export interface DispatcherOptions {
  readonly commands: readonly AnyCommand[]
  readonly access: AccessPolicy
  readonly inventory: Inventory
  readonly docker: (vm: VmSummary) => DockerBackend
  readonly log: Log
  /** How long a confirm button stays valid (default 5 minutes). */
  readonly confirmTtlMs?: number | undefined
  /** Approvals, jobs and audit (issue #6). Without it, mutating commands run directly after any confirm. */
  readonly governance?: Governance | undefined
  readonly records?:
    | {
        recentJobs(actorKey: string): readonly JobRecord[]
        pendingApprovals(): readonly ApprovalRecord[]
      }
    | undefined
  readonly now?: (() => number) | undefined
  /** `/xen doctor`'s probes (src/xen/doctor.ts). */
  readonly doctor?: Doctor | undefined
  /** Ranked, scope-filtered names for "did you mean" and completion. */
  readonly suggestions?: Suggestions | undefined
  /** Told how each command ended and how long the answer took (metrics, issue #12); never throws into a command. */
  readonly observer?: DispatchObserver | undefined
  /** Other buttons' owners (issue #11: alert buttons), asked after approval votes and before confirmations. */
  readonly presses?: readonly PressHandler[] | undefined
}

/** How a command ended: answered, refused as the user's mistake, refused by access control, or a bug. */
export type CommandOutcome = 'ok' | 'user_error' | 'denied' | 'bug'

export interface DispatchObserver {
  /**
   * `command` is the command path (`docker ps`), `help`, `unknown` for text matching no command,
   * `press` for a button press, `redelivered` for an event seen before.
   */
  commandFinished(event: { readonly command: string; readonly outcome: CommandOutcome; readonly seconds: number }): void
}

const outcomeOf = (error: unknown): CommandOutcome =>
  isUserError(error) ? (error.code === 'access.denied' ? 'denied' : 'user_error') : 'bug'

/** The answer to a redelivered platform event: nothing ran again. */
const ALREADY_HANDLED = privateReply(text('This was already handled.', 'warning'))

const actorKey = (actor: Actor) => `${actor.platform}:${actor.id}`

export class Dispatcher {
  readonly #options: DispatcherOptions
  readonly #confirmations: ConfirmationStore
  readonly #ttlMs: number

  constructor(options: DispatcherOptions) {
    for (const command of options.commands) {
      if (command.permission === ANYONE && command.mutating) {
        throw new Error(
          `/${command.path} changes things, so it needs a permission; only read-only commands may be open to anyone`,
        )
      }
    }
    this.#options = options
    this.#ttlMs = options.confirmTtlMs ?? 5 * 60_000
    this.#confirmations = new ConfirmationStore(this.#ttlMs, options.now)
  }

  /** Commands `actor` may run at all (help shows only these). */
  visibleCommands(actor: Actor): AnyCommand[] {
    return this.#options.commands.filter(
      (c) => c.permission === ANYONE || this.#options.access.allows(actor, c.permission),
    )
  }

  async handle(invocation: Invocation): Promise<Reply> {
    const requestId = randomUUID().slice(0, 8)
    const log = this.#options.log.child({ requestId, user: invocation.actor.name, platform: invocation.actor.platform })
    const seen = this.#observe('redelivered')
    try {
      if (this.#options.governance?.claimInteraction(invocation.interactionId) === false) return ALREADY_HANDLED
      const words = tokenize(invocation.text.trim().replace(/^\//, ''))
      const found = findCommand(this.#options.commands, words)
      if (!found) {
        seen.command = 'unknown'
        seen.outcome = 'user_error'
        return this.#unknown(invocation.actor, words)
      }
      seen.command = found === 'help' ? 'help' : found.command.path
      if (found === 'help') return helpReply(this.visibleCommands(invocation.actor), words[0])
      const { command, rest } = found
      const governance = this.#options.governance
      governance?.auditRequest(invocation.actor, requestId, invocation.text, command.mutating, log)
      const args = validateArgs(command, rest)
      const ctx = this.#context(invocation, requestId, log)
      this.#require(invocation.actor, command, undefined, requestId)
      const plan = await command.plan(ctx, args)
      this.#require(invocation.actor, command, plan.target, requestId)
      if (!command.mutating) return await command.run(ctx, args, plan)
      log.info({ command: command.path, args, target: plan.target }, 'mutating command planned')
      const planned: PlannedCommand = { command, args, plan, ctx, status: ctx.status }
      if (governance?.needsApproval(command.path)) return governance.requestApproval(planned)
      if (command.confirm) return this.#askConfirmation(invocation.actor, command, args, plan)
      return governance ? await governance.runAsJob(planned) : await command.run(ctx, args, plan)
    } catch (error) {
      seen.outcome = outcomeOf(error)
      return this.#failure(error, log, requestId)
    } finally {
      seen.done(log)
    }
  }

  /** A button press (`/press <token>` in the terminal): confirm or cancel a pending command. */
  async press(invocation: Omit<Invocation, 'text'> & { readonly token: string }): Promise<Reply> {
    const requestId = randomUUID().slice(0, 8)
    const log = this.#options.log.child({ requestId, user: invocation.actor.name, platform: invocation.actor.platform })
    const seen = this.#observe('redelivered')
    try {
      if (this.#options.governance?.claimInteraction(invocation.interactionId) === false) return ALREADY_HANDLED
      seen.command = 'press'
      const status = invocation.status ?? (async () => undefined)
      const voted = await this.#options.governance?.vote(
        invocation.token,
        invocation.actor,
        status,
        (actor, path, args, sink) => this.#replan(actor, path, args, sink, requestId, log),
      )
      if (voted) return voted
      // Alert buttons (issue #11): their commands run through handle(), so access and approvals apply.
      const { actor } = invocation
      const run = (line: string) => this.handle({ actor, text: line, status })
      const { access, governance: audit } = this.#options
      const pressed = handlePress(
        this.#options.presses ?? [],
        invocation.token.trim(),
        pressContext({ actor, requestId, log, access, governance: audit, run }),
      )
      if (pressed) return await pressed
      const found = this.#confirmations.take(invocation.token.trim())
      if (!found)
        throw new UserError('confirm.expired', 'that button has expired or was already used; run the command again')
      const { kind, entry } = found
      if (entry.actorKey !== actorKey(invocation.actor)) {
        throw new UserError('confirm.not_yours', `only ${entry.actorName} can answer this confirmation`)
      }
      this.#confirmations.delete(invocation.token.trim())
      if (kind === 'cancel') return privateReply(text(`Cancelled: /${entry.path}`))
      // Planned again, with access checked again: rights may have changed since the button was shown.
      const planned = await this.#replan(invocation.actor, entry.path, entry.args, status, requestId, log)
      const { command, args, plan, ctx } = planned
      if (digestOf(plan) !== entry.planDigest) {
        throw new UserError(
          'confirm.stale',
          'the target changed since the confirmation was shown; run the command again',
        )
      }
      log.info({ command: command.path, args, target: plan.target }, 'running (confirmed)')
      const governance = this.#options.governance
      return governance ? await governance.runAsJob(planned) : await command.run(ctx, args, plan)
    } catch (error) {
      seen.outcome = outcomeOf(error)
      return this.#failure(error, log, requestId)
    } finally {
      seen.done(log)
    }
  }

  /** What the observer is told when the command ends; its failures are logged, never the command's. */
  #observe(command: string): { command: string; outcome: CommandOutcome; done(log: Log): void } {
    const started = performance.now()
    const observer = this.#options.observer
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

  /** Deny by default; only a command open to ANYONE (help) skips the policy. Decisions are audited. */
  #require(actor: Actor, command: AnyCommand, target?: Target, requestId = ''): void {
    if (command.permission === ANYONE) return
    const governance = this.#options.governance
    try {
      this.#options.access.require(actor, command.permission, target)
    } catch (error) {
      governance?.auditAccess(actor, requestId, command.path, false, `${command.permission} missing`)
      throw error
    }
    if (target && command.mutating) governance?.auditAccess(actor, requestId, command.path, true, command.permission)
  }

  /** A stored request (confirmation, approval) planned again for `actor`, with access re-checked. */
  async #replan(
    actor: Actor,
    path: string,
    rawArgs: Readonly<Record<string, unknown>>,
    status: StatusSink,
    requestId: string,
    log: Log,
  ): Promise<PlannedCommand> {
    const command = this.#options.commands.find((c) => c.path === path)
    if (!command) throw new Error(`stored request for unknown command ${path}`)
    const ctx = this.#context({ actor, text: '', status }, requestId, log)
    const args = command.args.parse(rawArgs) as Record<string, unknown>
    this.#require(actor, command, undefined, requestId)
    const plan = await command.plan(ctx, args)
    this.#require(actor, command, plan.target, requestId)
    return { command, args, plan, ctx, status }
  }

  #context(invocation: Invocation, requestId: string, log: Log): CommandContext {
    return {
      actor: invocation.actor,
      requestId,
      log,
      inventory: this.#options.inventory,
      docker: this.#options.docker,
      status: invocation.status ?? (async () => undefined),
      visibleCommands: () => this.visibleCommands(invocation.actor),
      allows: (permission, target) => this.#options.access.allows(invocation.actor, permission, target),
      require: (permission, target) => this.#options.access.require(invocation.actor, permission, target),
      step: (_label, fn) => fn(),
      doctor: this.#options.doctor,
      suggest: this.#options.suggestions,
      records: this.#options.records && {
        recentJobs: () => this.#options.records?.recentJobs(actorKey(invocation.actor)) ?? [],
        pendingApprovals: () => this.#options.records?.pendingApprovals() ?? [],
      },
    }
  }

  #askConfirmation(
    actor: Actor,
    command: AnyCommand,
    args: Record<string, unknown>,
    plan: { summary?: string | undefined },
  ): Reply {
    const tokens = this.#confirmations.create({
      actorKey: actorKey(actor),
      actorName: actor.name,
      path: command.path,
      args,
      planDigest: digestOf(plan),
    })
    return privateReply(
      text(`Confirm: ${plan.summary ?? `/${command.path}`}?`, 'warning'),
      actions({ token: tokens.confirm, label: 'Confirm', style: 'danger' }, { token: tokens.cancel, label: 'Cancel' }),
      context(`Only you can press these; they expire in ${Math.round(this.#ttlMs / 60_000) || 1} minute(s).`),
    )
  }

  #unknown(actor: Actor, words: readonly string[]): Reply {
    const suggestions = suggestCommands(this.visibleCommands(actor), words)
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `/${s}`).join(' or ')}?` : ''
    return privateReply(text(`Unknown command /${words.slice(0, 2).join(' ')}.${hint} Try /xen help.`, 'error'))
  }

  #failure(error: unknown, log: Log, requestId: string): Reply {
    if (isUserError(error)) {
      log.info({ code: error.code, source: error.source }, error.message)
      return privateReply(text(error.message, 'error'))
    }
    log.error({ err: error }, 'command failed')
    return privateReply(
      text(`Something went wrong on our side (request id ${requestId}); the error is logged.`, 'error'),
    )
  }
}
