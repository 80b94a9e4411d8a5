/**
 * Scripted crashes and Docker's restart manager on the simulated clock: a crash under policy `no`, the
 * restart loop under `always` with its doubling backoff, the 10-second reset, on-failure and
 * unless-stopped, and user actions cancelling pending restarts.
 */
import { describe, expect, it } from 'vitest'
import { makeDaemon, START } from './daemon-fixture.js'

describe('a scripted crash', () => {
  it('leaves a policy-no container exited with its exit code and a die event', async () => {
    const { clock, daemon, events } = makeDaemon([
      { name: 'api', image: 'alpine:3.19', command: 'sleep infinity', crash: { afterSeconds: 30, exitCode: 3 } },
    ])
    await clock.advance(29_999)
    expect(daemon.inspect('api').State.Running).toBe(true)
    await clock.advance(1)
    const state = daemon.inspect('api').State
    expect([state.Status, state.Running, state.ExitCode, state.Pid]).toEqual(['exited', false, 3, 0])
    expect(state.FinishedAt).toBe('2026-01-01T00:00:30Z')
    expect(events.map((e) => [e.Action, e.Actor.Attributes.exitCode, e.at - START])).toEqual([['die', '3', 30_000]])
    expect(daemon.listContainers({ all: true })[0]?.Status).toBe('Exited (3) Less than a second ago')
    await clock.advance(3_600_000)
    expect(daemon.listContainers({ all: true })[0]?.Status).toBe('Exited (3) About an hour ago')
    expect(events).toHaveLength(1)
    expect(clock.pending).toBe(0)
    expect(daemon.logs('api', { tail: 1 })).toEqual([
      { stream: 'stderr', line: 'fatal: unrecoverable error, exiting with status 3' },
    ])
  })

  it('fires once only: started again, the container keeps running', async () => {
    const { clock, daemon } = makeDaemon([{ name: 'api', image: 'alpine', crash: { afterSeconds: 5, exitCode: 1 } }])
    await clock.advance(5_000)
    daemon.start('api')
    await clock.advance(60_000)
    expect(daemon.inspect('api').State.Status).toBe('running')
  })

  it('waits while the container is paused: a frozen process cannot crash', async () => {
    const { clock, daemon } = makeDaemon([{ name: 'api', image: 'alpine', crash: { afterSeconds: 10, exitCode: 2 } }])
    await clock.advance(4_000)
    daemon.pause('api')
    await clock.advance(60_000)
    expect(daemon.inspect('api').State.Status).toBe('paused')
    daemon.unpause('api')
    await clock.advance(5_999)
    expect(daemon.inspect('api').State.Status).toBe('running')
    await clock.advance(1)
    expect(daemon.inspect('api').State.ExitCode).toBe(2)
  })
})

describe('restart policy always', () => {
  const loop = () =>
    makeDaemon([
      {
        name: 'worker',
        image: 'alpine:3.19',
        restartPolicy: 'always',
        crash: { afterSeconds: 1, exitCode: 1, repeat: true },
      },
    ])

  it('cycles running → restarting → running with a backoff doubling from 100 ms', async () => {
    const { clock, daemon, events } = loop()
    await clock.advance(1_000)
    let s = daemon.inspect('worker')
    expect([s.State.Status, s.State.Running, s.State.Restarting, s.State.Pid, s.State.ExitCode]).toEqual([
      'restarting',
      true,
      true,
      0,
      1,
    ])
    // Docker counts the restart when it decides it, while the container is still restarting.
    expect(s.RestartCount).toBe(1)
    expect(daemon.listContainers()[0]?.Status).toBe('Restarting (1) Less than a second ago')
    expect(daemon.listContainers()[0]?.NetworkSettings.Networks.bridge?.IPAddress).toBe('')
    await clock.advance(100)
    s = daemon.inspect('worker')
    expect([s.State.Status, s.State.ExitCode, s.RestartCount]).toEqual(['running', 0, 1])
    expect(daemon.listContainers()[0]?.Status).toBe('Up Less than a second')

    await clock.advance(20_000)
    const timeline = events.map((e) => `${e.Action}@${e.at - START}`)
    // Runs of 1 s never reach the 10 s reset: waits of 100, 200, 400, 800, 1600, 3200 ms …
    expect(timeline.slice(0, 12)).toEqual([
      'die@1000',
      'start@1100',
      'die@2100',
      'start@2300',
      'die@3300',
      'start@3700',
      'die@4700',
      'start@5500',
      'die@6500',
      'start@8100',
      'die@9100',
      'start@12300',
    ])
    expect(daemon.inspect('worker').RestartCount).toBe(events.filter((e) => e.Action === 'die').length)
    expect(events.filter((e) => e.Action === 'die').every((e) => e.Actor.Attributes.exitCode === '1')).toBe(true)
  })

  it('caps the backoff at one minute', async () => {
    const { clock, events } = loop()
    await clock.advance(30 * 60_000)
    const starts = events.filter((e) => e.Action === 'start').map((e) => e.at)
    const dies = events.filter((e) => e.Action === 'die').map((e) => e.at)
    const waits = starts.map((t, i) => t - (dies[i] ?? 0))
    expect(waits.slice(0, 11)).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 60_000])
    expect(waits.slice(11).every((w) => w === 60_000)).toBe(true)
  })

  it('resets the backoff after a run of at least 10 seconds', async () => {
    const { clock, events } = makeDaemon([
      {
        name: 'slow',
        image: 'alpine',
        restartPolicy: 'always',
        crash: { afterSeconds: 10, exitCode: 1, repeat: true },
      },
    ])
    await clock.advance(60_000)
    const starts = events.filter((e) => e.Action === 'start').map((e) => e.at - START)
    expect(starts).toEqual([10_100, 20_200, 30_300, 40_400, 50_500])
  })

  it('a user stop while restarting cancels the pending restart and logs only stop', async () => {
    const { clock, daemon, actions } = loop()
    await clock.advance(1_000)
    expect(daemon.inspect('worker').State.Status).toBe('restarting')
    daemon.stop('worker')
    expect(actions()).toEqual(['die:worker', 'stop:worker'])
    expect(daemon.inspect('worker').State).toMatchObject({ Status: 'exited', ExitCode: 1, Restarting: false })
    await clock.advance(10 * 60_000)
    expect(daemon.inspect('worker').State.Status).toBe('exited')
    expect(clock.pending).toBe(0)
  })

  it('a user stop or kill of a running container is never restarted', async () => {
    const { clock, daemon, actions } = makeDaemon([
      { name: 'web1', image: 'nginx', restartPolicy: 'always' },
      { name: 'web2', image: 'nginx', restartPolicy: 'always' },
    ])
    daemon.stop('web1')
    daemon.kill('web2')
    await clock.advance(60_000)
    expect(actions()).toEqual(['kill:web1', 'die:web1', 'stop:web1', 'kill:web2', 'die:web2'])
    expect(daemon.inspect('web1').State).toMatchObject({ Status: 'exited', ExitCode: 0 })
    expect(daemon.inspect('web2').State).toMatchObject({ Status: 'exited', ExitCode: 137 })
  })

  it('a user start gets a fresh restart manager: RestartCount back to 0', async () => {
    const { clock, daemon } = loop()
    await clock.advance(5_000)
    expect(daemon.inspect('worker').RestartCount).toBeGreaterThan(2)
    daemon.stop('worker')
    daemon.start('worker')
    expect(daemon.inspect('worker').RestartCount).toBe(0)
    await clock.advance(1_000)
    expect(daemon.inspect('worker').RestartCount).toBe(1)
  })
})

describe('kill with a signal other than the stop signal', () => {
  // killWithSignal only calls ExitOnNext() for the image's stop signal (nginx: SIGQUIT) or SIGKILL, but it
  // marks the container manually stopped for any signal: `always` restarts it, `unless-stopped` does not.
  it.each([
    ['always', 'running'],
    ['unless-stopped', 'exited'],
  ] as const)('kill -s TERM nginx under %s leaves it %s', async (restartPolicy, after) => {
    const { clock, daemon, actions } = makeDaemon([{ name: 'web', image: 'nginx:1.25', restartPolicy }])
    daemon.kill('web', 'TERM')
    await clock.advance(100)
    expect(daemon.inspect('web').State.Status).toBe(after)
    expect(actions()).toEqual(['kill:web', 'die:web', ...(after === 'running' ? ['start:web'] : [])])
  })
})

describe('on-failure and unless-stopped', () => {
  it('on-failure restarts a non-zero exit only', async () => {
    const { clock, daemon } = makeDaemon([
      { name: 'bad', image: 'alpine', restartPolicy: 'on-failure', crash: { afterSeconds: 1, exitCode: 2 } },
      { name: 'good', image: 'alpine', restartPolicy: 'on-failure', crash: { afterSeconds: 1, exitCode: 0 } },
    ])
    await clock.advance(1_000)
    expect(daemon.inspect('bad').State.Status).toBe('restarting')
    expect(daemon.inspect('good').State.Status).toBe('exited')
    await clock.advance(100)
    expect(daemon.inspect('bad').State.Status).toBe('running')
    expect(daemon.inspect('bad').RestartCount).toBe(1)
  })

  it('unless-stopped restarts a crash (the user did not stop it)', async () => {
    const { clock, daemon } = makeDaemon([
      { name: 'svc', image: 'alpine', restartPolicy: 'unless-stopped', crash: { afterSeconds: 1, exitCode: 0 } },
    ])
    await clock.advance(1_100)
    expect(daemon.inspect('svc').State.Status).toBe('running')
  })

  it('a container described as restarting keeps crash-looping', async () => {
    const { clock, daemon, actions } = makeDaemon([
      { name: 'flappy', image: 'alpine', state: 'restarting', exitCode: 1 },
    ])
    expect(daemon.inspect('flappy').HostConfig).toMatchObject({
      RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
    })
    expect(daemon.listContainers()[0]?.Status).toBe('Restarting (1) Less than a second ago')
    await clock.advance(100)
    expect(daemon.inspect('flappy').State.Status).toBe('running')
    await clock.advance(2_000)
    expect(actions()).toEqual(['start:flappy', 'die:flappy'])
    expect(daemon.inspect('flappy').State.Status).toBe('restarting')
  })
})
