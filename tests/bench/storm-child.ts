/**
 * The alert-storm benchmark's process (its own, so its peak memory is the storm's and not the other
 * benchmarks'): `node --import tsx storm-child.ts <deaths>` kills that many containers, spread evenly
 * over 10 s of simulated time, through the Inventory port into the real alert channel (detectors,
 * engine, deliveries, on-disk SQLite store) with a RecordingSink — as tests/alerts/no-floods.test.ts
 * does — lets the storm end, and prints one JSON line: every sink call, what the messages say, what
 * the store holds, and memory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Reply } from '../../src/core/reply.js'
import { ManualClock } from '../../src/sim/clock.js'
import { openStore } from '../../src/store/open-store.js'
import { startAlertChannel } from '../helpers/alert-channel.js'
import { container, FakeInventory, vm, withStatus } from '../helpers/fake-inventory.js'
import { fieldOf, headOf } from '../helpers/recording-sink.js'
import { AFTER_MS, RATE_PER_SECOND, STORM_MS, type StormReport } from './alert-storm.bench.js'

// The digests' headline and count, as the alert tests read them (tests/alerts/no-floods.test.ts).
const isDigest = (reply: Reply) =>
  / alert events (folded into this message|held back during quiet hours)/.test(headOf(reply))
const eventsOf = (reply: Reply) => Number(fieldOf(reply, 'Events')?.replaceAll(',', ''))
const mb = (bytes: number) => Math.round(bytes / 2 ** 20)

const deaths = Number(process.argv[2] ?? '10000')
const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-bench-storm-'))
const store = openStore({ dataDir })
const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0))
const inventory = new FakeInventory()
const { alerts, sink } = startAlertChannel({
  config: { default: { platform: 'shell', channel: 'ops' }, ratePerSecond: RATE_PER_SECOND },
  store: store.alerts,
  inventory,
  clock,
})
inventory.synced('storm')
const hosts = Array.from({ length: 100 }, (_, i) => vm('storm', `vm-${i}`, i))

let peakHeap = 0
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
}
const rssBefore = process.memoryUsage().rss
const start = clock.now()
const wallStart = performance.now()
for (let n = 0; n < deaths; n++) {
  const host = hosts[n % hosts.length]
  if (!host) throw new Error('no host')
  const c = container(`worker-${n}`, n)
  inventory.emit({ kind: 'container-changed', vm: host, previous: c, container: withStatus(c, 'Exited (137)') })
  // Spread evenly over the storm's 10 s, letting the deliveries take their slots as time passes.
  await clock.advance(STORM_MS / deaths)
  if (n % 100 === 0) sample()
}
await clock.advance(AFTER_MS)
sample()
const wallMs = Math.round(performance.now() - wallStart)

const messages = [...sink.messages().values()]
const digests = messages.filter((m) => isDigest(m.reply))
const report: StormReport = {
  deaths,
  calls: sink.calls.map((c) => ({ op: c.op, channel: c.channel, at: c.at - start })),
  alone: messages.length - digests.length,
  digestEvents: digests.map((d) => eventsOf(d.reply)),
  // Awaited: the alert store is becoming async.
  storePending: (await store.alerts.pendingPosts()).length,
  storeOpen: (await store.alerts.unresolved()).length,
  wallMs,
  rssBeforeMb: mb(rssBefore),
  // maxRSS is in kilobytes: the process's high-water mark, start-up included.
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  peakHeapMb: mb(peakHeap),
}
await alerts.stop()
await store.close()
rmSync(dataDir, { recursive: true, force: true })
process.stdout.write(`${JSON.stringify(report)}\n`)
