/**
 * Approvals: a second person says yes before what can hurt runs. The request binds a digest of the
 * exact plan; the card carries only the approval's short id; votes go through the store atomically,
 * so a double click counts once and an approve racing a deny ends in exactly one outcome. The
 * requester cannot approve their own request unless the rule allows it, and an approver needs the
 * `approve` permission on the request's own target.
 */
import { randomBytes } from 'node:crypto'
import { redactSecretText } from '../redact-secrets.js'
import type { AccessPolicy } from './access.js'
import type { ApprovalRule } from './approval-policy.js'
import type { Actor, Target } from './command.js'
import { UserError } from './errors.js'
import { actions, type Block, context, fields, text } from './reply.js'
import type { ApprovalRecord, ApprovalStore, AuditLog, VoteOutcome } from './store-ports.js'

export type VoteKind = 'approve' | 'deny' | 'cancel'
export const actorKey = (actor: Actor) => `${actor.platform}:${actor.id}`

/** Lower-case letters and digits without look-alikes, easy to type in the terminal chat. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const newId = () => [...randomBytes(6)].map((b) => ALPHABET[b % ALPHABET.length]).join('')

export function voteToken(id: string, kind: VoteKind): string {
  return `${id}:${kind}`
}

export function parseVoteToken(token: string): { id: string; kind: VoteKind } | undefined {
  const match = /^([a-z0-9]{6}):(approve|deny|cancel)$/.exec(token.trim())
  return match ? { id: match[1] as string, kind: match[2] as VoteKind } : undefined
}

export class ApprovalService {
  readonly #store: ApprovalStore
  readonly #audit: AuditLog
  readonly #access: AccessPolicy
  readonly #now: () => number

  constructor(options: { store: ApprovalStore; audit: AuditLog; access: AccessPolicy; now?: () => number }) {
    this.#store = options.store
    this.#audit = options.audit
    this.#access = options.access
    this.#now = options.now ?? Date.now
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.#store.get(id)
  }

  pending(): Promise<ApprovalRecord[]> {
    return this.#store.pending(this.#now())
  }

  /** Marks overdue requests expired and returns them, so their cards can say so. */
  async expireOverdue(): Promise<ApprovalRecord[]> {
    const expired = await this.#store.expire(this.#now())
    for (const record of expired)
      await this.#audit.append({ kind: 'approval.outcome', data: { approvalId: record.id, state: 'expired' } })
    return expired
  }

  async request(input: {
    actor: Actor
    requestId: string
    path: string
    args: Record<string, unknown>
    planDigest: string
    planSummary: string
    rule: ApprovalRule
  }): Promise<ApprovalRecord> {
    const now = this.#now()
    const record = await this.#store.create({
      id: newId(),
      path: input.path,
      args: input.args,
      planDigest: input.planDigest,
      // The summary is display text (redacted like the audit's copy); the args stay as they are, since
      // the request is planned again from them (form secrets are handles, never values).
      planSummary: redactSecretText(input.planSummary),
      requesterKey: actorKey(input.actor),
      requesterName: input.actor.name,
      requesterGroups: input.actor.groups ?? [],
      quorum: input.rule.quorum,
      createdAt: now,
      expiresAt: now + input.rule.ttlMinutes * 60_000,
    })
    await this.#audit.append({
      kind: 'approval.created',
      requestId: input.requestId,
      platform: input.actor.platform,
      userId: input.actor.id,
      userName: input.actor.name,
      data: {
        approvalId: record.id,
        path: input.path,
        args: input.args,
        planDigest: input.planDigest,
        quorum: record.quorum,
      },
    })
    return record
  }

  /**
   * One vote, with its rules checked first: only the requester cancels; the requester does not approve
   * (unless the rule says so); approvers need `approve` on the target, through an approver role when the
   * rule names some. The store applies the vote atomically.
   */
  async vote(
    record: ApprovalRecord,
    kind: VoteKind,
    voter: Actor,
    target: Target | undefined,
    rule: ApprovalRule,
  ): Promise<VoteOutcome> {
    const self = actorKey(voter) === record.requesterKey
    // Fix (issue #6 tests): a refused vote is a decision like an access denial, so it is audited too;
    // before, a self-approval or an approver without scope left no trace in the audit log.
    const refuse = async (error: UserError): Promise<never> => {
      await this.#audit.append({
        kind: 'approval.vote',
        platform: voter.platform,
        userId: voter.id,
        userName: voter.name,
        data: { approvalId: record.id, vote: kind, outcome: 'refused', reason: error.code },
      })
      throw error
    }
    if (kind === 'cancel') {
      if (!self)
        await refuse(new UserError('approval.not_requester', `only ${record.requesterName} can cancel this request`))
    } else {
      if (self && kind === 'approve' && !rule.selfApproval) {
        await refuse(new UserError('approval.self', 'you cannot approve your own request; another approver must'))
      }
      const allowed = rule.approverRoles
        ? this.#access.allowsThroughRoles(voter, 'approve', target, rule.approverRoles)
        : this.#access.allows(voter, 'approve', target)
      if (!allowed) {
        const where = target?.vm ? ` on ${target.vm.name}` : target ? ` on pool ${target.pool}` : ''
        const through = rule.approverRoles ? ` through one of the roles ${rule.approverRoles.join(', ')}` : ''
        await refuse(
          new UserError('access.denied', `you need the approve permission${where}${through} to ${kind} this request`),
        )
      }
    }
    const outcome = await this.#store.vote(
      record.id,
      { kind, actorKey: actorKey(voter), actorName: voter.name, at: this.#now() },
      record.quorum,
    )
    await this.#audit.append({
      kind: 'approval.vote',
      platform: voter.platform,
      userId: voter.id,
      userName: voter.name,
      data: { approvalId: record.id, vote: kind, outcome: outcome.kind },
    })
    if (outcome.kind === 'recorded' && outcome.record.state !== 'pending') {
      await this.#audit.append({
        kind: 'approval.outcome',
        data: { approvalId: record.id, state: outcome.record.state, by: voter.name },
      })
    }
    return outcome
  }

  claimForJob(id: string, jobId: string): Promise<boolean> {
    return this.#store.claimForJob(id, jobId)
  }
}

const STATE_TEXT: Record<string, string> = {
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired: nobody approved in time',
  cancelled: 'Cancelled by the requester',
}

/** The approval card: the plan, who asked, and the buttons while it is pending. */
export function approvalCard(record: ApprovalRecord): Block[] {
  const votes = record.approvals.map((a) => a.actorName).join(', ') || 'none yet'
  const head =
    record.state === 'pending'
      ? text(`${record.requesterName} asks to ${record.planSummary}`, 'warning')
      : text(
          `${STATE_TEXT[record.state] ?? record.state}${record.decidedBy ? ` (${record.decidedBy})` : ''}: ${record.planSummary}`,
          record.state === 'approved' ? 'success' : 'warning',
        )
  const blocks: Block[] = [
    head,
    fields({
      'requested by': record.requesterName,
      approvals: `${record.approvals.length} of ${record.quorum} (${votes})`,
      expires: `${new Date(record.expiresAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`,
      request: record.id,
    }),
  ]
  if (record.state === 'pending') {
    blocks.push(
      actions(
        { token: voteToken(record.id, 'approve'), label: 'Approve', style: 'primary' },
        { token: voteToken(record.id, 'deny'), label: 'Deny', style: 'danger' },
        { token: voteToken(record.id, 'cancel'), label: 'Cancel' },
      ),
      context('An approver other than the requester must approve; the requester may cancel.'),
    )
  }
  return blocks
}
