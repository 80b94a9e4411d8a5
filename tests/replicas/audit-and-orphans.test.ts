/**
 * Issue #15, done when: the audit chain verifies after concurrent writes from both replicas; and a job
 * whose replica died is marked interrupted by the new leader, its Slack card edited to say so.
 *
 * Replica a runs in a child process and leads; replica b runs here. Commands reach both at once (each
 * replica's own, so the audit text tells who wrote what), one of them a job on a that never ends by
 * itself. Then a is SIGKILLed with that job running: b takes over once a's lease has run out, finds
 * a gone from the replicas alive, marks the job interrupted (audited) and edits the card a posted.
 */
import { performance } from 'node:perf_hooks'
import { expect, it } from 'vitest'
import { textOf } from '../adapters/slack/slack-bot.js'
import { allEntries } from '../helpers/audit-entries.js'
import { describePostgres } from '../helpers/postgres.js'
import { HOLD_STEP } from './hold-command.js'
import { RENEW_MS, startCluster, TTL_MS, until } from './replica-cluster.js'

const EACH = 10
/** What a loaded two-core machine may add to a handover (timers late, a slow round trip). */
const SLACK_MS = 1500

describePostgres('two replicas writing at once, then one of them dies', () => {
  it('keeps one linear audit chain, and the new leader closes the dead replica’s job and its card', async () => {
    const cluster = await startCluster({ orphanSweepMs: 200 })
    const a = await cluster.startChild('replica-a')
    const b = await cluster.start('replica-b')
    expect([a.changes.at(-1)?.leader, b.lease.isLeader()]).toEqual([true, false])
    const slash = (line: string) => ({ type: 'slash_commands' as const, payload: cluster.slashCommand('alice', line) })

    // Everything at once: a's commands on a's connection, b's on b's.
    await Promise.all([
      ...Array.from({ length: EACH }, () => cluster.slack.send(slash('/docker ps web-1'), a.connection)),
      ...Array.from({ length: EACH }, () => cluster.slack.send(slash('/docker ps web-2'), b.connection)),
      cluster.slack.send(slash('/test hold'), a.connection),
      cluster.slack.send(slash('/docker unpause web-1 image-resizer'), b.connection),
    ])
    const requests = async () => (await allEntries(cluster.store.audit)).filter((e) => e.kind === 'request')
    await until(async () => (await requests()).length === 2 * EACH + 2, 'every request audited')
    const job = await until(
      async () => (await cluster.store.jobs.recent('slack:U0ALICE', 10)).find((j) => j.path === 'test hold' && j.card),
      'the held job with its card',
    )
    const card = job.card
    if (!card) throw new Error('no card')
    expect([job.state, job.owner]).toEqual(['running', 'replica-a'])
    await until(
      async () =>
        (await cluster.store.jobs.recent('slack:U0ALICE', 10)).some(
          (j) => j.path === 'docker unpause' && j.state === 'succeeded',
        ),
      "b's job to finish",
    )

    const written = await allEntries(cluster.store.audit)
    expect(await cluster.store.audit.verify()).toEqual({ ok: true, entries: written.length })
    expect(written.map((e) => e.seq)).toEqual(written.map((_, i) => i + 1))
    const texts = (await requests()).map((e) => String(e.data.text))
    expect(texts.filter((t) => t === '/docker ps web-1')).toHaveLength(EACH)
    expect(texts.filter((t) => t === '/docker ps web-2')).toHaveLength(EACH)
    expect(new Set((await requests()).map((e) => e.requestId)).size).toBe(2 * EACH + 2)

    // a dies with its job running.
    const posted = [...cluster.slack.messages.values()].find((m) => m.ts === card.messageId)
    expect(textOf(posted?.blocks)).toContain(`${HOLD_STEP}`)
    const updatesBefore = cluster.slack.callsOf('chat.update').length
    await a.kill()
    const killedAt = performance.now()
    const took = await until(
      () => b.changes.find((c) => c.leader),
      'replica b to take over',
      TTL_MS + RENEW_MS + SLACK_MS * 3,
    )
    const closed = await until(async () => {
      const now = await cluster.store.jobs.get(job.id)
      return now?.state === 'interrupted' && now
    }, 'the job interrupted')
    const edit = await until(
      () =>
        cluster.slack
          .callsOf('chat.update')
          .slice(updatesBefore)
          .find((c) => c.params.ts === card.messageId && textOf(c.params.blocks as unknown[]).includes('interrupted')),
      'the card edited to say so',
    )
    console.log(
      `takeover after SIGKILL: ${Math.round(took.at - killedAt)} ms; bound ttl + renew = ${TTL_MS + RENEW_MS} ms`,
    )
    expect(took.at - killedAt).toBeLessThanOrEqual(TTL_MS + RENEW_MS + SLACK_MS)
    // Left as it was: the card says how far the job got, nothing more.
    expect(closed.steps).toMatchObject([{ label: HOLD_STEP, state: 'running' }])
    expect(edit.params.channel).toBe(card.channel)
    const shown = textOf(cluster.slack.messages.get(`${card.channel}:${card.messageId}`)?.blocks)
    expect(shown).toMatch(/hold a job open \(job \w+\)[\s\S]*interrupted/)
    expect(shown).toContain('may or may not have happened')

    // The interruption is audited by b, on the same chain, which still verifies.
    const after = await allEntries(cluster.store.audit)
    expect(after.filter((e) => e.kind === 'job.finished' && e.data.jobId === job.id).map((e) => e.data.state)).toEqual([
      'interrupted',
    ])
    expect(await cluster.store.audit.verify()).toEqual({ ok: true, entries: after.length })
  }, 60_000)
})
