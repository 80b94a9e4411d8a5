/**
 * A guest's Docker engine follows its VM's power: a clean shutdown stops containers the way
 * `docker stop` does, a hard power-off kills them without a stop, and a boot starts the containers
 * whose restart policy says so.
 */
import { describe, expect, it } from 'vitest'
import { call, login, ManualClock, startSim } from '../helpers/sim.js'

async function web1() {
  const clock = new ManualClock()
  const sim = await startSim({ scenario: 'demo', clock })
  const legacy = sim.pool('lab-legacy')
  const session = await login(sim, 'lab-legacy')
  const [vm] = legacy.pool.store.find('VM', (r) => r.name_label === 'web-1')
  const daemon = legacy.pool.guests.get(vm ?? '')?.docker
  if (!vm || !daemon) throw new Error('demo scenario has no web-1 with Docker')
  const status = (name: string) => daemon.listContainers({ all: true }).find((c) => c.Names[0] === `/${name}`)?.Status
  return { clock, legacy, session, vm, daemon, status }
}

describe('guest Docker engine and VM power', () => {
  it('a clean shutdown stops containers like docker stop (nginx dies with 0), and the engine goes down', async () => {
    const { clock, legacy, session, vm, daemon } = await web1()
    const deaths: Record<string, string> = {}
    daemon.events.on('event', (e) => {
      if (e.Action === 'die') deaths[e.Actor.Attributes.name ?? ''] = e.Actor.Attributes.exitCode ?? ''
    })
    const task = await call<string>(legacy.url, 'Async.VM.clean_shutdown', session, vm)
    await clock.advance(4000)
    expect(await call(legacy.url, 'task.get_status', session, task)).toBe('success')
    expect(daemon.up).toBe(false)
    expect(deaths['nginx-front']).toBe('0')
    // Every running or paused container is stopped; the exited one (nightly-report) has nothing to do.
    expect(Object.keys(deaths).sort()).toEqual(['WebAPI', 'image-resizer', 'nginx-front', 'redis-cache'])
  })

  it('a hard shutdown kills containers without a stop: no events, exit 255 seen after the next boot', async () => {
    const { clock, legacy, session, vm, daemon, status } = await web1()
    const events: string[] = []
    daemon.events.on('event', (e) => events.push(e.Action))
    await call(legacy.url, 'Async.VM.hard_shutdown', session, vm)
    await clock.advance(1000)
    expect(daemon.up).toBe(false)
    expect(events).toEqual([])
    await call(legacy.url, 'Async.VM.start', session, vm, false, false)
    await clock.advance(4000)
    expect(status('redis-cache')).toMatch(/^Exited \(255\) /)
  })

  it('a boot starts containers with restart policy always / unless-stopped, not the others', async () => {
    const { clock, legacy, session, vm, daemon, status } = await web1()
    await call(legacy.url, 'Async.VM.clean_shutdown', session, vm)
    await clock.advance(4000)
    await call(legacy.url, 'Async.VM.start', session, vm, false, false)
    await clock.advance(4000)
    expect(daemon.up).toBe(true)
    expect(status('nginx-front')).toMatch(/^Up /) // always
    expect(status('WebAPI')).toMatch(/^Up /) // unless-stopped
    expect(status('redis-cache')).toMatch(/^Exited /) // no policy
  })
})
