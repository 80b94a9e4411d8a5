/**
 * Issue #15, status cards survive failover, when every replica went down: the first replica back finds
 * the jobs of replicas that are gone still running, leads at once (nobody else holds the lease), marks
 * them interrupted, and edits their cards — even though it leads before its Slack adapter is up to edit
 * them (the leader takes the lease inside createApp; startSlack comes after).
 */
import { expect, it } from 'vitest'
import { BOT_TOKEN } from '../adapters/slack/fake-slack.js'
import { textOf } from '../adapters/slack/slack-bot.js'
import { CHANNEL } from '../adapters/slack/slack-payloads.js'
import { describePostgres } from '../helpers/postgres.js'
import { jobInput } from '../store/store-helpers.js'
import { startCluster, until } from './replica-cluster.js'

describePostgres('the first replica back after all were down', () => {
  it('closes the jobs the dead replicas left running and edits their cards', async () => {
    const cluster = await startCluster({ orphanSweepMs: 100 })
    // What a replica that died had done: posted the job's card, and stored the job with its address.
    const answer = await fetch(`${cluster.slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNEL, text: 'restart nginx-front in web-1 — running' }),
    })
    const { ts } = (await answer.json()) as { ts: string }
    const card = { platform: 'slack', channel: CHANNEL, messageId: ts }
    await cluster.store.jobs.create(jobInput({ id: 'dead0001', owner: 'replica-gone', card, createdAt: Date.now() }))

    const a = await cluster.start('replica-a')
    expect(a.lease.isLeader()).toBe(true)
    expect((await cluster.store.jobs.get('dead0001'))?.state).toBe('interrupted')
    const edit = await until(
      () => cluster.slack.callsOf('chat.update').find((c) => c.params.ts === ts),
      'the card of the interrupted job edited',
    )
    expect(edit.params.channel).toBe(CHANNEL)
    expect(textOf(cluster.slack.messages.get(`${CHANNEL}:${ts}`)?.blocks)).toMatch(
      /restart nginx-front in web-1 \(job dead0001\)[\s\S]*interrupted/,
    )
  })
})
