/**
 * One voter of the cross-process race in approval-race.test.ts, run as
 * `node --import tsx tests/store/vote-child.ts <dataDir> <kind> <actor> <ready> <barrier> <order> <id>...`.
 * It opens its own store, says it is ready, waits for the barrier file, then votes on every id as fast
 * as it can (in the given order, or reversed: two children going opposite ways must meet somewhere, so
 * some votes are truly simultaneous), claims each approved one for a job, and prints what it got.
 */
import { existsSync, writeFileSync } from 'node:fs'
import type { VoteOutcome } from '../../src/core/store-ports.js'
import { openStore } from '../../src/store/open-store.js'

const [dataDir, kind, actor, ready, barrier, order, ...ids] = process.argv.slice(2)
if (!dataDir || (kind !== 'approve' && kind !== 'deny') || !actor || !ready || !barrier || !order) {
  throw new Error('usage: vote-child.ts <dataDir> <approve|deny> <actor> <ready> <barrier> <forward|reverse> <id>...')
}
if (order === 'reverse') ids.reverse()

const store = openStore({ dataDir })
writeFileSync(ready, String(process.pid))
const tick = new Int32Array(new SharedArrayBuffer(4))
const deadline = Date.now() + 15_000
while (!existsSync(barrier)) {
  if (Date.now() > deadline) throw new Error('the barrier never opened')
  Atomics.wait(tick, 0, 0, 1) // sleep 1 ms without a timer, so both children leave within a millisecond
}

const results: { id: string; kind: VoteOutcome['kind']; state?: string; claimed: boolean }[] = []
for (const id of ids) {
  const outcome = await store.approvals.vote(
    id,
    { kind, actorKey: `shell:${actor}`, actorName: actor, at: Date.now() },
    1,
  )
  const state = outcome.kind === 'unknown' ? undefined : outcome.record.state
  const claimed = state === 'approved' && (await store.approvals.claimForJob(id, `job-${actor}-${id}`))
  results.push({ id, kind: outcome.kind, ...(state && { state }), claimed })
}
await store.close()
process.stdout.write(JSON.stringify(results))
