/**
 * Issue #15, done when: two replicas on one PostgreSQL, the simulator and the fake Slack — the same
 * slash command delivered to both (one envelope on each connection, one trigger id) runs one job and
 * gets one reply. Counted where it shows: the channel messages Slack got, the response_url answers,
 * the container's start events in the simulator's Docker model, the job rows and the audit chain.
 *
 * `/docker start` rather than `/docker restart`: a restart first asks its requester to Confirm, and a
 * pending confirmation lives in the memory of the replica that asked (see the report of this suite).
 */
import { expect, it } from 'vitest'
import type { DockerEvent } from '../../src/sim/docker/docker-daemon.js'
import { textOf } from '../adapters/slack/slack-bot.js'
import { allEntries } from '../helpers/audit-entries.js'
import { describePostgres } from '../helpers/postgres.js'
import { refOf } from '../helpers/xen.js'
import { startCluster, until } from './replica-cluster.js'

describePostgres('two replicas, one slash command delivered to both', () => {
  it('runs one job and answers once', async () => {
    const cluster = await startCluster()
    const a = await cluster.start('replica-a')
    const b = await cluster.start('replica-b')
    expect([a.lease.isLeader(), b.lease.isLeader()]).toEqual([true, false])
    const pool = cluster.sim.pool('lab-legacy').pool
    const daemon = pool.guests.get(refOf(pool, 'VM', 'web-1'))?.docker
    if (!daemon) throw new Error('web-1 has no Docker engine')
    const starts: DockerEvent[] = []
    daemon.events.on('event', (e: DockerEvent) => {
      if (e.Action === 'start' && e.Actor.Attributes.name === 'nightly-report') starts.push(e)
    })

    const payload = cluster.slashCommand('alice', '/docker start web-1 nightly-report')
    const acks = await cluster.slack.sendToEach({ type: 'slash_commands', payload })
    expect(acks).toHaveLength(2)
    const card = await until(
      () =>
        [...cluster.slack.messages.values()].find((m) =>
          textOf(m.blocks).includes('nightly-report in web-1: start done'),
        ),
      'the result on the job card',
    )
    await Promise.all([a.adapter.idle(), b.adapter.idle()])

    expect(starts).toHaveLength(1)
    // One channel message (the job's card, edited to its result); no answer to the response_url at all —
    // neither a second result nor an "already handled" from the replica that lost the claim.
    expect(cluster.slack.callsOf('chat.postMessage').map((c) => c.result.ts)).toEqual([card.ts])
    expect(cluster.slack.responses).toEqual([])
    expect(cluster.slack.callsOf('chat.postEphemeral')).toEqual([])
    const jobs = await cluster.store.jobs.recent('slack:U0ALICE', 10)
    expect(jobs.map((j) => [j.summary, j.state])).toEqual([
      [expect.stringMatching(/^start nightly-report \(\w+\) in web-1$/), 'succeeded'],
    ])
    expect([a.id, b.id]).toContain(jobs[0]?.owner)
    expect(jobs[0]?.card).toEqual({ platform: 'slack', channel: card.channel, messageId: card.ts })
    const audit = await allEntries(cluster.store.audit)
    expect(audit.filter((e) => e.kind === 'job.started')).toHaveLength(1)
    expect(audit.filter((e) => e.kind === 'request')).toHaveLength(1)
    expect(await cluster.store.audit.verify()).toEqual({ ok: true, entries: audit.length })
  })
})
