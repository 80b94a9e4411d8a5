/**
 * Slash commands through the real bolt App in Socket Mode against the fake Slack, with the simulated
 * pools behind the bot: acknowledged at once whatever the pools do, answers where the visibility says
 * (errors, denials and help privately through the response_url; results in the channel), VM- and
 * container-controlled text inert, long lists paginated.
 */
import { readFileSync } from 'node:fs'
import { dump, load } from 'js-yaml'
import { describe, expect, it, vi } from 'vitest'
import { parseScenario } from '../../../src/sim/scenario.js'
import { setOtherConfigKey } from '../../../src/sim/xscontainer/docker-calls.js'
import { dockerPsXml } from '../../../src/sim/xscontainer/docker-ps.js'
import { refOf, waitFor } from '../../helpers/xen.js'
import { expectWithinLimits, startSlackBot, textOf } from './slack-bot.js'
import { CHANNEL } from './slack-payloads.js'

/** The first column of the rows in a message's code blocks (the table body, header excluded). */
function rowsOf(blocks: readonly unknown[]): string[] {
  const code = [...textOf(blocks).matchAll(/```\n([\s\S]*?)\n```/g)].flatMap((m) => (m[1] ?? '').split('\n'))
  return code.filter((line) => !line.startsWith('NAME ')).map((line) => line.split(/\s+/)[0] ?? '')
}

describe('slash commands', () => {
  it('acknowledges at once while the pool hangs, and answers when it recovers', async () => {
    const bot = await startSlackBot()
    const faults = bot.sim.pool('lab-legacy').pool.faults
    faults.hang('*')
    try {
      // The ack is the empty Socket Mode payload: nothing waits for XAPI before it.
      const ps = await bot.command('alice', '/docker ps web-1')
      expect(ps.ack).toEqual({})
      const top = await bot.command('alice', '/docker top web-1 nginx-front')
      expect(top.ack).toEqual({})
      // The process list needs a plugin call the pool is holding: nothing can have been answered yet.
      expect(bot.posted().some((m) => textOf(m.blocks).includes('Processes in nginx-front'))).toBe(false)
    } finally {
      faults.release()
    }
    // /docker ps reads the inventory (no call), /docker top the plugin once the pool answers again.
    const listing = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('redis-cache')),
      'the container list',
    )
    expect(listing.channel).toBe(CHANNEL)
    const processes = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('Processes in nginx-front')),
      'the process list',
    )
    expect(textOf(processes.blocks)).toContain('nginx')
    expectWithinLimits(bot.slack)
  })

  it('answers errors, denials and help privately through the response_url', async () => {
    const bot = await startSlackBot()
    const denied = await bot.command('eve', '/docker ps web-1')
    const help = await bot.command('alice', '/xen help')
    const unknown = await bot.command('alice', '/docker frobnicate')
    const notFound = await bot.command('alice', '/docker ps no-such-vm')
    const answer = async (responseUrl: string, what: string) => {
      const [posted] = await bot.slack.until(() => {
        const found = bot.answersTo(responseUrl)
        return found.length > 0 ? found : undefined
      }, what)
      return posted?.body ?? {}
    }
    const denial = await answer(denied.payload.response_url, 'the denial')
    expect(denial.response_type).toBe('ephemeral')
    expect(textOf(denial.blocks as unknown[])).toContain('you need the docker.read permission')
    const helpBody = await answer(help.payload.response_url, 'help')
    expect(helpBody.response_type).toBe('ephemeral')
    expect(textOf(helpBody.blocks as unknown[])).toContain('/docker ps')
    expect((await answer(unknown.payload.response_url, 'the unknown command')).response_type).toBe('ephemeral')
    const missing = await answer(notFound.payload.response_url, 'vm not found')
    expect(textOf(missing.blocks as unknown[])).toContain('no VM named "no-such-vm"')
    // Nothing went to the channel.
    expect(bot.slack.callsOf('chat.postMessage')).toEqual([])
    expectWithinLimits(bot.slack)
  })

  it('runs a redelivered command once (Slack retries, a second Socket Mode connection)', async () => {
    const bot = await startSlackBot()
    const first = await bot.command('alice', '/docker ps web-1')
    // The same payload again, trigger id and all, in a new envelope.
    await bot.slack.send({ type: 'slash_commands', payload: first.payload as unknown as Record<string, unknown> })
    // The redelivery is claimed as seen before (the metrics count it) and answered by nobody: the one
    // delivery that ran answers, so the channel gets one answer and the asker no second message.
    await vi.waitFor(
      async () => expect((await bot.app.metrics.scrape()).body).toMatch(/commands_total\{[^}]*redelivered[^}]*\} 1/),
      { timeout: 15_000, interval: 50 },
    )
    await bot.slack.until(() => bot.posted().find((m) => textOf(m.blocks).includes('redis-cache')), 'the one answer')
    expect(bot.slack.callsOf('chat.postMessage')).toHaveLength(1)
    expect(bot.answersTo(first.payload.response_url)).toEqual([])
    expect(bot.slack.callsOf('chat.postEphemeral')).toEqual([])
  })

  it('renders a container named <!channel> (and an image that pings someone) inert', async () => {
    const bot = await startSlackBot()
    const pool = bot.sim.pool('lab-legacy').pool
    const vmRef = refOf(pool, 'VM', 'web-1')
    const daemon = pool.guests.get(vmRef)?.docker
    if (!daemon) throw new Error('web-1 has no Docker engine')
    // What a compromised guest could make xscontainer report: names and images are the guest's to choose.
    const hostile = daemon
      .listContainers({ all: true, size: true })
      .map((c) =>
        c.Names?.[0] === '/redis-cache'
          ? { ...c, Names: ['/<!channel>'], Image: '<@U0BOSS> & <https://evil.example|docs>' }
          : c,
      )
    setOtherConfigKey(pool, vmRef, 'docker_ps', dockerPsXml(hostile as unknown as Record<string, unknown>[]))
    await waitFor(
      () =>
        bot.app.xen.inventory.findVm('web-1').kind === 'found' &&
        JSON.stringify(bot.app.xen.inventory.vms()).includes('<!channel>'),
      10_000,
      'the hostile name in the inventory',
    )
    await bot.command('alice', '/docker ps web-1')
    const listing = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('nginx-front')),
      'the container list',
    )
    const shown = textOf(listing.blocks)
    expect(shown).toContain('&lt;!channel&gt;')
    expect(shown).toContain('&lt;@U0BOSS&gt; &amp; &lt;https://evil.example|docs&gt;')
    // No control sequence anywhere the bot sent: not in the blocks, not in the notification text.
    const everything = JSON.stringify([bot.slack.calls, bot.slack.responses])
    expect(everything).not.toContain('<!channel>')
    expect(everything).not.toContain('<@U0BOSS>')
    expect(everything).not.toContain('<https://evil')
    expectWithinLimits(bot.slack)
  })

  it('pages a long container list with Next and Prev, editing the same message', async () => {
    const demo = load(readFileSync(new URL('../../../scenarios/demo.yaml', import.meta.url), 'utf8')) as {
      pools: { vms: { name: string; docker?: { containers: unknown[] } }[] }[]
    }
    const web1 = demo.pools[0]?.vms.find((vm) => vm.name === 'web-1')
    for (let i = 1; i <= 45; i++)
      web1?.docker?.containers.push({ name: `worker-${String(i).padStart(2, '0')}`, image: 'busybox:1.36' })
    const bot = await startSlackBot({ scenario: parseScenario(dump(demo), 'demo with 50 containers') })
    await bot.command('alice', '/docker ps web-1 --all')
    const first = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('page 1 of 3')),
      'page 1',
    )
    expect(textOf(first.blocks)).toContain('rows 1–20 of 50')
    const pages = [rowsOf(first.blocks)]

    await bot.pressIn('bob', first, 'Next ▶')
    await bot.slack.until(() => textOf(first.blocks).includes('page 2 of 3') && first, 'page 2')
    expect(textOf(first.blocks)).toContain('rows 21–40 of 50')
    pages.push(rowsOf(first.blocks))
    await bot.pressIn('bob', first, 'Next ▶')
    await bot.slack.until(() => textOf(first.blocks).includes('page 3 of 3') && first, 'page 3')
    pages.push(rowsOf(first.blocks))
    expect(JSON.stringify(first.blocks)).not.toContain('Next ▶')
    // 20 + 20 + 10 rows: every container once, none twice.
    expect(pages.map((p) => p.length)).toEqual([20, 20, 10])
    expect(new Set(pages.flat()).size).toBe(50)
    await bot.pressIn('bob', first, '◀ Prev')
    await bot.slack.until(() => textOf(first.blocks).includes('page 2 of 3') && first, 'back to page 2')
    expect(rowsOf(first.blocks)).toEqual(pages[1])
    // Every page was an edit of the one message.
    expect(bot.slack.callsOf('chat.postMessage')).toHaveLength(1)
    expect(bot.slack.callsOf('chat.update').every((c) => c.params.ts === first.ts)).toBe(true)
    expectWithinLimits(bot.slack)
  })
})
