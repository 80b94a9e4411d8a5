/**
 * /events messages: their exact shape, and the order Docker logs them in for each lifecycle call.
 */
import { describe, expect, it } from 'vitest'
import { makeDaemon, START } from './daemon-fixture.js'

const fleet = () =>
  makeDaemon([
    { name: 'web', image: 'nginx:1.25', labels: { tier: 'front' } },
    { name: 'sh', image: 'alpine:3.19' },
    { name: 'old', image: 'nginx:1.25', state: 'exited' },
    { name: 'frozen', image: 'nginx:1.25', state: 'paused' },
  ])

describe('event shape', () => {
  it('is Docker 20.10 Message JSON with labels, image and name as attributes', () => {
    const { daemon, events } = fleet()
    daemon.stop('web')
    const id = daemon.inspect('web').Id
    const ns = START * 1e6
    expect(events[0]).toEqual({
      status: 'kill',
      id,
      from: 'nginx:1.25',
      Type: 'container',
      Action: 'kill',
      Actor: {
        ID: id,
        Attributes: {
          image: 'nginx:1.25',
          maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>',
          name: 'web',
          signal: '3',
          tier: 'front',
        },
      },
      scope: 'local',
      time: START / 1000,
      timeNano: ns,
      at: START,
    })
    // Go marshals the attribute map with sorted keys.
    expect(Object.keys(events[1]?.Actor.Attributes ?? {})).toEqual(['exitCode', 'image', 'maintainer', 'name', 'tier'])
    expect(events[1]?.Actor.Attributes.exitCode).toBe('0')
    // Events in the same millisecond are a microsecond apart (to within a double's 256 ns at this size).
    expect(events.map((e) => Math.round((e.timeNano - ns) / 1000))).toEqual([0, 1, 2])
  })
})

describe('event order', () => {
  it.each([
    [
      'stop nginx (handles SIGQUIT)',
      (f: ReturnType<typeof fleet>) => f.daemon.stop('web'),
      ['kill:web:3', 'die:web:0', 'stop:web'],
    ],
    [
      'stop /bin/sh (ignores SIGTERM until SIGKILL)',
      (f: ReturnType<typeof fleet>) => f.daemon.stop('sh'),
      ['kill:sh:15', 'kill:sh:9', 'die:sh:137', 'stop:sh'],
    ],
    [
      'stop -t 0 nginx',
      (f: ReturnType<typeof fleet>) => f.daemon.stop('web', 0),
      ['kill:web:3', 'kill:web:9', 'die:web:137', 'stop:web'],
    ],
    [
      'stop a paused container',
      (f: ReturnType<typeof fleet>) => f.daemon.stop('frozen'),
      ['kill:frozen:3', 'unpause:frozen', 'die:frozen:0', 'stop:frozen'],
    ],
    [
      'restart a running container',
      (f: ReturnType<typeof fleet>) => f.daemon.restart('web'),
      ['kill:web:3', 'die:web:0', 'stop:web', 'start:web', 'restart:web'],
    ],
    [
      'restart an exited container',
      (f: ReturnType<typeof fleet>) => f.daemon.restart('old'),
      ['start:old', 'restart:old'],
    ],
    ['start', (f: ReturnType<typeof fleet>) => f.daemon.start('old'), ['start:old']],
    ['kill (SIGKILL by default)', (f: ReturnType<typeof fleet>) => f.daemon.kill('web'), ['kill:web:9', 'die:web:137']],
    ['kill -s HUP nginx (it reloads)', (f: ReturnType<typeof fleet>) => f.daemon.kill('web', 'HUP'), ['kill:web:1']],
    ['kill -s TERM /bin/sh (ignored)', (f: ReturnType<typeof fleet>) => f.daemon.kill('sh', 'TERM'), ['kill:sh:15']],
    [
      'pause then unpause',
      (f: ReturnType<typeof fleet>) => {
        f.daemon.pause('web')
        f.daemon.unpause('web')
      },
      ['pause:web', 'unpause:web'],
    ],
  ])('%s', (_label, act, expected) => {
    const f = fleet()
    act(f)
    const detail = (e: (typeof f.events)[number]) => e.Actor.Attributes.signal ?? e.Actor.Attributes.exitCode
    expect(f.events.map((e) => [e.Action, e.Actor.Attributes.name, detail(e)].filter(Boolean).join(':'))).toEqual(
      expected,
    )
  })

  it('emits nothing for refused calls', () => {
    const f = fleet()
    for (const call of [
      () => f.daemon.start('web'),
      () => f.daemon.stop('old'),
      () => f.daemon.pause('old'),
      () => f.daemon.unpause('web'),
      () => f.daemon.kill('old'),
    ]) {
      expect(call).toThrow()
    }
    expect(f.events).toEqual([])
  })
})

describe('logs around lifecycle events', () => {
  it('appends the image output of a start and a graceful stop', () => {
    const f = makeDaemon([{ name: 'web', image: 'nginx:1.25', state: 'exited', logs: ['GET / 200'] }])
    f.daemon.start('web')
    f.daemon.stop('web')
    expect(f.daemon.logs('web', { tail: 4 })).toEqual([
      { stream: 'stdout', line: '/docker-entrypoint.sh: Configuration complete; ready for start up' },
      { stream: 'stderr', line: '2026/01/01 00:00:00 [notice] 1#1: start worker processes' },
      { stream: 'stderr', line: '2026/01/01 00:00:00 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down' },
      { stream: 'stderr', line: '2026/01/01 00:00:00 [notice] 1#1: exit' },
    ])
    expect(f.daemon.logs('web', { tail: 0 })).toEqual([])
    expect(f.daemon.logs('web', { tail: 1, timestamps: true })).toEqual([
      { stream: 'stderr', line: '2026-01-01T00:00:00.000000000Z 2026/01/01 00:00:00 [notice] 1#1: exit' },
    ])
    expect(f.daemon.logs('web').map((l) => l.line)).toContain('GET / 200')
  })
})
