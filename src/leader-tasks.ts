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

/** How long the cards of interrupted jobs wait for their platform's adapter to connect. */
const CARD_RETRY_MS = 10 * 60_000

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

/**
 * Jobs whose replica is gone become interrupted — the jobs of live replicas (this one included) are
 * spared — and their cards say so. Run at once on becoming leader, then every `orphanSweepMs`.
 */
function orphanJobs(parts: LeaderTaskParts): LeaderTask {
  const { leader, jobs, cards, log } = parts
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<void> | undefined
  // Cards whose platform is not connected yet (the sweep at start-up runs before the chat adapters
  // register): tried again at every tick for a while, then left to /xen jobs.
  let unedited = (parts.interrupted ?? []).filter((job) => job.card)
  const giveUpAt = Date.now() + CARD_RETRY_MS
  const close = async (job: JobRecord): Promise<boolean> => {
    if (!job.card) return true
    try {
      return await cards.edit(job.card, jobCard(job))
    } catch (error) {
      log.warn({ err: error, job: job.id }, 'the card of an interrupted job could not be edited')
      return true
    }
  }
  const sweep = async () => {
    const closed = await jobs.interruptLeftovers(await leader.alive())
    for (const job of closed)
      log.warn({ job: job.id, owner: job.owner }, 'a job of a replica that is gone is now interrupted')
    const waiting: JobRecord[] = []
    for (const job of [...unedited, ...closed]) if (!(await close(job))) waiting.push(job)
    unedited = Date.now() < giveUpAt ? waiting : []
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
