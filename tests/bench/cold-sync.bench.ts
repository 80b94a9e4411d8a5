/**
 * Cold sync of many pools: the bot (createApp until every pool is synced and indexed) against the bare
 * xen-api client syncing the same classes alone, each in a fresh process, alternated five times over
 * the same simulator so neither side always runs on a warmer machine; medians compared. RSS is the
 * bot process's after the sync (after a GC); the bare client's, measured the same way, is beside it,
 * because xen-api's cache of whole records is most of both.
 */
import { spawn } from 'node:child_process'
import { WATCHED_CLASSES } from '../../src/xen/pool-connection.js'
import { type BenchResult, firstJsonLine, here, median, round, startSimChild } from './bench-lib.js'

const RATIO_GOAL = 1.15
const RSS_GOAL_MB = 300
/** Alternating pairs of runs: five, because the ratio of two medians of three moved by ±0.2 on a busy machine. */
const ROUNDS = 5

interface SyncRun {
  readonly ms: number
  /** The process's CPU time over the same span (user + system). */
  readonly cpuMs: number
  readonly rssMb: number
  readonly heapMb: number
  readonly vms: number
}

async function syncOnce(mode: 'ours' | 'raw', pools: string): Promise<SyncRun> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', here('sync-child.ts'), mode, pools], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return firstJsonLine<SyncRun>(child)
}

export async function benchColdSync(scale: number): Promise<BenchResult[]> {
  const poolCount = 10
  const vms = Math.max(50, Math.round(2_000 * scale))
  const sim = await startSimChild(poolCount, vms)
  const pools = JSON.stringify(sim.pools)
  const ours: SyncRun[] = []
  const raw: SyncRun[] = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await syncOnce('raw', pools))
      ours.push(await syncOnce('ours', pools))
    }
  } finally {
    await sim.stop()
  }
  for (const run of [...ours, ...raw]) {
    if (run.vms < poolCount * vms) throw new Error(`a sync saw ${run.vms} VMs, expected ${poolCount * vms}`)
  }
  const oursMs = median(ours.map((r) => r.ms))
  const rawMs = median(raw.map((r) => r.ms))
  const oursCpu = median(ours.map((r) => r.cpuMs))
  const rawCpu = median(raw.map((r) => r.cpuMs))
  const rss = Math.max(...ours.map((r) => r.rssMb))
  const rawRss = Math.max(...raw.map((r) => r.rssMb))
  const heap = Math.max(...ours.map((r) => r.heapMb))
  const rawHeap = Math.max(...raw.map((r) => r.heapMb))
  const ratio = oursMs / rawMs
  const size = `${poolCount} pools × ${vms} VMs`
  return [
    {
      name: `cold sync of ${size}: the bot vs the bare xen-api client`,
      goal: `≤ ${RATIO_GOAL} ×`,
      measured: `${round(oursMs / 1000, 2)} s vs ${round(rawMs / 1000, 2)} s (medians; CPU ${round(oursCpu / 1000, 2)} s vs ${round(rawCpu / 1000, 2)} s)`,
      value: round(ratio, 2),
      met: ratio <= RATIO_GOAL,
      how: `${ROUNDS} alternating runs each, every run a fresh process; same simulator process; both sync the classes the bot watches (${WATCHED_CLASSES.join(', ')})`,
    },
    {
      name: `RSS of the bot after the cold sync of ${size}`,
      goal: `≤ ${RSS_GOAL_MB} MB`,
      measured: `${round(rss, 0)} MB, heap ${round(heap, 0)} MB (largest of ${ROUNDS} runs, after GC); the bare client alone: ${round(rawRss, 0)} MB, heap ${round(rawHeap, 0)} MB`,
      value: round(rss, 0),
      met: rss <= RSS_GOAL_MB,
      how: 'process.memoryUsage() in each sync process after a GC, both run through tsx; the simulator runs in its own process',
    },
  ]
}
