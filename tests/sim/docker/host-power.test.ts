/**
 * The daemon follows its VM: a clean halt stops containers as Docker's shutdown does, a down daemon
 * refuses every call, and a boot restores containers according to their restart policies.
 */
import { describe, expect, it } from 'vitest'
import type { ContainerSpec } from '../../../src/sim/docker/docker-daemon.js'
import { DaemonDownError } from '../../../src/sim/docker/docker-daemon.js'
import { makeDaemon } from './daemon-fixture.js'

const FLEET: ContainerSpec[] = [
  { name: 'always-web', image: 'nginx:1.25', restartPolicy: 'always' },
  { name: 'unless-db', image: 'postgres:16', restartPolicy: 'unless-stopped' },
  { name: 'unless-stopped-by-user', image: 'redis:7', restartPolicy: 'unless-stopped' },
  { name: 'no-policy', image: 'nginx:1.25' },
  { name: 'failed-job', image: 'alpine', state: 'exited', exitCode: 2, restartPolicy: 'on-failure' },
  { name: 'done-job', image: 'alpine', state: 'exited', exitCode: 0, restartPolicy: 'on-failure' },
  { name: 'never-run', image: 'nginx:1.25', state: 'created', restartPolicy: 'always' },
  { name: 'shell', image: 'alpine:3.19', restartPolicy: 'always' },
  { name: 'frozen', image: 'nginx:1.25', state: 'paused', restartPolicy: 'always' },
]

const states = (daemon: ReturnType<typeof makeDaemon>['daemon']) =>
  Object.fromEntries(
    daemon
      .listContainers({ all: true })
      .map((c) => [c.Names[0]?.slice(1), `${c.State}/${daemon.inspect(c.Id).State.ExitCode}`]),
  )

describe('hostHalted', () => {
  it('stops every running container like docker stop, then goes down', () => {
    const f = makeDaemon(FLEET)
    f.daemon.stop('unless-stopped-by-user')
    const from = f.events.length
    let downs = 0
    f.daemon.events.on('down', () => downs++)
    f.daemon.hostHalted()
    expect(f.daemon.up).toBe(false)
    expect(downs).toBe(1)
    expect(f.actions(from)).toEqual([
      'kill:always-web',
      'die:always-web',
      'stop:always-web',
      'kill:unless-db',
      'die:unless-db',
      'stop:unless-db',
      'kill:no-policy',
      'die:no-policy',
      'stop:no-policy',
      // /bin/sh as PID 1 ignores SIGTERM: the timeout runs out and SIGKILL follows
      'kill:shell',
      'kill:shell',
      'die:shell',
      'stop:shell',
      'kill:frozen',
      'unpause:frozen',
      'die:frozen',
      'stop:frozen',
    ])
    const signals = f.events.slice(from).filter((e) => e.Action === 'kill')
    expect(signals.map((e) => e.Actor.Attributes.signal)).toEqual(['3', '2', '3', '15', '9', '3'])
    // Exit codes as docker stop gives them: 0 for a handled stop signal, 137 after the SIGKILL.
    const exitCodes = ['always-web', 'unless-db', 'no-policy', 'shell', 'frozen'].map(
      (name) =>
        f.events.filter((e) => e.Action === 'die' && e.Actor.Attributes.name === name).at(-1)?.Actor.Attributes
          .exitCode,
    )
    expect(exitCodes).toEqual(['0', '0', '0', '137', '0'])
  })

  it('makes every API call throw DaemonDownError', () => {
    const { daemon } = makeDaemon(FLEET)
    daemon.hostHalted()
    const calls: [string, () => unknown][] = [
      ['listContainers', () => daemon.listContainers({ all: true })],
      ['inspect', () => daemon.inspect('always-web')],
      ['start', () => daemon.start('always-web')],
      ['stop', () => daemon.stop('always-web')],
      ['restart', () => daemon.restart('always-web')],
      ['pause', () => daemon.pause('always-web')],
      ['unpause', () => daemon.unpause('always-web')],
      ['kill', () => daemon.kill('always-web')],
      ['top', () => daemon.top('always-web')],
      ['logs', () => daemon.logs('always-web')],
      ['stats', () => daemon.stats('always-web')],
      ['info', () => daemon.info()],
      ['version', () => daemon.version()],
      ['ping', () => daemon.ping()],
    ]
    for (const [name, call] of calls) {
      expect(call, name).toThrow(DaemonDownError)
    }
    expect(() => daemon.ping()).toThrow(
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    )
  })

  it("a 'hard' halt leaves no events and exit code 255", () => {
    const f = makeDaemon([{ name: 'web', image: 'nginx', restartPolicy: 'on-failure' }])
    f.daemon.hostHalted('hard')
    expect(f.events).toEqual([])
    f.daemon.hostBooted()
    expect(f.actions()).toEqual(['start:web'])
  })

  it('cancels pending crashes and restarts', async () => {
    const f = makeDaemon([
      { name: 'loop', image: 'alpine', restartPolicy: 'always', crash: { afterSeconds: 1, exitCode: 1, repeat: true } },
    ])
    await f.clock.advance(1_000)
    expect(f.daemon.inspect('loop').State.Status).toBe('restarting')
    f.daemon.hostHalted()
    expect(f.clock.pending).toBe(0)
  })
})

describe('hostBooted', () => {
  it('starts containers whose policy asks for it, keeping unless-stopped ones a user stopped down', () => {
    const f = makeDaemon(FLEET)
    f.daemon.stop('unless-stopped-by-user')
    f.daemon.hostHalted()
    const from = f.events.length
    let ups = 0
    f.daemon.events.on('up', () => ups++)
    f.daemon.hostBooted()
    expect(ups).toBe(1)
    expect(f.daemon.up).toBe(true)
    expect(f.actions(from)).toEqual([
      'start:always-web',
      'start:unless-db',
      'start:failed-job',
      'start:shell',
      'start:frozen',
    ])
    expect(states(f.daemon)).toEqual({
      'always-web': 'running/0',
      'unless-db': 'running/0',
      'unless-stopped-by-user': 'exited/0',
      'no-policy': 'exited/0',
      'failed-job': 'running/0',
      'done-job': 'exited/0',
      'never-run': 'created/0',
      shell: 'running/0',
      frozen: 'running/0',
    })
    expect(f.daemon.inspect('always-web').RestartCount).toBe(0)
  })

  it('always restarts a container even after a user stopped it (unlike unless-stopped)', () => {
    const f = makeDaemon([{ name: 'web', image: 'nginx', restartPolicy: 'always' }])
    f.daemon.stop('web')
    f.daemon.hostHalted()
    f.daemon.hostBooted()
    expect(f.daemon.inspect('web').State.Status).toBe('running')
  })

  it('gives restarted containers fresh addresses from the bridge, lowest first', () => {
    const f = makeDaemon(FLEET)
    f.daemon.stop('unless-stopped-by-user')
    f.daemon.hostHalted()
    f.daemon.hostBooted()
    const ip = (name: string) => (f.daemon.inspect(name).NetworkSettings as { IPAddress: string }).IPAddress
    expect(['always-web', 'unless-db', 'unless-stopped-by-user', 'failed-job'].map(ip)).toEqual([
      '172.17.0.2',
      '172.17.0.3',
      '',
      '172.17.0.4',
    ])
  })

  it('is a no-op while up, as hostHalted is while down', () => {
    const f = makeDaemon(FLEET)
    f.daemon.hostBooted()
    expect(f.events).toEqual([])
    f.daemon.hostHalted()
    const n = f.events.length
    f.daemon.hostHalted()
    expect(f.events).toHaveLength(n)
  })

  it('can start down: the scenario describes a halted VM', () => {
    const f = makeDaemon(FLEET, { up: false })
    expect(f.daemon.up).toBe(false)
    expect(() => f.daemon.info()).toThrow(DaemonDownError)
    f.daemon.hostBooted()
    expect(states(f.daemon)['always-web']).toBe('running/0')
    expect(states(f.daemon)['no-policy']).toBe('exited/0')
  })
})
