/**
 * The Discord adapter as the bot runs it: `platforms.discord` in the config (token by environment
 * variable, server ids, the fake's REST base), started by main.ts's startDiscordOnLeader over the whole app,
 * reported in /healthz, answering a command from a member whose server role grants the rights. The
 * config refuses Discord users or roles given by name, and an inline token.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type App, createApp } from '../../../src/app.js'
import { ConfigError, validateConfig } from '../../../src/config.js'
import { silentLog } from '../../../src/log.js'
import { startDiscordOnLeader } from '../../../src/main.js'
import { FakeDiscord, snowflake } from '../../helpers/fake-discord/fake-discord.js'
import { chatInput, opt, sub } from '../../helpers/fake-discord/fake-interactions.js'
import { startSim } from '../../helpers/sim.js'
import { FAST_TUNING } from '../../helpers/xen.js'

const cleanups: (() => Promise<void> | void)[] = []

// Registered after helpers/sim's hook, so it runs before the simulator closes.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const problemsOf = (input: unknown): string[] => {
  try {
    validateConfig(input, 'test')
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems.map((p) => `${p.path}: ${p.message}`)
  }
}

const base = (discord: Record<string, unknown>, subjects: unknown[]) => ({
  pools: [{ name: 'lab', url: 'https://xs.example', password: { env: 'PW' } }],
  access: { roles: { operator: { permissions: ['docker.read'] } }, subjects },
  platforms: { discord },
})

describe('Discord in the app', () => {
  it('starts from platforms.discord, reports in /healthz, and answers a member through their server role', async () => {
    const sim = await startSim({ scenario: 'demo' })
    const fake = await FakeDiscord.start()
    cleanups.push(() => fake.close())
    const config = validateConfig(
      {
        pools: sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'SIM_PW' } })),
        access: {
          roles: { operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] } },
          subjects: [{ platform: 'discord', groups: [fake.operatorRole], roles: ['operator'] }],
        },
        platforms: {
          discord: { token: { env: 'DISCORD_BOT_TOKEN' }, guilds: [fake.guildId], api: fake.api },
        },
        http: { port: 0 },
      },
      'test config',
    )
    const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-discord-app-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const app: App = await createApp({
      config,
      log: silentLog,
      env: { SIM_PW: sim.pools[0]?.password ?? '' },
      dataDir,
      tuning: FAST_TUNING,
    })
    cleanups.push(() => app.stop())
    await Promise.all(app.xen.connections.map((c) => c.synced(10_000)))
    const http = await app.startHttp()
    // As runBot starts it: on the leader, which a bot alone is from its start.
    const discord = await startDiscordOnLeader(app, config, silentLog, { DISCORD_BOT_TOKEN: fake.token })
    const bot = discord.current()
    if (!bot) throw new Error('the Discord adapter did not start')
    cleanups.push(() => bot.stop())
    expect(fake.gateway.identifies[0]).toMatchObject({ token: fake.token })
    expect(fake.registered.get(fake.guildId)).toEqual(bot.registered)

    const healthz = async () =>
      (await fetch(`${http?.url}/healthz`)).json() as Promise<{ ok: boolean; problems: string[] }>
    expect(await healthz()).toMatchObject({ ok: true, problems: [] })

    const member = { id: snowflake(), username: 'dana', roles: [fake.operatorRole] }
    const vms = chatInput(fake, member, 'docker', [sub('vms', [opt('pool', 'lab-legacy')])])
    const answer = await fake.waitFor((r) => r.method === 'PATCH' && r.path.includes(vms.token), 'the answer')
    expect(JSON.stringify(answer.body)).toContain('web-1')
    expect(JSON.stringify(answer.body)).not.toContain('permission')

    await bot.stop()
    expect(await healthz()).toMatchObject({ ok: false, problems: ['adapter discord is not connected'] })
  })

  it('refuses Discord users and roles given by name, and a token written in the file', () => {
    const guild = snowflake()
    expect(
      problemsOf(
        base({ token: { env: 'DISCORD_BOT_TOKEN' }, guilds: [guild] }, [
          { platform: 'discord', users: ['alice'], groups: ['operators'], roles: ['operator'] },
          { platform: 'shell', users: ['alice'], roles: ['operator'] },
        ]),
      ),
    ).toEqual([
      'access.subjects[0].users[0]: Discord users are given by id (17 to 20 digits), not by name: names can be changed by anyone',
      'access.subjects[0].groups[0]: Discord roles are given by id (17 to 20 digits), not by name: names can be changed by anyone',
    ])
    const inline = problemsOf(
      base({ token: 'MTIz.abc.def', guilds: [guild] }, [{ platform: 'shell', users: ['a'], roles: ['operator'] }]),
    )
    expect(inline).toHaveLength(1)
    expect(inline[0]).toMatch(/^platforms\.discord\.token: /)
    expect(inline[0]).not.toContain('MTIz')
    expect(
      problemsOf(base({ token: { env: 'T' }, guilds: [] }, [{ platform: 'shell', users: ['a'], roles: ['operator'] }])),
    ).toEqual(['platforms.discord.guilds: give the id of at least one server (guild) the bot answers in'])
  })
})
