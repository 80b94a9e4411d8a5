/**
 * One cold sync in a fresh process: `sync-child.ts ours|raw '<pools json>'`. `raw` is the bare xen-api
 * client syncing the same classes the bot watches (WATCHED_CLASSES), every pool at once; `ours` is the
 * bot's createApp (Xen layer + inventory + store). Prints `{ ms, cpuMs, rssMb, heapMb, vms }` once
 * every pool is synced: wall time, this process's CPU time over the same span, and its memory after a
 * collection (so the figures are what each side keeps, not garbage waiting for the collector).
 */
import { createClient } from 'xen-api'
import { WATCHED_CLASSES } from '../../src/xen/pool-connection.js'
import { startBenchBot } from './bench-bot.js'
import type { SimPoolInfo } from './bench-lib.js'

const [mode, json] = process.argv.slice(2)
const pools = JSON.parse(json ?? '[]') as SimPoolInfo[]
const started = performance.now()
const cpuStart = process.cpuUsage()

/** Wall and CPU time since the start, read as soon as every pool is synced. */
function stopClock() {
  const cpu = process.cpuUsage(cpuStart)
  return { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 }
}

function report(clock: { ms: number; cpuMs: number }, vms: number): void {
  global.gc?.()
  const memory = process.memoryUsage()
  const result = { ...clock, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20, vms }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

if (mode === 'raw') {
  const clients = pools.map((p) =>
    createClient({ url: p.url, auth: { user: p.username, password: p.password }, watchEvents: [...WATCHED_CLASSES] }),
  )
  await Promise.all(
    clients.map(async (xapi) => {
      await xapi.connect()
      await xapi.objectsFetched
    }),
  )
  const clock = stopClock()
  let vms = 0
  for (const xapi of clients) vms += Object.keys(xapi.objects.indexes.type.VM ?? {}).length
  report(clock, vms)
  await Promise.all(clients.map((x) => x.disconnect()))
} else {
  const bot = await startBenchBot(pools)
  const clock = stopClock()
  report(clock, bot.app.xen.inventory.vms().length)
  await bot.stop()
}
process.exit(0)
