/**
 * One cold sync in a fresh process: `sync-child.ts ours|raw '<pools json>'`. `raw` is the bare xen-api
 * client syncing the same classes the bot watches, every pool at once; `ours` is the bot's createApp
 * (Xen layer + inventory + store). Prints `{ ms, rssMb, vms }` once every pool is synced.
 */
import { createClient } from 'xen-api'
import { WATCHED_CLASSES } from '../../src/xen/pool-connection.js'
import { startBenchBot } from './bench-bot.js'
import type { SimPoolInfo } from './bench-lib.js'

const [mode, json] = process.argv.slice(2)
const pools = JSON.parse(json ?? '[]') as SimPoolInfo[]
const started = performance.now()
let vms = 0
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
  const ms = performance.now() - started
  for (const xapi of clients) vms += Object.keys(xapi.objects.indexes.type.VM ?? {}).length
  process.stdout.write(`${JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20, vms })}\n`)
  await Promise.all(clients.map((x) => x.disconnect()))
} else {
  const bot = await startBenchBot(pools)
  const ms = performance.now() - started
  vms = bot.app.xen.inventory.vms().length
  // After a collection, so the figure is what the bot keeps, not garbage waiting for the collector.
  global.gc?.()
  process.stdout.write(`${JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20, vms })}\n`)
  await bot.stop()
}
process.exit(0)
