/**
 * The simulated guests' sshd with the real ssh2 client: who gets in (passwords, authorized keys with a
 * real signature check), when nothing answers (halted VM, no sshd), host keys per guest and a changed
 * one, and the fixed commands: xscontainer's checks, the key install and removal scripts, unknown lines.
 */
import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { GUEST_COMMANDS } from '../../../src/sim/guest-ssh/guest-commands.js'
import { generateEd25519 } from '../../../src/xen/ssh/generate-key.js'
import { startSim } from '../../helpers/sim.js'
import { connect, type Endpoint, exec, fingerprintOf } from '../../helpers/ssh-client.js'
import { CORE_PASSWORD, guestsScenario, OPS_PASSWORD } from './guests-fixture.js'

async function start() {
  const sim = await startSim({ scenario: guestsScenario() })
  const endpoint = async (ip: string): Promise<Endpoint> => (await sim.sshEndpoint(ip)) ?? expect.fail(`no ${ip}`)
  const guest = (vm: string) => {
    const pool = sim.pool('lab').pool
    const ref = pool.store.find('VM', (r) => r.name_label === vm)[0] ?? ''
    return pool.guests.get(ref)?.ssh ?? expect.fail(`no SSH model for ${vm}`)
  }
  return { sim, endpoint, guest }
}

describe('simulated sshd', () => {
  it('maps each guest IP to its own loopback port, and knows no other address', async () => {
    const { sim } = await start()
    const a = await sim.sshEndpoint('10.9.0.1')
    const b = await sim.sshEndpoint('10.9.0.4')
    expect(a?.host).toBe('127.0.0.1')
    expect(a?.port).toBeGreaterThan(0)
    expect(b?.port).not.toBe(a?.port)
    expect(await sim.sshEndpoint('10.9.0.99')).toBeUndefined()
  })

  it('lets a password account in, and refuses a wrong password and an account without one', async () => {
    const { endpoint, guest } = await start()
    const at = await endpoint('10.9.0.1')
    const client = await connect(at, { username: 'core', password: CORE_PASSWORD })
    expect(await exec(client, 'echo hello world')).toEqual({ code: 0, stdout: 'hello world\n', stderr: '' })
    await expect(connect(at, { username: 'core', password: 'wrong' })).rejects.toMatchObject({
      level: 'client-authentication',
    })
    guest('box').addUser('keyonly')
    await expect(connect(at, { username: 'keyonly', password: '' })).rejects.toMatchObject({
      level: 'client-authentication',
    })
  })

  it('lets a key in only once its line is in authorized_keys', async () => {
    const { endpoint, guest, sim } = await start()
    const at = await endpoint('10.9.0.1')
    const key = generateEd25519('tester')
    await expect(connect(at, { username: 'core', privateKey: key.private })).rejects.toMatchObject({
      level: 'client-authentication',
    })
    const core = guest('box').users.get('core') ?? expect.fail('no core')
    core.authorizedKeys = `${key.public}\n`
    const client = await connect(at, { username: 'core', privateKey: key.private })
    expect((await exec(client, 'echo hello world')).stdout).toBe('hello world\n')
    expect(sim.guestSsh.serverOf('lab', 'box').logins.at(-1)).toEqual({ user: 'core', method: 'publickey' })
  })

  it('answers nothing for a halted VM or a guest without sshd', async () => {
    const { endpoint } = await start()
    for (const ip of ['10.9.0.2', '10.9.0.3']) {
      await expect(
        connect(await endpoint(ip), { username: 'core', password: CORE_PASSWORD }, { readyTimeout: 2000 }),
      ).rejects.toBeInstanceOf(Error)
    }
  })

  it('presents one ed25519 host key per guest, and another after the guest changed it', async () => {
    const { endpoint, guest } = await start()
    const seen: Buffer[] = []
    const login = async (ip: string) =>
      (await connect(await endpoint(ip), { username: 'core', password: CORE_PASSWORD }, { hostKeys: seen })).end()
    await login('10.9.0.1')
    await login('10.9.0.1')
    await login('10.9.0.4')
    const [first, again, other] = seen.map(fingerprintOf)
    expect(first).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(again).toBe(first)
    expect(other).not.toBe(first)
    const box = guest('box')
    expect(ssh2.utils.parseKey(box.hostKey.public)).toMatchObject({ type: 'ssh-ed25519' })
    box.changeHostKey()
    await login('10.9.0.1')
    expect(fingerprintOf(seen[3] ?? Buffer.alloc(0))).not.toBe(first)
  })
})

describe('commands in a simulated guest', () => {
  it("runs xscontainer's checks against what the guest has", async () => {
    const { endpoint } = await start()
    const box = await connect(await endpoint('10.9.0.1'), { username: 'core', password: CORE_PASSWORD })
    const ops = await connect(await endpoint('10.9.0.1'), { username: 'ops', password: OPS_PASSWORD })
    const bare = await connect(await endpoint('10.9.0.4'), { username: 'core', password: CORE_PASSWORD })
    const codes = async (client: ssh2.Client) => ({
      ncat: (await exec(client, GUEST_COMMANDS.ncat)).code,
      docker: (await exec(client, GUEST_COMMANDS.dockerCli)).code,
      socket: (await exec(client, GUEST_COMMANDS.socketExists)).code,
      access: (await exec(client, GUEST_COMMANDS.socketAccess)).code,
    })
    expect(await codes(box)).toEqual({ ncat: 0, docker: 0, socket: 0, access: 0 })
    expect(await codes(ops)).toEqual({ ncat: 0, docker: 0, socket: 0, access: 1 })
    expect(await codes(bare)).toEqual({ ncat: 1, docker: 1, socket: 1, access: 1 })
  })

  it('installs keys from stdin once each, after a last line that lacked its newline, and removes them', async () => {
    const { endpoint, guest } = await start()
    const core = guest('box').users.get('core') ?? expect.fail('no core')
    core.authorizedKeys = 'ssh-ed25519 AAAAexisting someone@laptop'
    const client = await connect(await endpoint('10.9.0.1'), { username: 'core', password: CORE_PASSWORD })
    const keys = 'ssh-ed25519 AAAAbot xen-chatops\nssh-rsa AAAApool xscontainer\n'
    expect((await exec(client, GUEST_COMMANDS.installKeys, keys)).code).toBe(0)
    expect((await exec(client, GUEST_COMMANDS.installKeys, keys)).code).toBe(0)
    expect(core.authorizedKeys).toBe(
      'ssh-ed25519 AAAAexisting someone@laptop\nssh-ed25519 AAAAbot xen-chatops\nssh-rsa AAAApool xscontainer\n',
    )
    expect((await exec(client, GUEST_COMMANDS.removeKeys, 'ssh-ed25519 AAAAbot xen-chatops\n')).code).toBe(0)
    expect(core.authorizedKeys).toBe('ssh-ed25519 AAAAexisting someone@laptop\nssh-rsa AAAApool xscontainer\n')
  })

  it('fails any other line as an unknown command, without running anything', async () => {
    const { endpoint, guest } = await start()
    const before = guest('box').users.get('core')?.authorizedKeys
    const client = await connect(await endpoint('10.9.0.1'), { username: 'core', password: CORE_PASSWORD })
    expect(await exec(client, 'rm -rf ~/.ssh; echo hello world')).toEqual({
      code: 127,
      stdout: '',
      stderr: 'bash: line 1: rm: command not found\n',
    })
    expect(guest('box').users.get('core')?.authorizedKeys).toBe(before)
  })

  it('reports dial-stdio failures the way the docker CLI does', async () => {
    const { endpoint, guest } = await start()
    const bare = await connect(await endpoint('10.9.0.4'), { username: 'core', password: CORE_PASSWORD })
    expect(await exec(bare, GUEST_COMMANDS.dialStdio)).toEqual({
      code: 127,
      stdout: '',
      stderr: 'bash: line 1: docker: command not found\n',
    })
    guest('bare').dockerCli = true
    expect(await exec(bare, GUEST_COMMANDS.dialStdio)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('failed to open the raw stream connection: dial unix /var/run/docker.sock'),
    })
    const ops = await connect(await endpoint('10.9.0.1'), { username: 'ops', password: OPS_PASSWORD })
    expect((await exec(ops, GUEST_COMMANDS.dialStdio)).stderr).toContain('connect: permission denied')
  })
})
