/**
 * Durable jobs: every mutating command runs as a job with named steps, progress and a result, stored
 * as it goes, audited step by step, and shown as one live card. A job found running at start-up was
 * cut short by a restart: it becomes `interrupted`, and its card says which steps are known to have
 * finished — nothing more is claimed.
 */
import { randomBytes } from 'node:crypto'
import { redactSecretText } from '../redact-secrets.js'
import type { Actor } from './command.js'
import { auditUnavailable, isUserError, UserError } from './errors.js'
import type { StatusCard } from './reply.js'
import { coalesceStatus, type StatusSink } from './status-coalescer.js'
import type { AuditLog, JobRecord, JobStep, JobStore } from './store-ports.js'

export interface JobControl {
  readonly id: string
  /**
   * Runs one named step: audited first (no audit, no step), shown on the card, stored. `progress`
   * changes the step's detail while it runs (not audited: it is display only); the last one stays.
   */
  step<T>(label: string, fn: (progress: (detail: string) => void) => Promise<T>): Promise<T>
}

export interface JobRequest {
  readonly path: string
  readonly summary: string
  readonly actor: Actor
  readonly requestId: string
  readonly approvalId?: string | undefined
  /** A job id chosen by the caller (an approval claims it before the job starts). */
  readonly id?: string | undefined
  /** Steps known in advance, shown as pending from the start. */
  readonly steps: readonly string[]
  readonly status: StatusSink
  /** Returns the result line shown when the job succeeds. */
  work(job: JobControl): Promise<string>
}

/** Told when a job starts and ends (metrics and graceful shutdown, issue #12); must not throw. */
export interface JobObserver {
  jobStarted(): void
  /** `failed` also when the job could not even start (its start could not be audited) or stopped on a bug. */
  jobFinished(state: 'succeeded' | 'failed'): void
}

const actorKey = (actor: Actor) => `${actor.platform}:${actor.id}`

export function jobCard(job: JobRecord): StatusCard {
  const state = job.state === 'running' ? 'running' : job.state
  const detail =
    job.state === 'interrupted'
      ? 'the bot restarted while this job ran; steps not marked done may or may not have happened — check before retrying'
      : (job.error ?? job.result)
  return { title: `${job.summary} (job ${job.id})`, state, steps: job.steps, detail }
}

export class JobRunner {
  readonly #store: JobStore
  readonly #audit: AuditLog
  readonly #now: () => number
  readonly #editIntervalMs: number
  readonly #observer: JobObserver | undefined
  readonly #owner: string | undefined

  constructor(options: {
    store: JobStore
    audit: AuditLog
    now?: () => number
    editIntervalMs?: number
    observer?: JobObserver | undefined
    /** This replica's id, stored with each job it runs (issue #15); absent for a single bot. */
    owner?: string | undefined
  }) {
    this.#owner = options.owner
    this.#store = options.store
    this.#audit = options.audit
    this.#now = options.now ?? Date.now
    this.#editIntervalMs = options.editIntervalMs ?? 1_000
    this.#observer = options.observer
  }

  /**
   * Jobs a previous process left running are marked interrupted (all of them at a single bot's start;
   * with replicas, the leader spares those of replicas still alive); returns their final cards.
   */
  async interruptLeftovers(alive?: readonly string[]): Promise<JobRecord[]> {
    const jobs = await this.#store.interruptRunning(this.#now(), alive)
    for (const job of jobs) {
      await this.#audit.append({ kind: 'job.finished', data: { jobId: job.id, state: 'interrupted', path: job.path } })
    }
    return jobs
  }

  async run(request: JobRequest): Promise<JobRecord> {
    const observer = this.#observer
    if (!observer) return this.#run(request)
    observer.jobStarted()
    let state: 'succeeded' | 'failed' = 'failed'
    try {
      const job = await this.#run(request)
      if (job.state === 'succeeded') state = 'succeeded'
      return job
    } finally {
      observer.jobFinished(state)
    }
  }

  async #run(request: JobRequest): Promise<JobRecord> {
    const id = request.id ?? randomBytes(4).toString('hex')
    const status = coalesceStatus(request.status, this.#editIntervalMs, this.#now)
    const audit = (kind: 'job.started' | 'job.step' | 'job.finished', data: Record<string, unknown>) =>
      this.#audit.append({
        kind,
        requestId: request.requestId,
        platform: request.actor.platform,
        userId: request.actor.id,
        userName: request.actor.name,
        data: { jobId: id, ...data },
      })
    // The job exists only if its start is audited: a failing audit write stops everything here.
    try {
      await audit('job.started', {
        path: request.path,
        summary: request.summary,
        approvalId: request.approvalId ?? null,
      })
    } catch (error) {
      // Said in words, as the dispatcher's own audit failures are; nothing has run yet.
      throw auditUnavailable(error)
    }
    let steps: JobStep[] = request.steps.map((label) => ({ label, state: 'pending' }))
    let job = await this.#store.create({
      id,
      state: 'running',
      path: request.path,
      // What the job record keeps is what its card shows: secret-shaped text is redacted before it is
      // stored, as the audit log does (a step's error may echo what was typed).
      summary: redactSecretText(request.summary),
      requesterKey: actorKey(request.actor),
      requesterName: request.actor.name,
      approvalId: request.approvalId,
      owner: this.#owner,
      steps,
      createdAt: this.#now(),
    })
    // Fix (issue #6 tests): the delivery of the last card is awaited before run() returns, so the final
    // card reaches the chat before the command's reply (it was fire-and-forget, and could come after it).
    let shown: Promise<void> = Promise.resolve()
    // Saves run one after another in the order they were asked (a progress line may ask while a step's
    // save is still on its way to the database), so the stored job and the card never go backwards.
    // A progress save's failure is kept and thrown by the next save a step waits for.
    let saving: Promise<void> = Promise.resolve()
    let saveFailure: unknown
    const save = (patch: Parameters<JobStore['update']>[1]): Promise<void> => {
      saving = saving.then(async () => {
        // The card's message, once the adapter has posted it, is kept with the job (issue #15).
        const card = job.card ? undefined : request.status.where?.()
        const stored = redactSecretText(patch)
        job = await this.#store.update(id, card ? { ...stored, card } : stored, this.#now())
        shown = status(jobCard(job))
      })
      const done = saving
      saving = saving.catch((error: unknown) => {
        saveFailure ??= error
      })
      return done
    }
    const settled = async () => {
      await saving
      if (saveFailure !== undefined) throw saveFailure
    }
    await save({ steps })
    const setStep = (label: string, state: JobStep['state'], detail?: string) => {
      const known = steps.some((s) => s.label === label)
      steps = known
        ? steps.map((s) => (s.label === label ? { label, state, ...(detail ? { detail } : {}) } : s))
        : [...steps, { label, state, ...(detail ? { detail } : {}) }]
      return save({ steps })
    }
    const control: JobControl = {
      id,
      step: async (label, fn) => {
        await audit('job.step', { step: label, state: 'running' })
        await setStep(label, 'running')
        let detail: string | undefined
        let running = true
        const progress = (text: string) => {
          if (!running || text === detail) return
          detail = text
          // Display only: not awaited by the work; a failure surfaces at the step's end (settled).
          setStep(label, 'running', text).catch(() => {})
        }
        let value: Awaited<ReturnType<typeof fn>>
        try {
          value = await fn(progress)
        } catch (error) {
          running = false
          await setStep(label, 'failed', isUserError(error) ? error.message : 'unexpected error')
          await audit('job.step', { step: label, state: 'failed', error: describe(error) })
          throw error
        }
        running = false
        await audit('job.step', { step: label, state: 'done' })
        await setStep(label, 'done', detail)
        await settled()
        return value
      },
    }
    try {
      const result = await request.work(control)
      steps = steps.map((s) => (s.state === 'pending' ? { ...s, state: 'skipped' } : s))
      await audit('job.finished', { state: 'succeeded', result })
      await save({ state: 'succeeded', steps, result })
      await shown
    } catch (error) {
      steps = steps.map((s) => (s.state === 'pending' ? { ...s, state: 'skipped' } : s))
      const message = isUserError(error) ? error.message : 'an unexpected error stopped the job (it is logged)'
      try {
        await audit('job.finished', { state: 'failed', error: describe(error) })
      } finally {
        await save({ state: 'failed', steps, error: message })
      }
      await shown
      if (!isUserError(error)) throw error
    }
    return job
  }
}

function describe(error: unknown): string {
  if (error instanceof UserError) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}
