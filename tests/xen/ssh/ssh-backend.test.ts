/**
 * The SSH Docker backend with the real ssh2 client and real dockerode against the simulated guests:
 * every operation, over both transports, on one SSH connection per VM; logs from the multiplexed
 * stream (tail, control characters, size cap); a container that exits while a call is in flight.
 */
import { describe, expect, it } from 'vitest'
import { startBackend } from './backend-fixture.js'

describe('SSH Docker backend', () => {
  for (const transport of ['dial-stdio', 'streamlocal'] as const) {
    it(`lists, inspects, lists processes and gives stats over ${transport}`, async () => {
      const { backend, vm } = await startBackend({ transport })
      const box = vm('box')
      const containers = await backend.list(box)
      expect(containers.map((c) => [c.name, c.state, c.status]).sort()).toEqual([
        ['cron', 'running', 'Up'],
        ['done', 'exited', 'Exited (0)'],
        ['web', 'running', 'Up'],
      ])
      const web = containers.find((c) => c.name === 'web') ?? expect.fail('no web')
      expect(web.key).toBe(web.id.slice(0, 10))
      expect(web.ports).toContainEqual({ ip: '0.0.0.0', privatePort: '80', publicPort: '8080', type: 'tcp' })
      expect(await backend.inspect(box, web.key)).toMatchObject({ Id: web.id, Name: '/web' })
      const top = await backend.top(box, 'web')
      expect(top.titles).toContain('CMD')
      expect(top.processes.length).toBeGreaterThan(0)
      expect(await backend.stats(box, 'web')).toMatchObject({ id: web.id, name: '/web' })
    })
  }

  it('runs every lifecycle action, and Docker has done it when the call returns', async () => {
    const { backend, vm, sim } = await startBackend()
    const box = vm('box')
    const daemon = sim
      .pool('lab')
      .pool.guests.get(sim.pool('lab').pool.store.find('VM', (r) => r.name_label === 'box')[0] ?? '')?.docker
    const state = () => daemon?.inspect('web').State
    await backend.act(box, 'web', 'pause')
    expect(state()).toMatchObject({ Paused: true })
    await backend.act(box, 'web', 'unpause')
    await backend.act(box, 'web', 'stop')
    expect(state()).toMatchObject({ Running: false })
    await backend.act(box, 'web', 'start')
    await backend.act(box, 'web', 'restart')
    expect(state()).toMatchObject({ Running: true, Paused: false })
    await expect(backend.act(box, 'web', 'start')).rejects.toMatchObject({
      code: 'docker.http_304',
      message: 'web in box is already running',
    })
  })

  it('shares one SSH connection between calls, and connects again after sshd dropped it', async () => {
    const { backend, vm, sim } = await startBackend()
    const box = vm('box')
    const server = sim.guestSsh.serverOf('lab', 'box')
    for (let i = 0; i < 5; i++) await backend.list(box)
    await Promise.all([backend.list(box), backend.inspect(box, 'web'), backend.top(box, 'web')])
    expect(server.logins).toHaveLength(1)
    server.dropConnections()
    expect((await backend.list(box)).length).toBe(3)
    expect(server.logins).toHaveLength(2)
  })

  it('gives the last N log lines from the multiplexed stream, without control characters', async () => {
    const { backend, vm } = await startBackend()
    const lines = await backend.logs(vm('box'), 'web', { tail: 2 })
    expect(lines).toEqual(['first line', 'second red line'])
    expect((await backend.logs(vm('box'), 'web', { tail: 0 })).length).toBe(0)
  })

  it('caps the size of a log answer, keeping the newest lines and saying how many were cut', async () => {
    const { backend, vm } = await startBackend({ maxLogBytes: 20 })
    expect(await backend.logs(vm('box'), 'web', { tail: 2 })).toEqual([
      '… 1 earlier line not shown (over 20 bytes)',
      'second red line',
    ])
  })
})

describe('a container that exits while a call is in flight', () => {
  it('logs show its last words', async () => {
    const { backend, vm, sim, clock } = await startBackend()
    const engine = sim.guestSsh.serverOf('lab', 'box').engine
    const held = engine.hold(/^\/containers\/cron\/logs$/)
    const logs = backend.logs(vm('box'), 'cron', { tail: 3 })
    await held.reached
    await clock.advance(61_000)
    held.release()
    expect((await logs).at(-1)).toBe('fatal: unrecoverable error, exiting with status 3')
    expect((await backend.list(vm('box'))).find((c) => c.name === 'cron')?.status).toBe('Exited (3)')
  })

  it('a stop that arrives after the container went down answers "already stopped"', async () => {
    const { backend, vm, sim } = await startBackend()
    const pool = sim.pool('lab').pool
    const daemon = pool.guests.get(pool.store.find('VM', (r) => r.name_label === 'box')[0] ?? '')?.docker
    const held = sim.guestSsh.serverOf('lab', 'box').engine.hold(/^\/containers\/web\/stop$/)
    const stop = backend.act(vm('box'), 'web', 'stop')
    await held.reached
    daemon?.stop('web')
    held.release()
    await expect(stop).rejects.toMatchObject({ code: 'docker.http_304', message: 'web in box is already stopped' })
  })
})
