/**
 * `/docker enable` when it cannot finish: each diagnosis case (no IP, login refused, host key changed,
 * no ncat, no socket, no socket access) answers with xscontainer's sentence; a one-time password is
 * found in no log line, audit entry or database page afterwards; hostile values in every argument are
 * refused before any SSH connection, and a hostile password is only ever an SSH password.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { optionsOf } from '../../adapters/discord/command-json.js'
import { commands } from '../../commands/index.js'
import { usage } from '../../src/core/usage.js'
import { CAUSES } from '../../src/xen/ssh/diagnosis.js'
import { startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'
import { capturingLog } from '../helpers/xen.js'
import { enable, guestOf, ONE_TIME_PASSWORD, setupScenario } from './setup-scenario.js'

/** The injection strings: ;, $(…), backticks, newlines, quotes (and a few more). */
const HOSTILE = [
  'ops; reboot',
  '$(id)',
  '`id`',
  'ops\nroot',
  "o'ps",
  'o"ps',
  'ops && halt',
  '../root',
  '-oProxyCommand=x',
]

const withPassword = (user: string) => ({ user, auth: 'password', password: ONE_TIME_PASSWORD })

describe("each diagnosis case yields xscontainer's sentence", () => {
  it('no IP: the VM reports none (no guest tools)', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const reply = await enable(chat, 'builder-no-tools', { user: 'core', auth: 'key' })
    expect(plain(reply)).toBe(`builder-no-tools reports no IP address. ${CAUSES.network}`)
  })

  it('no SSH server answering at its IP', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    guestOf(chat.sim, 'lab-modern', 'app-server').server = false
    expect(plain(await enable(chat, 'app-server', withPassword('ops')))).toBe(
      `app-server (10.20.0.50): ${CAUSES.network}`,
    )
  })

  it('login refused: a wrong password', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const reply = await enable(chat, 'app-server', { user: 'ops', auth: 'password', password: 'not-the-password' })
    expect(plain(reply)).toBe(
      `app-server (ops@10.20.0.50): ${CAUSES.auth} The password login as ops was refused: check the user name and the one-time password.`,
    )
  })

  it('host key changed since it was pinned', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    await enable(chat, 'app-server', withPassword('ops'))
    guestOf(chat.sim, 'lab-modern', 'app-server').changeHostKey()
    const text = plain(await enable(chat, 'app-server', { user: 'ops', auth: 'key' }))
    expect(text).toContain(`app-server: ${CAUSES.hostKey}`)
    expect(text).toMatch(/an admin runs \/xen trust app-server SHA256:[A-Za-z0-9+/]{43}$/)
  })

  it('no ncat (legacy: xscontainer pipes through it)', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    guestOf(chat.sim, 'lab-legacy', 'legacy-app').ncat = false
    expect(plain(await enable(chat, 'legacy-app', withPassword('core')))).toBe(
      `legacy-app (as core): ${CAUSES.ncat.trim()}`,
    )
  })

  it('no Docker socket', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    guestOf(chat.sim, 'lab-modern', 'app-server').socket = false
    expect(plain(await enable(chat, 'app-server', withPassword('ops')))).toBe(`app-server (as ops): ${CAUSES.socket}`)
  })

  it('no access to the socket: the user is not in the docker group', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const ops = guestOf(chat.sim, 'lab-modern', 'app-server').users.get('ops') ?? expect.fail('no ops')
    ops.dockerGroup = false
    expect(plain(await enable(chat, 'app-server', withPassword('ops')))).toBe(`app-server (as ops): ${CAUSES.access}`)
  })
})

describe('the one-time password', () => {
  it('is found in no log line, audit entry or database page after an enable', async () => {
    const { log, lines } = capturingLog()
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: { 'docker enable': {} }, log })
    const form = (await chat.say('ada', '/docker enable app-server')).form ?? expect.fail('no form')
    const card = await chat.submit('ada', form.token, { vm: 'app-server', ...withPassword('ops') })
    const id = card.kind === 'reply' ? /([a-z0-9]{6}):approve/.exec(JSON.stringify(card.reply))?.[1] : undefined
    const done = await chat.press('bob', `${id}:approve`)
    expect(plain(done)).toContain('Docker is enabled on app-server')
    // It really was used: the password login happened.
    expect(chat.sim.guestSsh.serverOf('lab-modern', 'app-server').logins[0]).toEqual({
      user: 'ops',
      method: 'password',
    })
    const audit = JSON.stringify(await chat.audit())
    const logs = JSON.stringify(lines)
    await chat.bot.store.close()
    const pages = ['', '-wal', '-shm'].map((suffix) => {
      try {
        return readFileSync(`${chat.dbFile}${suffix}`, 'latin1')
      } catch {
        return ''
      }
    })
    expect(logs.length).toBeGreaterThan(0)
    expect(audit).toContain('docker enable')
    for (const sink of [logs, audit, ...pages]) expect(sink).not.toContain(ONE_TIME_PASSWORD)
  })

  it('typed on the command line is refused before the line reaches the audit log', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const reply = await chat.say(
      'ada',
      `/docker enable app-server --user ops --auth password --password ${ONE_TIME_PASSWORD}`,
    )
    expect(plain(reply)).toMatch(/^One-time password can only be given in the form, never on the command line/)
    expect(JSON.stringify(await chat.audit())).not.toContain(ONE_TIME_PASSWORD)
    expect(chat.sim.guestSsh.serverOf('lab-modern', 'app-server').connections).toBe(0)
  })

  it('is offered nowhere but the form: not in the usage line, not as a Discord option', () => {
    const command = commands.find((c) => c.path === 'docker enable') ?? expect.fail('no /docker enable')
    expect(usage(command)).toBe('/docker enable <vm> --user <user> --auth <auth>')
    expect(optionsOf(command).map((o) => o.name)).toEqual(['vm', 'user', 'auth'])
  })
})

describe('hostile arguments', () => {
  it('are refused in vm, user and auth before any SSH connection is made', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const servers = [
      chat.sim.guestSsh.serverOf('lab-modern', 'app-server'),
      chat.sim.guestSsh.serverOf('lab-legacy', 'legacy-app'),
    ]
    for (const hostile of HOSTILE) {
      for (const values of [
        { vm: hostile, user: 'ops', auth: 'password', password: ONE_TIME_PASSWORD },
        { vm: 'app-server', user: hostile, auth: 'password', password: ONE_TIME_PASSWORD },
        { vm: 'legacy-app', user: hostile, auth: 'key' },
        { vm: 'app-server', user: 'ops', auth: hostile },
      ]) {
        const form = (await chat.say('ada', '/docker enable')).form ?? expect.fail('no form')
        const outcome = await chat.submit('ada', form.token, values)
        const text = outcome.kind === 'invalid' ? JSON.stringify(outcome.errors) : plain(outcome.reply)
        expect(text).not.toMatch(/went wrong on our side|enabled on/)
      }
    }
    for (const server of servers) expect(server.connections).toBe(0)
  })

  it('in the password, is only ever an SSH password: no command runs, nothing in the guest changes', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const server = chat.sim.guestSsh.serverOf('lab-modern', 'app-server')
    const ops = guestOf(chat.sim, 'lab-modern', 'app-server').users.get('ops') ?? expect.fail('no ops')
    for (const hostile of [
      '$(reboot)',
      '`id`',
      "'; rm -rf ~/.ssh; '",
      'a"b',
      'x; echo pwned >> ~/.ssh/authorized_keys',
    ]) {
      const reply = await enable(chat, 'app-server', { user: 'ops', auth: 'password', password: hostile })
      expect(plain(reply)).toContain(CAUSES.auth)
    }
    expect(server.commands).toEqual([])
    expect(ops.authorizedKeys).toBe('')
  })
})
