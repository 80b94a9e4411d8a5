/**
 * `/docker enable` and `/docker disable` through the real dispatcher, governance and store, against the
 * simulated pools and guests: a modern VM ends served over SSH, a legacy one registered with xscontainer
 * and monitored; a second run leaves one copy of each key; an approval runs the job with the password
 * read once; disable undoes it.
 */
import { describe, expect, it } from 'vitest'
import type { Reply, SubmitOutcome } from '../../src/core/reply.js'
import { authorizedKeyLines } from '../../src/sim/guest-ssh/guest-ssh.js'
import { approvalIdOf, type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { fieldsOf, plain } from '../helpers/test-chat.js'
import { enable, guestOf, ONE_TIME_PASSWORD, setupScenario } from './setup-scenario.js'

const replied = (outcome: SubmitOutcome): Reply => {
  if (outcome.kind !== 'reply') throw new Error(`the form was refused: ${JSON.stringify(outcome.errors)}`)
  return outcome.reply
}

const vmRecord = (chat: GovernedChat, pool: string, vm: string) => {
  const simPool = chat.simPool(pool)
  const ref = simPool.store.find('VM', (r) => r.name_label === vm)[0] ?? ''
  return simPool.store.get('VM', ref)
}

describe('/docker enable on a modern VM', () => {
  it('installs the key with a one-time password, then /docker ps answers through SSH', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const form = (await chat.say('ada', '/docker enable app-server')).form ?? expect.fail('no form')
    expect(form.inputs.map((i) => [i.id, i.kind === 'text' && i.secret === true])).toEqual([
      ['vm', false],
      ['user', false],
      ['auth', false],
      ['password', true],
    ])
    const reply = replied(
      await chat.submit('ada', form.token, {
        vm: 'app-server',
        user: 'ops',
        auth: 'password',
        password: ONE_TIME_PASSWORD,
      }),
    )
    expect(plain(reply)).toContain('Docker is enabled on app-server: 3 containers, served by ssh')
    expect(fieldsOf(reply)).toMatchObject({ User: 'ops', Backend: 'ssh', 'Keys installed': 'xen-chatops@test' })
    const ops = guestOf(chat.sim, 'lab-modern', 'app-server').users.get('ops') ?? expect.fail('no ops')
    expect(authorizedKeyLines(ops.authorizedKeys)).toEqual([chat.identity.publicLine])
    expect(vmRecord(chat, 'lab-modern', 'app-server')).toMatchObject({
      tags: ['docker'],
      other_config: expect.objectContaining({ 'xscontainer-username': 'ops', 'xscontainer-mode': 'ssh' }),
    })

    const ps = await chat.say('alice', '/docker ps app-server --all')
    expect(fieldsOf(ps)).toMatchObject({
      VM: 'app-server',
      Backend: 'ssh (tagged "docker": Docker is reached over SSH)',
    })
    expect(plain(ps)).toMatch(/api \| [0-9a-f]{10} \| node:20-alpine \| Up/)
    expect(plain(ps)).toContain('2 running of 3')
  })

  it('run twice (the second time with the key already there) leaves one copy of the key', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const ops = guestOf(chat.sim, 'lab-modern', 'app-server').users.get('ops') ?? expect.fail('no ops')
    ops.authorizedKeys = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOPS ops@laptop' // no newline at the end
    await enable(chat, 'app-server', { user: 'ops', auth: 'password', password: ONE_TIME_PASSWORD })
    const again = await enable(chat, 'app-server', { user: 'ops', auth: 'key' })
    expect(plain(again)).toContain('Docker is enabled on app-server')
    expect(authorizedKeyLines(ops.authorizedKeys)).toEqual([
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOPS ops@laptop',
      chat.identity.publicLine,
    ])
  })
})

describe('/docker enable on a legacy VM', () => {
  it("installs the bot's and the pool's keys, registers it, and ends with the monitor filling docker_ps", async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    const reply = await enable(chat, 'legacy-app', { user: 'core', auth: 'password', password: ONE_TIME_PASSWORD })
    expect(plain(reply)).toContain('Docker is enabled on legacy-app: 2 containers, served by xscontainer')
    const record = vmRecord(chat, 'lab-legacy', 'legacy-app')
    const otherConfig = record.other_config as Record<string, string>
    expect(otherConfig).toMatchObject({
      'xscontainer-monitor': 'True',
      'xscontainer-username': 'core',
      'xscontainer-mode': 'ssh',
    })
    expect(otherConfig.docker_ps).toContain('<names>shop</names>')
    expect(record.tags).toEqual([])

    // The pool's key came from the pool's secrets (made as the pack makes them, since none existed).
    const pool = chat.simPool('lab-legacy')
    const poolOther = pool.store.get('pool', pool.poolRef).other_config as Record<string, string>
    const secretRef = pool.store.byUuid('secret', poolOther['xscontainer-public-secret-uuid'])
    const poolKey = String(pool.store.get('secret', secretRef).value)
    expect(poolKey).toMatch(/^ssh-rsa AAAA/)
    const core = guestOf(chat.sim, 'lab-legacy', 'legacy-app').users.get('core') ?? expect.fail('no core')
    expect(authorizedKeyLines(core.authorizedKeys)).toEqual([chat.identity.publicLine, poolKey])

    const ps = await chat.say('alice', '/docker ps legacy-app')
    expect(fieldsOf(ps).Backend).toMatch(/^xscontainer/)
    expect(plain(ps)).toContain('shop-db')

    await enable(chat, 'legacy-app', { user: 'core', auth: 'key' })
    expect(authorizedKeyLines(core.authorizedKeys)).toEqual([chat.identity.publicLine, poolKey])
  })
})

describe('/docker enable with an approval', () => {
  it('waits for an approver; the password is read once, when the approved job runs', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: { 'docker enable': {} } })
    const form = (await chat.say('ada', '/docker enable app-server')).form ?? expect.fail('no form')
    const card = replied(
      await chat.submit('ada', form.token, {
        vm: 'app-server',
        user: 'ops',
        auth: 'password',
        password: ONE_TIME_PASSWORD,
      }),
    )
    expect(plain(card)).toContain('enable Docker on app-server as ops')
    const ops = guestOf(chat.sim, 'lab-modern', 'app-server').users.get('ops') ?? expect.fail('no ops')
    expect(ops.authorizedKeys).toBe('')
    const done = await chat.press('bob', `${approvalIdOf(card)}:approve`)
    expect(plain(done)).toContain('Docker is enabled on app-server')
    expect(authorizedKeyLines(ops.authorizedKeys)).toEqual([chat.identity.publicLine])
    expect((await chat.audit()).map((e) => JSON.stringify(e.data)).join('\n')).toContain('password=[secret]')
  })
})

describe('/docker disable', () => {
  it('removes the docker tag and, asked to, the bot key; /docker ps then says the VM is not managed', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    await enable(chat, 'app-server', { user: 'ops', auth: 'password', password: ONE_TIME_PASSWORD })
    const confirm = await chat.say('ada', '/docker disable app-server --remove-key')
    const token = confirm.blocks
      .flatMap((b) => (b.kind === 'actions' ? b.actions : []))
      .find((a) => a.label === 'Confirm')
    const reply = await chat.press('ada', token?.token ?? expect.fail('no confirm button'))
    expect(plain(reply)).toContain('app-server is no longer Docker-managed')
    const ops = guestOf(chat.sim, 'lab-modern', 'app-server').users.get('ops') ?? expect.fail('no ops')
    expect(ops.authorizedKeys).toBe('')
    expect(vmRecord(chat, 'lab-modern', 'app-server').tags).toEqual([])
    await expect
      .poll(async () => plain(await chat.say('alice', '/docker ps app-server')))
      .toMatch(/^app-server is not Docker-managed/)
  })

  it('deregisters a legacy VM: xscontainer stops monitoring it and its docker_* keys go', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    await enable(chat, 'legacy-app', { user: 'core', auth: 'password', password: ONE_TIME_PASSWORD })
    const confirm = await chat.say('ada', '/docker disable legacy-app')
    const token = confirm.blocks
      .flatMap((b) => (b.kind === 'actions' ? b.actions : []))
      .find((a) => a.label === 'Confirm')
    expect(plain(await chat.press('ada', token?.token ?? ''))).toContain('legacy-app is no longer Docker-managed')
    const otherConfig = vmRecord(chat, 'lab-legacy', 'legacy-app').other_config as Record<string, string>
    expect(otherConfig['xscontainer-monitor']).toBe('False')
    expect(otherConfig.docker_ps).toBeUndefined()
  })
})
