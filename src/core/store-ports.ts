/**
 * The durable state the core needs, as ports (style rule 4): implemented by src/store with SQLite (the
 * embedded default) and with PostgreSQL (several replicas sharing one database, issue #15). Every method
 * is asynchronous because the shared engine is across a socket; SQLite answers at once. Every method that
 * decides something (claim an approval decision, record an interaction) is atomic in the implementation:
 * a transaction, or a single conditional statement, so concurrent callers — in this process or in
 * another replica — get exactly one winner.
 */

export type ApprovalState = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled'

export interface ApprovalRecord {
  /** Short opaque id, carried by buttons: `a7k2m9`. */
  readonly id: string
  readonly state: ApprovalState
  /** The command path (`docker restart`) and its validated arguments, to re-plan at run time. */
  readonly path: string
  readonly args: Readonly<Record<string, unknown>>
  /** SHA-256 over the canonical plan: any change in targets or parameters means a new approval. */
  readonly planDigest: string
  readonly planSummary: string
  /** Who asked: `platform:id`, and the display name. */
  readonly requesterKey: string
  readonly requesterName: string
  /**
   * The platform groups (Discord roles, Slack user groups) the requester held when asking: the request
   * is planned again as the requester when approved, and rights granted through a group need them.
   */
  readonly requesterGroups?: readonly string[] | undefined
  readonly quorum: number
  /** Approvals given so far (actor keys), in order. */
  readonly approvals: readonly { readonly actorKey: string; readonly actorName: string; readonly at: number }[]
  /** Display name of who denied or cancelled, when it ended that way (for the card and the audit).*/
  readonly decidedBy?: string | undefined
  readonly createdAt: number
  readonly expiresAt: number
  /** The job that ran the approved action, once started. */
  readonly jobId?: string | undefined
}

export type ApprovalVote =
  | { readonly kind: 'approve'; readonly actorKey: string; readonly actorName: string; readonly at: number }
  | { readonly kind: 'deny' | 'cancel'; readonly actorKey: string; readonly actorName: string; readonly at: number }

export type VoteOutcome =
  /** The vote was recorded; the approval is now in `record.state` (approved once quorum is reached). */
  | { readonly kind: 'recorded'; readonly record: ApprovalRecord; readonly reachedQuorum: boolean }
  /** The approval was no longer pending (decided, expired, cancelled): nothing changed. */
  | { readonly kind: 'closed'; readonly record: ApprovalRecord }
  /** This actor already approved: nothing changed (a double click). */
  | { readonly kind: 'duplicate'; readonly record: ApprovalRecord }
  | { readonly kind: 'unknown' }

export interface ApprovalStore {
  create(record: Omit<ApprovalRecord, 'state' | 'approvals' | 'decidedBy' | 'jobId'>): Promise<ApprovalRecord>
  get(id: string): Promise<ApprovalRecord | undefined>
  /**
   * Applies one vote atomically. Expired approvals (expiresAt <= vote.at) turn `expired` and answer
   * `closed`. Approve adds the voter unless already present; reaching quorum sets `approved`. Deny sets
   * `denied`, cancel sets `cancelled`. Only a pending approval changes. The quorum that applies is the
   * larger of `quorum` and the record's own, so a vote can never lower the bar the request was made with.
   */
  vote(id: string, vote: ApprovalVote, quorum: number): Promise<VoteOutcome>
  /**
   * Links the job started for an approved request; false if a job was already linked (run once), or
   * the approval is unknown or not `approved`. The job row may be written after this claim.
   */
  claimForJob(id: string, jobId: string): Promise<boolean>
  /** Pending approvals, for `/xen approvals`. */
  pending(now: number): Promise<ApprovalRecord[]>
  /** Marks pending approvals whose time is up as expired; returns them (to update their cards). */
  expire(now: number): Promise<ApprovalRecord[]>
}

export type JobState = 'running' | 'succeeded' | 'failed' | 'interrupted'

/**
 * Where a live card is shown (a Slack message's channel and ts, a Discord channel and message id), kept
 * with its job so that whichever replica closes the job — the one running it, or the leader marking it
 * interrupted after that replica died — can edit the same message (issue #15).
 */
export interface CardRef {
  readonly platform: string
  readonly channel: string
  readonly messageId: string
}

export interface JobStep {
  readonly label: string
  readonly state: 'pending' | 'running' | 'done' | 'failed' | 'skipped'
  readonly detail?: string | undefined
}

export interface JobRecord {
  readonly id: string
  readonly state: JobState
  readonly path: string
  readonly summary: string
  readonly requesterKey: string
  readonly requesterName: string
  readonly approvalId?: string | undefined
  /**
   * The replica running the job (issue #15): with several replicas sharing one database, only jobs of a
   * replica that is gone may be marked interrupted. Absent for jobs of a single-process bot.
   */
  readonly owner?: string | undefined
  /** The message showing the job's card, once the chat adapter has posted it. */
  readonly card?: CardRef | undefined
  readonly steps: readonly JobStep[]
  readonly result?: string | undefined
  readonly error?: string | undefined
  readonly createdAt: number
  readonly updatedAt: number
}

export interface JobStore {
  create(record: Omit<JobRecord, 'updatedAt'>): Promise<JobRecord>
  update(
    id: string,
    patch: Partial<Pick<JobRecord, 'state' | 'steps' | 'result' | 'error' | 'card'>>,
    at: number,
  ): Promise<JobRecord>
  get(id: string): Promise<JobRecord | undefined>
  recent(requesterKey: string, limit: number): Promise<JobRecord[]>
  /**
   * Every job still `running` becomes `interrupted`, except those owned by a replica in `alive`; returns
   * them (their cards are updated). A single bot calls it at start-up with nothing alive; with several
   * replicas the leader calls it with the replicas still heartbeating.
   */
  interruptRunning(at: number, alive?: readonly string[]): Promise<JobRecord[]>
}

export interface InteractionStore {
  /**
   * Records a platform interaction id (a Slack action's trigger, a Discord interaction id) the first
   * time it is seen; returns false when it was seen before, so a redelivered event runs nothing.
   */
  claim(interactionId: string, at: number): Promise<boolean>
}

/** One audit entry as the caller gives it; the log adds sequence, time and the hash chain. */
export interface AuditEvent {
  readonly kind:
    | 'request'
    | 'access'
    | 'approval.created'
    | 'approval.vote'
    | 'approval.outcome'
    | 'job.started'
    | 'job.step'
    | 'job.finished'
    | 'xapi.task'
  readonly requestId?: string | undefined
  readonly platform?: string | undefined
  readonly userId?: string | undefined
  readonly userName?: string | undefined
  readonly channel?: string | undefined
  /** Everything else that matters for this kind (raw command, decision, step, task ref, result). */
  readonly data: Readonly<Record<string, unknown>>
}

export interface AuditEntry extends AuditEvent {
  readonly seq: number
  readonly at: number
  readonly prevHash: string
  readonly hash: string
}

export type AuditVerdict =
  | { readonly ok: true; readonly entries: number }
  | {
      readonly ok: false
      /**
       * The first entry whose chain breaks, as stored. For 'deleted': the first entry after the gap (the
       * message names the missing seqs), or for a removed tail the first missing seq.
       */
      readonly seq: number
      readonly problem: 'altered' | 'deleted' | 'reordered'
      readonly message: string
    }

export interface AuditAppendOptions {
  /**
   * Whether the entry must be on disk before append returns (default true). Only entries no action
   * depends on — a read-only request — may skip the sync; they are still chained and become durable
   * with the next synced write.
   */
  readonly durable?: boolean | undefined
}

export interface AuditLog {
  /**
   * Appends durably; throws if it cannot, and then the caller must not perform the action. Callers pass
   * no secret values in `data`; keys named like secrets (password, token, secret, privateKey, …) are
   * redacted at the sink anyway, before hashing.
   */
  append(event: AuditEvent, options?: AuditAppendOptions): Promise<AuditEntry>
  verify(): Promise<AuditVerdict>
  /** Every entry in seq order, read in pages (a caller may append while iterating). */
  entries(): AsyncIterable<AuditEntry>
}
