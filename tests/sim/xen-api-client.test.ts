/**
 * The real `xen-api` 4.7.6 client (Xen Orchestra's) against the simulator: the client we did not write
 * is the judge of the simulator's fidelity. Each test follows one behaviour the bot relies on.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { startSim } from '../helpers/sim.js'
import { cached, cachedByName, nextUpdate, testClient } from '../helpers/xen-api-client.js'

async function connectedLab() {
  const sim = await startSim()
  const lab = sim.pool('lab')
  const xapi = testClient(lab.url, lab.username, lab.password)
  await xapi.connect()
  await xapi.objectsFetched
  return { sim, lab, xapi }
}

describe('xen-api client against the simulator', () => {
  it('connects and fills its object cache with full records that resolve refs', async () => {
    const { xapi, lab } = await connectedLab()
    expect(xapi.status).toBe('connected')
    expect(xapi.pool.name_label).toBe('lab')
    const vms = cached(xapi, 'VM').map((v) => v.name_label)
    expect(vms).toEqual(expect.arrayContaining(['web-1', 'db-1', 'appliance-no-tools', 'Debian Bookworm 12']))
    expect(cached(xapi, 'VM')).toHaveLength(lab.pool.store.count('VM'))
    const web = cachedByName(xapi, 'VM', 'web-1')
    // `$resident_on` is the client's ref-resolving getter: it works only if records are complete.
    expect((web.$resident_on as { name_label: string }).name_label).toBe('lab-host-1')
    expect(web.$id).toBe(web.uuid)
    expect(xapi.getObject(web.uuid as string)).toBe(web)
  })

  it('runs call() and reports XAPI errors as XapiError with code and params', async () => {
    const { xapi } = await connectedLab()
    const web = cachedByName(xapi, 'VM', 'web-1')
    expect(await xapi.call('VM.get_name_label', web.$ref)).toBe('web-1')
    await expect(xapi.call('VM.start', web.$ref, false, false)).rejects.toMatchObject({
      code: 'VM_BAD_POWER_STATE',
      params: [web.$ref, 'halted', 'running'],
    })
    await expect(xapi.call('VM.get_record', 'OpaqueRef:bad')).rejects.toMatchObject({
      code: 'HANDLE_INVALID',
      params: ['VM', 'OpaqueRef:bad'],
    })
  })

  it('resolves callAsync of VM.clone to the new VM ref and sees the clone through events', async () => {
    const { xapi, lab } = await connectedLab()
    const template = cachedByName(xapi, 'VM', 'Debian Bookworm 12')
    const ref = await xapi.callAsync<string>('VM.clone', template.$ref, 'clone-1')
    expect(ref).toMatch(/^OpaqueRef:[0-9a-f-]{36}$/)
    expect(lab.pool.store.get('VM', ref).name_label).toBe('clone-1')
    const clone = await xapi.barrier(ref)
    expect(clone.name_label).toBe('clone-1')
    // callAsync destroys its task afterwards; the simulator must not keep it.
    expect(lab.pool.store.count('task')).toBe(0)
  })

  it('rejects callAsync with the task error when the task fails', async () => {
    const { xapi } = await connectedLab()
    const web = cachedByName(xapi, 'VM', 'web-1')
    await expect(xapi.callAsync('VM.start', web.$ref, false, false)).rejects.toMatchObject({
      code: 'VM_BAD_POWER_STATE',
      params: [web.$ref, 'halted', 'running'],
    })
  })

  it('provisions and starts a clone, then sees the guest agent report its IP', async () => {
    const { xapi } = await connectedLab()
    const template = cachedByName(xapi, 'VM', 'Debian Bookworm 12')
    const ref = await xapi.callAsync<string>('VM.clone', template.$ref, 'built')
    await xapi.callAsync('VM.provision', ref)
    await xapi.call('VM.set_is_a_template', ref, false)
    const reported = nextUpdate(xapi, (o) => o.$type === 'VM' && o.$ref === ref && o.guest_metrics !== 'OpaqueRef:NULL')
    await xapi.callAsync('VM.start', ref, false, false)
    const vm = await xapi.barrier(ref)
    expect(vm.power_state).toBe('Running')
    expect((vm.$VBDs as unknown[]).length).toBe(1)
    await reported
  })

  it('barrier() round-trips through the event loop', async () => {
    const { xapi } = await connectedLab()
    // barrier() writes a key to pool.other_config and resolves only once the mod event for it comes
    // back through event.from; a simulator that lost the event would hang it until the test timeout.
    await expect(xapi.barrier()).resolves.toBeUndefined()
  })

  it('getField / setField round-trip', async () => {
    const { xapi } = await connectedLab()
    const web = cachedByName(xapi, 'VM', 'web-1')
    await xapi.setField('VM', web.$ref, 'name_description', 'front end')
    expect(await xapi.getField('VM', web.$ref, 'name_description')).toBe('front end')
    const updated = await xapi.barrier(web.$ref)
    expect(updated.name_description).toBe('front end')
  })

  it('sees a record change made on the server arrive through its event loop', async () => {
    const { xapi, lab } = await connectedLab()
    const web = cachedByName(xapi, 'VM', 'web-1')
    const seen = nextUpdate(xapi, (o) => o.$ref === web.$ref && o.name_description === 'changed on the host')
    lab.pool.store.update('VM', web.$ref, { name_description: 'changed on the host' })
    const updated = await seen
    expect(updated.name_label).toBe('web-1')
  })

  it('recovers after the simulator drops every session', async () => {
    const { xapi, lab } = await connectedLab()
    const web = cachedByName(xapi, 'VM', 'web-1')
    const dropped = lab.pool.sessions.dropAll()
    expect(dropped).toBeGreaterThanOrEqual(1)
    expect(await xapi.call('VM.get_name_label', web.$ref)).toBe('web-1')
    // The event loop re-subscribes too: a later change still arrives.
    const seen = nextUpdate(xapi, (o) => o.$ref === web.$ref && o.name_description === 'after the drop')
    lab.pool.store.update('VM', web.$ref, { name_description: 'after the drop' })
    await seen
  })

  it('follows HOST_IS_SLAVE from a pool member to the master', async () => {
    const sim = await startSim()
    const lab = sim.pool('lab')
    const member = lab.members[0]
    expect(member?.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/)
    const xapi = testClient(member?.url ?? '', lab.username, lab.password)
    await xapi.connect()
    expect(xapi.pool.name_label).toBe('lab')
    expect(member?.server.requests).toBe(1)
    expect(lab.server.requests).toBeGreaterThan(1)
  })

  it('speaks XML-RPC too when told to', async () => {
    const sim = await startSim()
    const lab = sim.pool('lab')
    const xapi = testClient(lab.url, lab.username, lab.password, 'xml-rpc')
    await xapi.connect()
    await xapi.objectsFetched
    const web = cachedByName(xapi, 'VM', 'web-1')
    // int64 arrives as a string over XML-RPC, exactly as from real xapi.
    expect(web.memory_static_max).toBe(String(2 * 1024 ** 3))
    const template = cachedByName(xapi, 'VM', 'Debian Bookworm 12')
    const ref = await xapi.callAsync<string>('VM.clone', template.$ref, 'xml-clone')
    expect(lab.pool.store.get('VM', ref).name_label).toBe('xml-clone')
  })

  it('disconnects without leaving the process alive', async () => {
    const fixture = fileURLToPath(new URL('../fixtures/xen-api-disconnect.ts', import.meta.url))
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
    const started = Date.now()
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(tsx, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d
      })
      child.on('close', (c) => resolve({ code: c, stdout: out }))
    })
    expect(stdout.trim()).toBe('disconnected')
    expect(code).toBe(0)
    // With the client's default 60 s eventPollDelay, a simulator that closed its sockets before
    // answering the long poll would keep the child alive for a minute.
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 30_000)
})
