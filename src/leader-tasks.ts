/**
 * The leader-only tasks every bot has (issue #15), built from the app's parts: the approvals' expiry
 * sweep, the alert channel, and closing the jobs of replicas that are gone (their cards edited to say
 * so, wherever they are shown). A bot alone runs them all from start to stop.
 */
import type { Alerts } from './alerts/alerts.js'
import type { CardEditors } from './core/card-editors.js'
import type { Governance } from './core/governance.js'
import { type JobRunner, jobCard } from './core/jobs.js'
import type { JobRecord } from './core/store-ports.js'
import type { LeaderTask, LeaderWork } from './leader-work.js'
import type { Log } from './log.js'

export interface LeaderTaskParts {
  readonly leader: LeaderWork
  readonly governance: Governance
  readonly jobs: JobRunner
  readonly cards: CardEditors
  readonly alerts?: Alerts | undefined
  readonly log: Log
  /** How often the leader looks for jobs of replicas that stopped heartbeating (default 5 s). */
  readonly orphanSweepMs?: number | undefined
  /** Jobs already marked interrupted at start-up (a bot alone): their cards are closed like the others'. */
  readonly interrupted?: readonly JobRecord[] | undefined
}

export function leaderTasks(parts: LeaderTaskParts): LeaderTask[] {
  const { governance, alerts } = parts
  let stopSweep: (() => void) | undefined
  const tasks: LeaderTask[] = [
    {
      name: 'approval expiry sweep',
      start: async () => {
        stopSweep = governance.startExpirySweep()
      },
      stop: async () => {
        stopSweep?.()
      },
    },
    orphanJobs(parts),
  ]
  if (alerts) tasks.push({ name: 'alerts', start: () => alerts.start(), stop: () => alerts.stop() })
  return tasks
}

/** How many sweeps a closed job's card waits for an editor of its platform before it is left as it is. */
const CARD_TRIES = 60

/**
 * Jobs whose replica is gone become interrupted — the jobs of live replicas (this one included) are
 * spared — and their cards say so. Run at once on becoming leader, then every `orphanSweepMs`.
 *
 * A card whose platform has no editor here yet is tried again at the next sweeps: a replica that leads
 * from its start (the first one back after all were down) closes the jobs inside createApp, before its
 * chat adapters have started and registered their editors.
 */
function orphanJobs(parts: LeaderTaskParts): LeaderTask {
  const { leader, jobs, cards, log } = parts
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<void> | undefined
  // Seeded with the jobs a bot alone marked interrupted at its start, before any adapter was connected.
  const unedited = new Map<string, { readonly job: JobRecord; tries: number }>(
    (parts.interrupted ?? []).map((job) => [job.id, { job, tries: 0 }]),
  )
  const editCard = async (entry: { readonly job: JobRecord; tries: number }) => {
    const { job } = entry
    try {
      const edited = !job.card || (await cards.edit(job.card, jobCard(job)))
      // No editor for its platform here yet: the next sweep tries again.
      if (!edited && ++entry.tries < CARD_TRIES) return
      if (!edited)
        log.warn({ job: job.id, card: job.card }, 'no chat adapter here edits the card of an interrupted job')
    } catch (error) {
      log.warn({ err: error, job: job.id }, 'the card of an interrupted job could not be edited')
    }
    unedited.delete(job.id)
  }
  const sweep = async () => {
    const closed = await jobs.interruptLeftovers(await leader.alive())
    for (const job of closed) {
      log.warn({ job: job.id, owner: job.owner }, 'a job of a replica that is gone is now interrupted')
      unedited.set(job.id, { job, tries: 0 })
    }
    for (const entry of [...unedited.values()]) await editCard(entry)
  }
  const tick = () => {
    sweeping ??= sweep()
      .catch((error: unknown) => log.warn({ err: error }, 'looking for jobs of replicas that are gone failed'))
      .finally(() => {
        sweeping = undefined
      })
    return sweeping
  }
  return {
    name: 'jobs of replicas that are gone',
    start: async () => {
      await tick()
      timer = setInterval(() => void tick(), parts.orphanSweepMs ?? 5_000)
      timer.unref()
    },
    stop: async () => {
      clearInterval(timer)
      await sweeping
    },
  }
}
