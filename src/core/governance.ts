/**
 * What happens to a mutating command once it is planned and allowed (issue #6): it is audited first
 * (no audit, no action), then either waits for an approval (when policy requires one), or for the
 * requester's confirm button, or runs at once — always as a durable job with a live card.
 * Approval votes come back here through `/press <id>:approve|deny|cancel` or a platform button.
 */
import { randomBytes } from 'node:crypto'
import type { Log } from '../log.js'
import { redactSecretText } from '../redact-secrets.js'
import { type ApprovalsConfig, approvalRuleFor } from './approval-policy.js'
import { type ApprovalService, approvalCard, parseVoteToken } from './approvals.js'
import type { Actor, AnyCommand, CommandContext, Plan } from './command.js'
import { digestOf } from './confirmations.js'
import { auditUnavailable, isUserError, UserError } from './errors.js'
import type { ExpectedChanges } from './expected-changes.js'
import type { JobRunner } from './jobs.js'
import { channelReply, privateReply, type Reply, text } from './reply.js'
import type { StatusSink } from './status-coalescer.js'
import type { ApprovalRecord, AuditLog, InteractionStore } from './store-ports.js'

export interface GovernanceOptions {
  readonly approvals: ApprovalService
  readonly jobs: JobRunner
  readonly audit: AuditLog
  readonly rules: ApprovalsConfig
  /** Platform interaction ids already handled, so a redelivered event runs nothing twice. */
  readonly interactions?: InteractionStore | undefined
  readonly now?: (() => number) | undefined
  /** Issue #11: a job's target VM is marked while it runs, so what the job does to it raises no alert. */
  readonly expected?: ExpectedChanges | undefined
}

export interface PlannedCommand {
  readonly command: AnyCommand
  readonly args: Record<string, unknown>
  readonly plan: Plan
  readonly ctx: CommandContext
  readonly status: StatusSink
}

/** Plans a stored request again as `actor` (its requester), with the requester's rights re-checked. */
export type Replanner = (
  actor: Actor,
  path: string,
  args: Readonly<Record<string, unknown>>,
  status: StatusSink,
) => Promise<PlannedCommand>

export class Governance {
  readonly #options: GovernanceOptions
  readonly #cards = new Map<string, StatusSink>()

  constructor(options: GovernanceOptions) {
    this.#options = options
  }

  /** Audits a request; a mutating request whose audit fails does not run. */
  async auditRequest(actor: Actor, requestId: string, text: string, mutating: boolean, log: Log): Promise<void> {
    try {
      // A read's entry skips the disk sync: nothing acts on it, and reads are most of the traffic.
      await this.#appendBy(actor, requestId, 'request', { text }, mutating)
    } catch (error) {
      log.error({ err: error }, 'audit write failed')
      if (mutating) throw auditUnavailable(error)
    }
  }

  /**
   * Audits an access decision. It is written before any action (and, for a vote or a confirm, before
   * the vote or the run), so a failed write stops what follows, in the same words as auditRequest.
   */
  async auditAccess(actor: Actor, requestId: string, path: string, allowed: boolean, reason: string): Promise<void> {
    try {
      await this.#appendBy(actor, requestId, 'access', { command: path, allowed, reason })
    } catch (error) {
      throw auditUnavailable(error)
    }
  }

  #appendBy(
    actor: Actor,
    requestId: string,
    kind: 'request' | 'access',
    data: Record<string, unknown>,
    durable = true,
  ): Promise<unknown> {
    return this.#options.audit.append(
      {
        kind,
        requestId,
        platform: actor.platform,
        userId: actor.id,
        userName: actor.name,
        data,
      },
      { durable },
    )
  }

  needsApproval(path: string): boolean {
    return approvalRuleFor(this.#options.rules, path) !== undefined
  }

  /** Puts a planned mutating command up for approval: the card goes to the channel. */
  async requestApproval(planned: PlannedCommand): Promise<Reply> {
    const rule = approvalRuleFor(this.#options.rules, planned.command.path)
    if (!rule) throw new Error(`no approval rule for ${planned.command.path}`)
    // A waiting request keeps its arguments as given (it is planned again from them when approved), so
    // one holding a token or a key would put it in the database: refused, and the asker told to rotate it.
    if (JSON.stringify(redactSecretText(planned.args)) !== JSON.stringify(planned.args)) {
      throw new UserError(
        'approval.secret_args',
        'an argument looks like a secret (a token, password or key), so this was not put up for approval: never paste secrets in chat, and rotate that one now',
      )
    }
    await this.#sweep()
    const record = await this.#options.approvals.request({
      actor: planned.ctx.actor,
      requestId: planned.ctx.requestId,
      path: planned.command.path,
      args: planned.args,
      planDigest: digestOf(planned.plan),
      planSummary: planned.plan.summary ?? `/${planned.command.path}`,
      rule,
    })
    this.#cards.set(record.id, planned.status)
    return channelReply(...approvalCard(record))
  }

  /** Runs a planned command as a durable job; returns the command's own reply. */
  async runAsJob(planned: PlannedCommand, approvalId?: string, jobId?: string): Promise<Reply> {
    let reply: Reply | undefined
    let failure: unknown
    const job = await this.#options.jobs.run({
      path: planned.command.path,
      summary: planned.plan.summary ?? `/${planned.command.path}`,
      actor: planned.ctx.actor,
      requestId: planned.ctx.requestId,
      approvalId,
      id: jobId,
      steps: planned.command.steps?.(planned.plan) ?? [],
      status: planned.status,
      work: async (job) => {
        const run = () =>
          planned.command.run({ ...planned.ctx, step: job.step, jobId: job.id }, planned.args, planned.plan)
        try {
          reply = await this.#expecting(planned, run)
        } catch (error) {
          failure = error
          throw error
        }
        return firstText(reply)
      },
    })
    // The job runner keeps a user error on the job (its card says why); the asker is told too, in the
    // same words, never a bare "done" — with the buttons the command offered (a clean-up), if any.
    if (job.state === 'failed') {
      const offered = isUserError(failure) ? failure.details?.actions : undefined
      throw new UserError('job.failed', job.error ?? `/${planned.command.path} failed`, {
        details: Array.isArray(offered) ? { actions: offered } : undefined,
      })
    }
    return reply ?? channelReply(text('done'))
  }

  /** Runs `fn` with the job's target VM marked as changed on purpose (issue #11), when there is one. */
  async #expecting<T>(planned: PlannedCommand, fn: () => Promise<T>): Promise<T> {
    const target = planned.plan.target
    const by = `/${planned.command.path} by ${planned.ctx.actor.name}`
    const done = target?.vm ? this.#options.expected?.expect({ pool: target.pool, vm: target.vm.name, by }) : undefined
    try {
      return await fn()
    } finally {
      done?.()
    }
  }

  /** Handles `<id>:approve|deny|cancel`; undefined when the token is not an approval vote. */
  async vote(token: string, voter: Actor, status: StatusSink, replan: Replanner): Promise<Reply | undefined> {
    const parsed = parseVoteToken(token)
    if (!parsed) return undefined
    await this.#sweep()
    const record = await this.#options.approvals.get(parsed.id)
    if (!record) throw new UserError('approval.unknown', `there is no request ${parsed.id}`)
    if (record.state !== 'pending')
      return privateReply(...approvalCard(record), text(`This request is already ${record.state}.`, 'warning'))
    const rule = approvalRuleFor(this.#options.rules, record.path)
    if (!rule) throw new UserError('approval.no_rule', `/${record.path} no longer needs approval; run it again`)
    // The request is planned again as its requester (whose rights are re-checked); the voter's approve
    // permission is checked against that target, and the digest proves it is still the approved plan.
    let planned: PlannedCommand | undefined
    try {
      planned = await replan(requesterOf(record), record.path, record.args, status)
    } catch (error) {
      // A request whose target vanished (or whose requester lost the right) can still be denied or
      // cancelled — against the voter's coarse rights — but never approved.
      if (parsed.kind === 'approve') throw error
    }
    if (parsed.kind === 'approve' && planned && digestOf(planned.plan) !== record.planDigest) {
      // Checked before the vote is recorded, so the request is not marked approved for a plan that
      // can no longer run.
      return privateReply(
        text(
          'The target changed since this was requested (a container was recreated?); it cannot be approved. Ask again.',
          'warning',
        ),
      )
    }
    const outcome = await this.#options.approvals.vote(record, parsed.kind, voter, planned?.plan.target, rule)
    switch (outcome.kind) {
      case 'unknown':
        throw new UserError('approval.unknown', `there is no request ${parsed.id}`)
      case 'closed':
        return privateReply(
          ...approvalCard(outcome.record),
          text(`This request is already ${outcome.record.state}.`, 'warning'),
        )
      case 'duplicate':
        return privateReply(text('You already approved this request; it needs another approver.', 'warning'))
    }
    const updated = outcome.record
    await this.#cards
      .get(updated.id)?.(approvalCardAsStatus(updated))
      .catch(() => undefined)
    if (updated.state !== 'approved') return channelReply(...approvalCard(updated))
    // Approved: run once, as the requester, only if the plan is still the one that was approved.
    if (!planned || digestOf(planned.plan) !== updated.planDigest) {
      return channelReply(
        ...approvalCard(updated),
        text(
          'The target changed since this was requested (a container was recreated?), so it did not run; ask again.',
          'warning',
        ),
      )
    }
    const jobId = newJobId()
    if (!(await this.#options.approvals.claimForJob(updated.id, jobId))) {
      return privateReply(text('This request already ran.', 'warning'))
    }
    const reply = await this.runAsJob(planned, updated.id, jobId)
    return channelReply(...approvalCard(updated), ...reply.blocks)
  }

  /**
   * Claims a platform interaction id; false when it was handled before (Slack retries, a Discord
   * redelivery, the same event handed to two replicas), in which case the caller must do nothing.
   */
  async claimInteraction(interactionId: string | undefined): Promise<boolean> {
    if (!interactionId || !this.#options.interactions) return true
    return this.#options.interactions.claim(interactionId, (this.#options.now ?? Date.now)())
  }

  /** Expires overdue requests on a timer too, so their cards change even when nobody is typing. */
  startExpirySweep(intervalMs = 30_000): () => void {
    // A sweep that fails (the database away for a moment) is tried again at the next tick.
    const timer = setInterval(() => void this.#sweep().catch(() => undefined), intervalMs)
    timer.unref()
    return () => clearInterval(timer)
  }

  /** Expires overdue requests and updates the cards still known to this process. */
  async #sweep(): Promise<void> {
    for (const record of await this.#options.approvals.expireOverdue()) {
      void this.#cards
        .get(record.id)?.(approvalCardAsStatus(record))
        .catch(() => undefined)
      this.#cards.delete(record.id)
    }
  }
}

/**
 * The requester as they asked: with the groups they held then (stored with the request), so rights
 * granted through a Discord role or a Slack user group are re-checked as they were granted. A group
 * removed after asking still counts until the request is decided or expires.
 */
function requesterOf(record: Pick<ApprovalRecord, 'requesterKey' | 'requesterName' | 'requesterGroups'>): Actor {
  const colon = record.requesterKey.indexOf(':')
  return {
    platform: record.requesterKey.slice(0, colon),
    id: record.requesterKey.slice(colon + 1),
    name: record.requesterName,
    groups: record.requesterGroups ?? [],
  }
}

function firstText(reply: Reply): string {
  const block = reply.blocks.find((b) => b.kind === 'text')
  return block?.kind === 'text' ? block.text : 'done'
}

const newJobId = () => randomBytes(4).toString('hex')

/** An approval card rendered as a status card, for cards the adapter edits in place. */
function approvalCardAsStatus(record: ApprovalRecord) {
  const state = record.state === 'pending' ? 'running' : record.state === 'approved' ? 'succeeded' : 'cancelled'
  return {
    title: `Approval ${record.id}: ${record.planSummary}`,
    state,
    steps: [
      {
        label: `approvals ${record.approvals.length} of ${record.quorum}`,
        state: record.state === 'approved' ? 'done' : 'pending',
      },
    ],
    detail:
      record.state === 'pending' ? undefined : `${record.state}${record.decidedBy ? ` by ${record.decidedBy}` : ''}`,
  } as const
}
