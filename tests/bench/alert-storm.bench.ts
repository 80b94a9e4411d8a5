/**
 * An alert storm: 10,000 container deaths within 10 s of simulated time (storm-child.ts, its own
 * process). What it posts must stay within the destination's rate — posts and edits alike — and every
 * death must be accounted for: in a message of its own, or counted by a digest; the store must agree
 * (no post pending, every death an open alert). Peak memory is reported with it.
 */
import { once } from 'node:events'
import { type BenchResult, firstJsonLine, round, spawnTs } from './bench-lib.js'

export const STORM_MS = 10_000
/** Quiet after the storm, long enough for its digest to stop counting (60 slots at 1 per second). */
export const AFTER_MS = 120_000
export const RATE_PER_SECOND = 1

export interface StormReport {
  readonly deaths: number
  /** Sink calls, in order, with their sim time relative to the first death. */
  readonly calls: readonly { readonly op: 'post' | 'update'; readonly channel: string; readonly at: number }[]
  /** Messages shown on their own, each for one death. */
  readonly alone: number
  /** The Events count of each digest message as it reads last. */
  readonly digestEvents: readonly number[]
  readonly storePending: number
  readonly storeOpen: number
  readonly wallMs: number
  readonly rssBeforeMb: number
  readonly peakRssMb: number
  readonly peakHeapMb: number
}

/** The most calls to one channel within any 1 s window, and the closest two calls to one channel came. */
function busiest(calls: StormReport['calls']): { perSecond: number; closestMs: number } {
  let perSecond = 0
  let closestMs = Number.POSITIVE_INFINITY
  const channels = new Set(calls.map((c) => c.channel))
  for (const channel of channels) {
    const at = calls.filter((c) => c.channel === channel).map((c) => c.at)
    for (let i = 0; i < at.length; i++) {
      const t = at[i] ?? 0
      perSecond = Math.max(perSecond, at.filter((u) => u >= t && u < t + 1_000).length)
      if (i > 0) closestMs = Math.min(closestMs, t - (at[i - 1] ?? 0))
    }
  }
  return { perSecond, closestMs }
}

export async function benchAlertStorm(scale: number): Promise<BenchResult[]> {
  const deaths = Math.max(1_000, Math.round(10_000 * scale))
  const child = spawnTs('storm-child.ts', [String(deaths)])
  const report = await firstJsonLine<StormReport>(child)
  if (child.exitCode === null) await once(child, 'exit')

  const during = report.calls.filter((c) => c.at <= STORM_MS)
  const count = (op: 'post' | 'update', calls: StormReport['calls']) => calls.filter((c) => c.op === op).length
  const { perSecond, closestMs } = busiest(report.calls)
  const inDigests = report.digestEvents.reduce((a, b) => a + b, 0)
  const accounted = report.alone + inDigests
  const storeAgrees = report.storePending === 0 && report.storeOpen === deaths
  const n = deaths.toLocaleString('en')
  const what = `${n} container deaths in ${STORM_MS / 1000} s of sim time`
  const how =
    `storm-child.ts in its own process: deaths spread evenly over the storm (ManualClock), through the ` +
    `Inventory port into createAlerts (detectors, engine, deliveries, on-disk SQLite) with a RecordingSink, ` +
    `one destination at ratePerSecond ${RATE_PER_SECOND}, then ${AFTER_MS / 1000} s of quiet for the storm to end`
  return [
    {
      name: `Alert storm, ${what}: sink calls per destination`,
      goal: `≤ ${RATE_PER_SECOND} per second (posts and edits)`,
      measured:
        `${count('post', during)} posts + ${count('update', during)} edits during the storm, ` +
        `${report.calls.length} calls in all; busiest second ${perSecond}, closest calls ${closestMs} ms apart`,
      value: round(perSecond / RATE_PER_SECOND),
      met: perSecond <= RATE_PER_SECOND && closestMs >= 1_000 / RATE_PER_SECOND,
      how: `${how}; every 1 s window of sim time checked`,
    },
    {
      name: `Alert storm, ${what}: deaths accounted for, and peak memory`,
      goal: `${n} of ${n} (alone or counted in a digest)`,
      measured:
        `${accounted.toLocaleString('en')} of ${n}: ${report.alone} alone + ` +
        `${inDigests.toLocaleString('en')} in ${report.digestEvents.length} digest(s); store: ` +
        `${report.storePending} posts pending, ${report.storeOpen.toLocaleString('en')} alerts open; ` +
        `peak RSS ${report.peakRssMb} MB (${report.rssBeforeMb} MB before the storm), ` +
        `heap high-water ${report.peakHeapMb} MB; ${round(report.wallMs / 1000, 1)} s wall`,
      value: round(accounted / deaths, 4),
      met: accounted === deaths && storeAgrees,
      how: `${how}; counted from the messages as they read last (each alone, plus each digest's Events) and checked against the store; RSS is the child's maxRSS, heap sampled every 100 deaths`,
    },
  ]
}
