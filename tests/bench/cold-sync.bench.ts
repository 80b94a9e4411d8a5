/**
 * Cold sync of many pools: the bot (createApp until every pool is synced and indexed) against the bare
 * xen-api client syncing the same classes alone, each in a fresh process, alternated three times over
 * the same simulator so neither side always runs on a warmer machine; medians compared. RSS is the
 * bot process's after the sync (after a GC).
 */
import { spawn } from 'node:child_process'
import { type BenchResult, firstJsonLine, here, median, round, startSimChild } from './bench-lib.js'

const RATIO_GOAL = 1.15
const RSS_GOAL_MB = 300

interface SyncRun {
  readonly ms: number
  readonly rssMb: number
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
    for (let round = 0; round < 3; round++) {
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
  const rss = Math.max(...ours.map((r) => r.rssMb))
  const rawRss = Math.max(...raw.map((r) => r.rssMb))
  const ratio = oursMs / rawMs
  const size = `${poolCount} pools × ${vms} VMs`
  return [
    {
      name: `cold sync of ${size}: the bot vs the bare xen-api client`,
      goal: `≤ ${RATIO_GOAL} ×`,
      measured: `${round(oursMs / 1000, 2)} s vs ${round(rawMs / 1000, 2)} s (medians)`,
      value: round(ratio, 2),
      met: ratio <= RATIO_GOAL,
      how: '3 alternating runs each, every run a fresh process; same simulator process',
    },
    {
      name: `RSS of the bot after the cold sync of ${size}`,
      goal: `≤ ${RSS_GOAL_MB} MB`,
      measured: `${round(rss, 0)} MB (largest of 3 runs, after GC); the bare client alone: ${round(rawRss, 0)} MB`,
      value: round(rss, 0),
      met: rss <= RSS_GOAL_MB,
      how: 'process.memoryUsage().rss in the bot process; the simulator runs in its own process',
    },
  ]
}
