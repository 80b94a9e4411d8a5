/**
 * Issue #15, done when: an approval clicked on both replicas runs once — the same Approve click (one
 * trigger id) delivered to both, and two approvers clicking at once on different replicas with a
 * quorum of one. Counted in the simulator's Docker model (restart events), the job rows and the audit
 * chain; the click that lost is told so privately, and nothing is answered twice.
 */
import { expect, it } from 'vitest'
import type { DockerEvent } from '../../src/sim/docker/docker-daemon.js'
import type { PostedMessage } from '../adapters/slack/fake-slack.js'
import { buttonIn, textOf } from '../adapters/slack/slack-bot.js'
import { buttonPress } from '../adapters/slack/slack-payloads.js'
import { allEntries } from '../helpers/audit-entries.js'
import { describePostgres } from '../helpers/postgres.js'
import { refOf } from '../helpers/xen.js'
import { type Cluster, startCluster, USERS, until } from './replica-cluster.js'

/** alice asks (delivered to both replicas); resolves with the one approval card posted for it. */
async function ask(cluster: Cluster, container: string): Promise<PostedMessage> {
  const payload = cluster.slashCommand('alice', `/docker restart web-1 ${container}`)
  await cluster.slack.sendToEach({ type: 'slash_commands', payload })
  return until(
    () =>
      [...cluster.slack.messages.values()].find((m) => textOf(m.blocks).includes(`alice asks to restart ${container}`)),
    `the approval card for ${container}`,
  )
}

const press = (cluster: Cluster, approver: keyof typeof USERS, card: PostedMessage) =>
  buttonPress(cluster.slack, USERS[approver], buttonIn(card.blocks, 'Approve'), {
    channel: card.channel,
    ts: card.ts,
  }) as unknown as Record<string, unknown>

describePostgres('two replicas, one approval', () => {
  it('runs once when the same click reaches both, and when two approvers click on different replicas', async () => {
    const cluster = await startCluster({ approvals: { 'docker restart': { quorum: 1 } } })
    const a = await cluster.start('replica-a')
    const b = await cluster.start('replica-b')
    const pool = cluster.sim.pool('lab-legacy').pool
    const daemon = pool.guests.get(refOf(pool, 'VM', 'web-1'))?.docker
    if (!daemon) throw new Error('web-1 has no Docker engine')
    const restarts = new Map<string, number>()
    daemon.events.on('event', (e: DockerEvent) => {
      if (e.Action === 'restart')
        restarts.set(e.Actor.Attributes.name ?? '', (restarts.get(e.Actor.Attributes.name ?? '') ?? 0) + 1)
    })
    const idle = () => Promise.all([a.adapter.idle(), b.adapter.idle()])
    const jobsOf = async (container: string) =>
      (await cluster.store.jobs.recent('slack:U0ALICE', 10)).filter((j) =>
        j.summary.startsWith(`restart ${container} `),
      )

    // The same click, delivered to both replicas.
    const first = await ask(cluster, 'nginx-front')
    await cluster.slack.sendToEach({ type: 'interactive', payload: press(cluster, 'bob', first) })
    await until(() => textOf(first.blocks).includes('restart done'), 'the first result on its card')
    await idle()
    expect(restarts.get('nginx-front')).toBe(1)
    expect((await jobsOf('nginx-front')).map((j) => j.state)).toEqual(['succeeded'])
    expect(cluster.slack.responses).toEqual([]) // the delivery that lost the claim answers nothing

    // bob on replica a and carol on replica b, at once: one vote decides, the other is told.
    const second = await ask(cluster, 'redis-cache')
    await Promise.all([
      cluster.slack.send({ type: 'interactive', payload: press(cluster, 'bob', second) }, a.connection),
      cluster.slack.send({ type: 'interactive', payload: press(cluster, 'carol', second) }, b.connection),
    ])
    await until(() => textOf(second.blocks).includes('restart done'), 'the second result on its card')
    const told = await until(
      () => cluster.slack.responses.filter((r) => textOf(r.body.blocks as unknown[]).includes('already approved')),
      'the losing approver told',
    )
    await idle()
    expect(restarts.get('redis-cache')).toBe(1)
    expect(told).toHaveLength(1)
    expect(told[0]?.body.response_type).toBe('ephemeral')
    expect(cluster.slack.responses).toHaveLength(1)
    const jobs = await jobsOf('redis-cache')
    expect(jobs.map((j) => j.state)).toEqual(['succeeded'])

    // Two approval cards, each edited in place to its result: nothing else was posted.
    expect(cluster.slack.callsOf('chat.postMessage').map((c) => c.result.ts)).toEqual([first.ts, second.ts])
    const audit = await allEntries(cluster.store.audit)
    expect(audit.filter((e) => e.kind === 'job.started').map((e) => e.data.approvalId)).toEqual([
      expect.any(String),
      jobs[0]?.approvalId,
    ])
    const votes = audit.filter((e) => e.kind === 'approval.vote' && e.data.approvalId === jobs[0]?.approvalId)
    expect(votes.map((e) => e.data.outcome).sort()).toEqual(['closed', 'recorded'])
    expect(await cluster.store.audit.verify()).toEqual({ ok: true, entries: audit.length })
    expect(restarts.size).toBe(2)
  })
})
