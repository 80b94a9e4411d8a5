/**
 * What the SSH backend says when Docker cannot be reached, for each cause xscontainer's diagnosis
 * names (no IP, refused login, changed host key, no socket, no socket access) and the SSH route's own
 * (no docker CLI, stream-local refused, a cut answer); and that a hostile container argument is refused
 * before any connection is made.
 */
import { describe, expect, it } from 'vitest'
import { CAUSES } from '../../../src/xen/ssh/diagnosis.js'
import { fingerprintOf } from '../../helpers/ssh-client.js'
import { startBackend } from './backend-fixture.js'

const hostKeyBlob = (publicLine: string) => Buffer.from(publicLine.split(' ')[1] ?? '', 'base64')

describe('host keys', () => {
  it('pins the first key a VM presents, then refuses a changed one with both fingerprints', async () => {
    const { backend, vm, guest, store, sim } = await startBackend()
    const box = vm('box')
    await backend.list(box)
    const first = fingerprintOf(hostKeyBlob(guest('box').hostKey.public))
    expect(await store.hostKeys.get(box.uuid)).toMatchObject({
      fingerprint: first,
      pinnedBy: 'first use',
      vmName: 'box',
    })

    guest('box').changeHostKey()
    sim.guestSsh.serverOf('lab', 'box').dropConnections()
    const server = sim.guestSsh.serverOf('lab', 'box')
    const logins = server.logins.length
    const now = fingerprintOf(hostKeyBlob(guest('box').hostKey.public))
    const error = await backend.list(box).then(
      () => expect.fail('a changed host key was accepted'),
      (e: Error & { code: string }) => e,
    )
    expect(error.code).toBe('ssh.host_key_changed')
    expect(error.message).toContain(CAUSES.hostKey)
    expect(error.message).toContain(`It now presents ${now}; the bot trusts ${first}`)
    expect(error.message).toContain(`/xen trust box ${now}`)
    expect(server.logins.length).toBe(logins)
    expect((await store.hostKeys.get(box.uuid))?.fingerprint).toBe(first)
  })
})

describe("xscontainer's diagnosis sentences", () => {
  it('a refused login: the bot key is not installed', async () => {
    const { backend, vm, guest } = await startBackend()
    const core = guest('box').users.get('core') ?? expect.fail('no core')
    core.authorizedKeys = ''
    await expect(backend.list(vm('box'))).rejects.toMatchObject({
      code: 'ssh.auth',
      message: `box (core@10.9.0.1): ${CAUSES.auth} The login as core with the bot's key was refused: run /docker enable box to install it.`,
    })
  })

  it('nothing answers on port 22, or the VM reports no IP, or is not running', async () => {
    const { backend, vm } = await startBackend()
    await expect(backend.list(vm('no-sshd'))).rejects.toMatchObject({
      code: 'ssh.network',
      message: `no-sshd (core@10.9.0.3): ${CAUSES.network}`,
    })
    await expect(backend.list(vm('box', { ip: undefined }))).rejects.toMatchObject({
      code: 'ssh.network',
      message: `box reports no IP address. ${CAUSES.network}`,
    })
    await expect(backend.list(vm('sleeper'))).rejects.toMatchObject({ code: 'vm.not_running' })
  })

  it('no docker CLI, no socket, no socket access (dial-stdio)', async () => {
    const { backend, vm, guest } = await startBackend()
    await expect(backend.list(vm('bare'))).rejects.toMatchObject({ message: `bare: ${CAUSES.dockerCli} (as core)` })
    guest('bare').dockerCli = true
    await expect(backend.list(vm('bare'))).rejects.toMatchObject({ message: `bare: ${CAUSES.socket} (as core)` })
    const ops = guest('box').users.get('ops') ?? expect.fail('no ops')
    ops.authorizedKeys = (guest('box').users.get('core')?.authorizedKeys ?? '').trim()
    const asOps = vm('box', { docker: { monitor: 'absent', backend: { kind: 'ssh', reason: 't' }, sshUser: 'ops' } })
    await expect(backend.list(asOps)).rejects.toMatchObject({ message: `box: ${CAUSES.access} (as ops)` })
  })

  it('stream-local refused by sshd', async () => {
    const { backend, vm, guest } = await startBackend({ transport: 'streamlocal' })
    guest('box').streamLocal = false
    await expect(backend.list(vm('box'))).rejects.toMatchObject({
      code: 'ssh.docker_unreachable',
      message: expect.stringContaining('the SSH server refused to connect core to /var/run/docker.sock'),
    })
  })

  it('an answer cut after its headers ends at the deadline, not never', async () => {
    const { backend, vm, sim } = await startBackend({ callTimeoutMs: 800 })
    sim.guestSsh.serverOf('lab', 'box').engine.truncate(/^\/containers\/json$/)
    await expect(backend.list(vm('box'))).rejects.toMatchObject({
      code: 'ssh.timeout',
      message: expect.stringMatching(/^box did not answer the list request within 1 s over SSH/),
    })
    expect((await backend.list(vm('box'))).length).toBe(3)
  })
})

describe('arguments', () => {
  const HOSTILE = ['web; rm -rf /', '$(reboot)', '`id`', 'web\nrm', "we'b", 'we"b', '../../version', 'web?all=1', '']

  it('refuses injection strings in the container argument before any SSH connection', async () => {
    const { backend, vm, sim } = await startBackend()
    const server = sim.guestSsh.serverOf('lab', 'box')
    for (const bad of HOSTILE) {
      await expect(backend.inspect(vm('box'), bad)).rejects.toMatchObject({ code: 'docker.invalid_container' })
      await expect(backend.act(vm('box'), bad, 'stop')).rejects.toMatchObject({ code: 'docker.invalid_container' })
      await expect(backend.logs(vm('box'), bad, { tail: 5 })).rejects.toMatchObject({
        code: 'docker.invalid_container',
      })
    }
    expect(server.connections).toBe(0)
  })
})
