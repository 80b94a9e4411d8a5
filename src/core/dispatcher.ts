/**
 * The flow of one command (DESIGN.md): find → validate → access → plan → access on the real target →
 * confirm when destructive → run → reply. UserErrors become private replies as they are; anything
 * else is a bug, logged once with a request id that the reply quotes, so a user can report it.
 */
import { randomUUID } from 'node:crypto'
import type { Log } from '../log.js'
import { redactSecretText } from '../redact-secrets.js'
import { type Actor, ANYONE, type AnyCommand, type CommandContext, type Target } from './command.js'
import { CommandButtons } from './command-buttons.js'
import { buildContext } from './command-context.js'
import { checkArgs, checkLength, collectArgs, findCommand } from './command-lookup.js'
import { ConfirmationStore, confirmationReply, digestOf } from './confirmations.js'
import { failureReply, observeCommand, outcomeOf } from './dispatch-observe.js'
import type { DispatcherOptions, Invocation } from './dispatcher-options.js'
import { UserError } from './errors.js'
import {
  argsFromValues,
  formReply,
  inputProblem,
  lengthProblems,
  problemsByInput,
  reissue,
  stashSecrets,
  submissionText,
} from './form-flow.js'
import type { PlannedCommand } from './governance.js'
import { tokenize } from './grammar.js'
import { helpReply, unknownCommandReply } from './help.js'
import { PendingForms } from './pending-forms.js'
import { handlePress, pressContext } from './press-handler.js'
import { redactingStatus } from './redacting-status.js'
import { privateReply, type Reply, type SubmitOutcome, text } from './reply.js'
import { SecretStash } from './secret-stash.js'
import type { StatusSink } from './status-coalescer.js'

export type { CommandOutcome, DispatchObserver } from './dispatch-observe.js'
export type { DispatcherOptions, Invocation } from './dispatcher-options.js'

/** The answer to a redelivered platform event: nothing ran again. */
const ALREADY_HANDLED: Reply = { ...privateReply(text('This was already handled.', 'warning')), duplicate: true }

type Submission = Omit<Invocation, 'text'> & {
  readonly token: string
  readonly values: Readonly<Record<string, string>>
}
type Press = Omit<Invocation, 'text'> & { readonly token: string }

const actorKey = (actor: Actor) => `${actor.platform}:${actor.id}`

export class Dispatcher {
  readonly #options: DispatcherOptions
  readonly #confirmations: ConfirmationStore
  readonly #ttlMs: number
  readonly #forms: PendingForms
  readonly #secrets: SecretStash
  readonly #buttons: CommandButtons

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
    const formTtl = options.formTtlMs ?? 30 * 60_000
    this.#forms = new PendingForms(formTtl, options.now)
    this.#secrets = new SecretStash(formTtl, options.now)
    this.#buttons = new CommandButtons(options.buttonTtlMs ?? 24 * 60 * 60_000, options.now)
  }

  /** Commands `actor` may run at all (help shows only these). */
  visibleCommands(actor: Actor): AnyCommand[] {
    return this.#options.commands.filter(
      (c) => c.permission === ANYONE || this.#options.access.allows(actor, c.permission),
    )
  }

  /**
   * Runs a typed command. Every answer, and every live card it sends, leaves through redactSecretText: a
   * pasted token is not echoed back.
   */
  async handle(invocation: Invocation): Promise<Reply> {
    return redactSecretText(await this.#handle(redactingStatus(invocation)))
  }

  /** A form submitted (see #submit). */
  async submit(invocation: Submission): Promise<SubmitOutcome> {
    return redactSecretText(await this.#submit(redactingStatus(invocation)))
  }

  /** A button pressed (see #press). */
  async press(invocation: Press): Promise<Reply> {
    return redactSecretText(await this.#press(redactingStatus(invocation)))
  }

  async #handle(invocation: Invocation): Promise<Reply> {
    const requestId = randomUUID().slice(0, 8)
    const log = this.#options.log.child({ requestId, user: invocation.actor.name, platform: invocation.actor.platform })
    const seen = observeCommand(this.#options.observer, 'redelivered')
    try {
      if ((await this.#options.governance?.claimInteraction(invocation.interactionId)) === false) return ALREADY_HANDLED
      checkLength(invocation.text)
      const words = tokenize(invocation.text.trim().replace(/^\//, ''))
      const found = findCommand(this.#options.commands, words)
      if (!found) {
        seen.command = 'unknown'
        seen.outcome = 'user_error'
        return unknownCommandReply(this.visibleCommands(invocation.actor), words)
      }
      seen.command = found === 'help' ? 'help' : found.command.path
      if (found === 'help') return helpReply(this.visibleCommands(invocation.actor), words[0])
      const { command, rest } = found
      const governance = this.#options.governance
      const ctx = this.#context(invocation, requestId, log)
      const input = collectArgs(command, rest)
      const spec = command.form && (await this.#formSpec(command, ctx, input))
      if (spec && !command.args.safeParse(input).success) {
        const token = this.#forms.create({
          actorKey: actorKey(invocation.actor),
          actorName: invocation.actor.name,
          path: command.path,
          given: input,
          spec,
        })
        return formReply({ token, ...spec }, this.#forms.ttlMs)
      }
      await governance?.auditRequest(invocation.actor, requestId, invocation.text, command.mutating, log)
      return await this.#proceed(command, checkArgs(command, input), ctx)
    } catch (error) {
      seen.outcome = outcomeOf(error)
      return failureReply(error, log, requestId)
    } finally {
      seen.done(log)
    }
  }

  /**
   * A form submitted: the values are checked against the command's schema (problems go back by input,
   * with the form to reopen), then the command goes the way a typed one does — access, plan, approval
   * or confirmation, job. Only the token's server-side record says which command and whose form it is.
   */
  async #submit(invocation: Submission): Promise<SubmitOutcome> {
    const requestId = randomUUID().slice(0, 8)
    const log = this.#options.log.child({ requestId, user: invocation.actor.name, platform: invocation.actor.platform })
    const seen = observeCommand(this.#options.observer, 'redelivered')
    const answer = (reply: Reply): SubmitOutcome => ({ kind: 'reply', reply })
    try {
      if ((await this.#options.governance?.claimInteraction(invocation.interactionId)) === false)
        return answer(ALREADY_HANDLED)
      seen.command = 'submit'
      const token = invocation.token.trim()
      const form = this.#forms.get(token)
      if (!form)
        throw new UserError('form.expired', 'that form has expired or was already submitted; run the command again')
      if (form.actorKey !== actorKey(invocation.actor)) {
        throw new UserError('form.not_yours', `only ${form.actorName} can submit this form`)
      }
      const command = this.#options.commands.find((c) => c.path === form.path)
      if (!command) throw new Error(`pending form for unknown command ${form.path}`)
      seen.command = command.path
      const tooLong = lengthProblems(form.spec, invocation.values)
      if (tooLong) {
        seen.outcome = 'user_error'
        return { kind: 'invalid', errors: tooLong, form: reissue(token, form.spec, invocation.values) }
      }
      const parsed = command.args.safeParse({ ...form.given, ...argsFromValues(form.spec, invocation.values) })
      if (!parsed.success) {
        seen.outcome = 'user_error'
        return {
          kind: 'invalid',
          errors: problemsByInput(parsed.error, form.spec),
          form: reissue(token, form.spec, invocation.values),
        }
      }
      const ctx = this.#context({ ...invocation, text: '' }, requestId, log)
      const text = submissionText(command, form.spec, invocation.values)
      await this.#options.governance?.auditRequest(invocation.actor, requestId, text, command.mutating, log)
      try {
        const reply = await this.#proceed(command, stashSecrets(form.spec, parsed.data, this.#secrets), ctx)
        this.#forms.delete(token)
        return answer(reply)
      } catch (error) {
        const problems = inputProblem(error, form.spec)
        if (!problems) throw error
        seen.outcome = 'user_error'
        return { kind: 'invalid', errors: problems, form: reissue(token, form.spec, invocation.values) }
      }
    } catch (error) {
      seen.outcome = outcomeOf(error)
      return answer(failureReply(error, log, requestId))
    } finally {
      seen.done(log)
    }
  }

  /**
   * The form of a form command, for someone allowed to run it. A value for a secret input typed on the
   * command line is refused before anything records the line: the line is audited and logged, so a
   * one-time password can only come through the form (as a handle, see SecretStash).
   */
  async #formSpec(command: AnyCommand, ctx: CommandContext, input: Readonly<Record<string, unknown>>) {
    await this.#require(ctx.actor, command, undefined, ctx.requestId)
    const spec = await command.form?.(ctx, input)
    const typed = spec?.inputs.filter((i) => i.kind === 'text' && i.secret && input[i.id] !== undefined) ?? []
    if (typed.length > 0) {
      throw new UserError(
        'form.secret_typed',
        `${typed.map((i) => i.label).join(', ')} can only be given in the form, never on the command line (the line is logged and audited); run /${command.path} without it`,
      )
    }
    return spec
  }

  /** Access → plan → access on the real target → approval, confirmation or straight to the job. */
  async #proceed(command: AnyCommand, args: Record<string, unknown>, ctx: CommandContext): Promise<Reply> {
    const { actor, requestId, log } = ctx
    const governance = this.#options.governance
    await this.#require(actor, command, undefined, requestId)
    const plan = await command.plan(ctx, args)
    await this.#require(actor, command, plan.target, requestId)
    if (!command.mutating) return await command.run(ctx, args, plan)
    log.info({ command: command.path, args, target: plan.target }, 'mutating command planned')
    const planned: PlannedCommand = { command, args, plan, ctx, status: ctx.status }
    if (governance?.needsApproval(command.path)) return await governance.requestApproval(planned)
    if (command.confirm) {
      const entry = { actorKey: actorKey(actor), actorName: actor.name, path: command.path, args }
      return confirmationReply(this.#confirmations, entry, plan, this.#ttlMs)
    }
    return governance ? await governance.runAsJob(planned) : await command.run(ctx, args, plan)
  }

  /** A button press (`/press <token>` in the terminal): confirm or cancel a pending command. */
  async #press(invocation: Press): Promise<Reply> {
    const requestId = randomUUID().slice(0, 8)
    const log = this.#options.log.child({ requestId, user: invocation.actor.name, platform: invocation.actor.platform })
    const seen = observeCommand(this.#options.observer, 'redelivered')
    try {
      if ((await this.#options.governance?.claimInteraction(invocation.interactionId)) === false) return ALREADY_HANDLED
      seen.command = 'press'
      const status = invocation.status ?? (async () => undefined)
      const voted = await this.#options.governance?.vote(
        invocation.token,
        invocation.actor,
        status,
        (actor, path, args, sink) => this.#replan(actor, path, args, sink, requestId, log),
      )
      if (voted) return voted
      // Command buttons (a docker ps under a new VM) and alert buttons (issue #11): their commands run
      // through handle(), so access and approvals apply.
      const { actor } = invocation
      const run = (line: string) => this.handle({ actor, text: line, status })
      const { access, governance: audit } = this.#options
      const pressed = handlePress(
        [this.#buttons, ...(this.#options.presses ?? [])],
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
      return failureReply(error, log, requestId)
    } finally {
      seen.done(log)
    }
  }

  /** Deny by default; only a command open to ANYONE (help) skips the policy. Decisions are audited. */
  async #require(actor: Actor, command: AnyCommand, target?: Target, requestId = ''): Promise<void> {
    if (command.permission === ANYONE) return
    const governance = this.#options.governance
    try {
      this.#options.access.require(actor, command.permission, target)
    } catch (error) {
      await governance?.auditAccess(actor, requestId, command.path, false, `${command.permission} missing`)
      throw error
    }
    if (target && command.mutating)
      await governance?.auditAccess(actor, requestId, command.path, true, command.permission)
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
    await this.#require(actor, command, undefined, requestId)
    const plan = await command.plan(ctx, args)
    await this.#require(actor, command, plan.target, requestId)
    return { command, args, plan, ctx, status }
  }

  #context(invocation: Invocation, requestId: string, log: Log): CommandContext {
    return buildContext({
      options: this.#options,
      actor: invocation.actor,
      status: invocation.status,
      requestId,
      log,
      secrets: this.#secrets,
      buttons: this.#buttons,
      visibleCommands: () => this.visibleCommands(invocation.actor),
      actorKey: actorKey(invocation.actor),
    })
  }
}
