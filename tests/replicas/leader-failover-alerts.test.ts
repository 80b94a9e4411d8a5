/**
 * Issue #15, done when: killing the leader during an alert storm — the other replica takes over within
 * the bound, no alert is posted twice, and every event is still accounted for.
 *
 * Replica a runs in a child process and leads (it starts first); replica b runs here and follows.
 * Containers die in waves in the simulator (its Docker model, through the xscontainer monitor), the
 * alerts go to a Slack channel of the fake Slack. Mid-storm, between two posts, a is SIGKILLed: its
 * lease is not given up and its Socket Mode connection drops, so b takes over only once the lease has
 * run out, and the deaths go on meanwhile. Then: every death is in the store as one alert, posted in a
 * message of its own or counted in the one storm digest, whose last edit in Slack counts exactly the
 * alerts folded into it; no title is posted twice; nothing is left waiting to be posted.
 *
 * Why between two posts: a post Slack has accepted but the dying leader had not yet recorded would be
 * posted again by the next leader (at least once, not exactly once: see the report of this suite).
 */
import { performance } from 'node:perf_hooks'
import { expect, it } from 'vitest'
import type { AlertRecord } from '../../src/alerts/alert-types.js'
import type { DockerDaemon } from '../../src/sim/docker/docker-daemon.js'
import { scenarioSchema } from '../../src/sim/scenario.js'
import { textOf } from '../adapters/slack/slack-bot.js'
import { describePostgres, pgClient } from '../helpers/postgres.js'
import { refOf } from '../helpers/xen.js'
import { RENEW_MS, startCluster, TTL_MS, until } from './replica-cluster.js'

const VMS = 25
const PER_VM = 6
const WAVE = 5
const WAVE_MS = 200
/** What a loaded two-core machine may add to a handover (timers late, a slow round trip). */
const SLACK_MS = 1500
const ALERTS = 'C0ALERTS'
const DIGEST = /^([\d,]+) alert events folded into this message/

const scenario = scenarioSchema.parse({
  name: 'storm',
  pools: [
    {
      name: 'storm',
      hosts: [{ name: 'xs-a', xscontainer: true }],
      vms: Array.from({ length: VMS }, (_, v) => ({
        name: `svc-${v}`,
        power: 'running',
        host: 'xs-a',
        ips: [`10.40.0.${v + 10}`],
        docker: {
          monitor: true,
          containers: Array.from({ length: PER_VM }, (_, c) => ({ name: `task-${v}-${c}`, image: 'alpine:3.19' })),
        },
      })),
    },
  ],
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describePostgres('killing the leader during an alert storm', () => {
  it('the follower takes over within ttl + renew, posts nothing twice, and accounts for every death', async () => {
    const cluster = await startCluster({
      scenario,
      alerts: { default: { platform: 'slack', channel: ALERTS }, ratePerSecond: 2 },
    })
    const a = await cluster.startChild('replica-a')
    expect(a.changes.map((c) => c.leader)).toEqual([true])
    const b = await cluster.start('replica-b')
    expect(b.lease.isLeader()).toBe(false)
    const pool = cluster.sim.pool('storm').pool
    const daemons: DockerDaemon[] = Array.from({ length: VMS }, (_, v) => {
      const daemon = pool.guests.get(refOf(pool, 'VM', `svc-${v}`))?.docker
      if (!daemon) throw new Error(`svc-${v} has no Docker engine`)
      return daemon
    })
    const db = await pgClient(cluster.schema)
    const posts = () => cluster.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === ALERTS)

    // The storm: WAVE deaths every WAVE_MS, until eight waves after the kill.
    const killed: string[] = []
    let killedAt: number | undefined
    let wavesAfterKill = 0
    const storm = (async () => {
      while (killed.length + WAVE <= VMS * PER_VM && wavesAfterKill < 8) {
        for (let i = 0; i < WAVE; i++) {
          const n = killed.length
          const name = `task-${n % VMS}-${Math.floor(n / VMS)}`
          daemons[n % VMS]?.kill(name)
          killed.push(name)
        }
        if (killedAt !== undefined) wavesAfterKill++
        await sleep(WAVE_MS)
      }
    })()

    // Kill a once its storm digest is out, right after a post of its own has been recorded (so none
    // is on its way: the next slot is 500 ms off).
    const destination = { platform: 'slack', channel: ALERTS }
    const recorded = async () => {
      const { rows } = await db.query<{ id: string }>(
        'SELECT message_id AS id FROM alert_posts WHERE message_id IS NOT NULL',
      )
      const digest = await cluster.store.alerts.openDigest(destination, 'storm')
      return new Set([...rows.map((r) => r.id), ...(digest?.messageId ? [digest.messageId] : [])])
    }
    await until(async () => {
      const sent = posts()
      if (!sent.some((c) => DIGEST.test(String(c.params.text)))) return false
      const stored = await recorded()
      return sent.every((c) => stored.has(String(c.result.ts)))
    }, 'replica a to post its storm digest')
    await a.kill()
    killedAt = performance.now()
    const killedAtDb = Number(
      (await db.query('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms')).rows[0]?.ms,
    )
    const postsBeforeKill = posts().length
    const deathsBeforeKill = killed.length

    const took = await until(
      () => b.changes.find((c) => c.leader),
      'replica b to take over',
      TTL_MS + RENEW_MS + SLACK_MS * 3,
    )
    const takeoverMs = took.at - killedAt
    const lease = (await db.query('SELECT holder, term, acquired_at FROM leader_lease')).rows[0]
    expect(lease).toMatchObject({ holder: 'replica-b', term: '2' })
    const takeoverDbMs = Number(lease?.acquired_at) - killedAtDb
    await storm
    console.log(
      `takeover after SIGKILL: ${Math.round(takeoverMs)} ms (database clock ${takeoverDbMs} ms); bound ttl + renew = ${TTL_MS + RENEW_MS} ms; ` +
        `${deathsBeforeKill} deaths before the kill, ${killed.length - deathsBeforeKill} after; ${postsBeforeKill} posts before`,
    )
    expect(takeoverMs).toBeLessThanOrEqual(TTL_MS + RENEW_MS + SLACK_MS)
    expect(killed.length - deathsBeforeKill).toBeGreaterThanOrEqual(8 * WAVE)

    // Settled: the Slack digest shows what the store counts, and nothing waits to be posted.
    const digestMessages = () =>
      [...cluster.slack.messages.values()].filter((m) => m.channel === ALERTS && DIGEST.test(m.text))
    const shown = (text: string) => Number(DIGEST.exec(text)?.[1]?.replaceAll(',', ''))
    await until(
      async () => {
        const [digest] = digestMessages()
        const stored = await cluster.store.alerts.openDigest(destination, 'storm')
        return (
          digest &&
          stored?.messageId === digest.ts &&
          shown(digest.text) === stored.events &&
          (await cluster.store.alerts.pendingPosts()).length === 0
        )
      },
      'the alerts to settle',
      20_000,
    )

    // No alert posted twice: one digest, and each title at most once.
    const titles = posts().map((c) => String(c.params.text))
    expect(titles.filter((t) => DIGEST.test(t))).toHaveLength(1)
    const alone = titles.filter((t) => !DIGEST.test(t))
    expect(new Set(alone).size).toBe(alone.length)

    // Every death accounted for: one alert each, fired once, in its own message or in the digest.
    const alerts: AlertRecord[] = await cluster.store.alerts.unresolved()
    expect(alerts.map((x) => x.subject.container?.name).sort()).toEqual([...killed].sort())
    expect(alerts.filter((x) => x.occurrences !== 1)).toEqual([])
    const [digest] = digestMessages()
    const messageTs = new Set(posts().map((c) => String(c.result.ts)))
    let inDigest = 0
    for (const alert of alerts) {
      const [post, ...more] = await cluster.store.alerts.posts(alert.id)
      expect(more).toEqual([])
      if (post?.messageId) {
        expect(messageTs.has(post.messageId)).toBe(true)
        expect(cluster.slack.messages.get(`${ALERTS}:${post.messageId}`)?.text).toContain(alert.title)
      } else {
        expect(post?.digestId).toBeDefined()
        inDigest++
      }
    }
    expect(inDigest + alone.length).toBe(killed.length)
    expect(shown(digest?.text ?? '')).toBe(inDigest)
    expect(textOf(digest?.blocks)).toContain(`container-exited`)
  }, 60_000)
})
