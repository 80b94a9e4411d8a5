/**
 * A Docker daemon on a ManualClock with every event it emits recorded (with the simulated time it was
 * emitted at), and a helper that captures the DockerError a call throws.
 */
import { expect } from 'vitest'
import { ManualClock } from '../../../src/sim/clock.js'
import {
  type ContainerSpec,
  type DaemonOptions,
  DockerDaemon,
  DockerError,
  type DockerEvent,
} from '../../../src/sim/docker/docker-daemon.js'

export const START = Date.UTC(2026, 0, 1)

export interface Fixture {
  clock: ManualClock
  daemon: DockerDaemon
  events: (DockerEvent & { at: number })[]
  /** Events as 'action:name', optionally only the ones after index `from`. */
  actions(from?: number): string[]
}

export function makeDaemon(containers: ContainerSpec[], options: Partial<DaemonOptions> = {}): Fixture {
  const clock = new ManualClock(START)
  const daemon = new DockerDaemon({ clock, hostname: 'docker-vm', containers, ...options })
  const events: (DockerEvent & { at: number })[] = []
  daemon.events.on('event', (e) => events.push({ ...e, at: clock.now() }))
  return {
    clock,
    daemon,
    events,
    actions: (from = 0) => events.slice(from).map((e) => `${e.Action}:${e.Actor.Attributes.name}`),
  }
}

/** The DockerError `fn` throws; fails the test if it throws nothing or something else. */
export function dockerError(fn: () => unknown): DockerError {
  try {
    fn()
  } catch (error) {
    if (error instanceof DockerError) return error
    throw error
  }
  return expect.fail('expected a DockerError')
}

/** `{"message":…}` plus the newline Go's json.Encoder writes. */
export const body = (message: string) => `${JSON.stringify({ message })}\n`
