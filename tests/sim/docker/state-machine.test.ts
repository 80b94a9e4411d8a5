/**
 * Every lifecycle call against every container state: the resulting state (and exit code), or the exact
 * HTTP status and body Docker 20.10 answers with.
 */
import { describe, expect, it } from 'vitest'
import type { SpecState } from '../../../src/sim/docker/container-spec.js'
import { DockerError } from '../../../src/sim/docker/docker-daemon.js'
import { body, dockerError, makeDaemon } from './daemon-fixture.js'

type Op = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'kill' | 'top'
type Outcome = { state: string; exitCode: number } | { status: number; message: string }

const STATES: SpecState[] = ['running', 'paused', 'restarting', 'exited', 'created']

function setup(state: SpecState) {
  // nginx exits 0 on its stop signal (SIGQUIT); the restarting one is in a crash loop after exit code 1.
  const f = makeDaemon([{ name: 'web', image: 'nginx:1.25', state, exitCode: state === 'exited' ? 3 : 1 }])
  const id = f.daemon.inspect('web').Id
  return { ...f, id }
}

const ok = (state: string, exitCode = 0): Outcome => ({ state, exitCode })
const fail = (status: number, message: string): Outcome => ({ status, message })

/** Rows: operation; columns in STATES order. `ID` stands for the container's full id. */
const TABLE: Record<Op, Outcome[]> = {
  start: [
    fail(304, ''),
    fail(409, 'cannot start a paused container, try unpause instead'),
    fail(304, ''),
    ok('running'),
    ok('running'),
  ],
  stop: [ok('exited', 0), ok('exited', 0), ok('exited', 1), fail(304, ''), fail(304, '')],
  restart: [ok('running'), ok('running'), ok('running'), ok('running'), ok('running')],
  pause: [
    ok('paused'),
    fail(409, 'Container ID is already paused'),
    fail(409, 'Container ID is restarting, wait until the container is running'),
    fail(409, 'Container ID is not running'),
    fail(409, 'Container ID is not running'),
  ],
  unpause: [
    fail(500, 'Container ID is not paused'),
    ok('running'),
    fail(500, 'Container ID is not paused'),
    fail(500, 'Container ID is not paused'),
    fail(500, 'Container ID is not paused'),
  ],
  kill: [
    ok('exited', 137),
    ok('exited', 137),
    ok('exited', 1),
    fail(409, 'Cannot kill container: web: Container ID is not running'),
    fail(409, 'Cannot kill container: web: Container ID is not running'),
  ],
  top: [
    ok('running'),
    ok('paused'),
    fail(409, 'Container ID is restarting, wait until the container is running'),
    fail(409, 'Container ID is not running'),
    fail(409, 'Container ID is not running'),
  ],
}

const cases = (Object.keys(TABLE) as Op[]).flatMap((op) =>
  STATES.map((state, i) => [op, state, TABLE[op][i] as Outcome] as const),
)

describe('lifecycle × state', () => {
  it.each(cases)('%s on a %s container', (op, state, expected) => {
    const { daemon, id } = setup(state)
    const exitBefore = daemon.inspect('web').State.ExitCode
    let error: unknown
    try {
      daemon[op]('web')
    } catch (e) {
      error = e
    }
    const after = daemon.inspect('web').State
    if ('status' in expected) {
      expect(error).toBeInstanceOf(DockerError)
      const e = error as DockerError
      const message = expected.message.replace('ID', id)
      expect(e.status).toBe(expected.status)
      expect(e.message).toBe(message)
      expect(e.body).toBe(expected.status === 304 ? '' : body(message))
      // A refused call changes nothing.
      expect(after.Status).toBe(state)
      expect(after.ExitCode).toBe(exitBefore)
    } else {
      expect(error).toBeUndefined()
      expect(after.Status).toBe(expected.state)
      expect(after.ExitCode).toBe(expected.exitCode)
    }
  })

  it('covers every operation in every state', () => {
    expect(cases).toHaveLength(7 * 5)
  })

  it('keeps the State flags consistent with Docker (restarting counts as Running)', () => {
    const flags = (state: SpecState) => {
      const s = setup(state).daemon.inspect('web').State
      return [s.Running, s.Paused, s.Restarting, s.Pid === 0]
    }
    expect(flags('running')).toEqual([true, false, false, false])
    expect(flags('paused')).toEqual([true, true, false, false])
    expect(flags('restarting')).toEqual([true, false, true, true])
    expect(flags('exited')).toEqual([false, false, false, true])
    expect(flags('created')).toEqual([false, false, false, true])
  })
})

describe('errors outside the state table', () => {
  it('answers 404 echoing the id as given for an unknown container, on every call', () => {
    const { daemon } = setup('running')
    for (const op of ['start', 'stop', 'restart', 'pause', 'unpause', 'top', 'inspect', 'logs', 'stats'] as const) {
      let error: unknown
      try {
        daemon[op]('nope')
      } catch (e) {
        error = e
      }
      expect(error, op).toBeInstanceOf(DockerError)
      expect((error as DockerError).status).toBe(404)
      expect((error as DockerError).body).toBe('{"message":"No such container: nope"}\n')
    }
  })

  it('prefixes kill errors as the kill route does, and rejects bad signals with 400 first', () => {
    const { daemon } = setup('running')
    const unknown = dockerError(() => daemon.kill('nope'))
    expect(unknown.status).toBe(404)
    expect(unknown.message).toBe('Cannot kill container: nope: No such container: nope')
    expect(() => daemon.kill('nope', 'SIGBOGUS')).toThrow(expect.objectContaining({ status: 400 }))
    expect(() => daemon.kill('web', 'SIGBOGUS')).toThrow('Invalid signal: SIGBOGUS')
    expect(() => daemon.kill('web', '0')).toThrow('Invalid signal: 0')
    expect(() => daemon.kill('web', '99')).toThrow(
      'Cannot kill container: web: The linux daemon does not support signal 99',
    )
    expect(daemon.inspect('web').State.Running).toBe(true)
  })

  it('accepts signal names in any case, with or without SIG, and numbers', () => {
    for (const signal of ['sigterm', 'TERM', '15']) {
      const f = makeDaemon([{ name: 'cache', image: 'redis:7' }])
      f.daemon.kill('cache', signal)
      expect(f.events[0]?.Actor.Attributes.signal).toBe('15')
      expect(f.daemon.inspect('cache').State.ExitCode).toBe(0)
    }
  })
})
