/**
 * `GET /events` messages (api/types/events `Message`, Docker 20.10) for container actions, built as
 * daemon/events.go `LogContainerEventWithAttributes` does: the container's labels, then `image` and
 * `name`, plus action extras (`exitCode` on die, `signal` on kill); the deprecated top-level
 * status/id/from mirror Action, the id and the image.
 */
import type { ContainerModel } from './container-model.js'
import { sortKeys } from './container-model.js'

export type DockerAction = 'start' | 'kill' | 'die' | 'stop' | 'restart' | 'pause' | 'unpause'

/**
 * One /events message. Action is typed as a string: the stream also carries actions this model never
 * emits (create, destroy, image delete …), which consumers compare against.
 */
export interface DockerEvent {
  status: string
  id: string
  from: string
  Type: 'container'
  Action: string
  Actor: { ID: string; Attributes: Record<string, string> }
  scope: 'local'
  /** Unix seconds. */
  time: number
  /** Unix nanoseconds; above 2^53 a JS number is only exact to a few hundred ns. */
  timeNano: number
}

/** The daemon's event channels: container events, and the engine going up or down with its VM. */
export interface DaemonEvents {
  event: [DockerEvent]
  up: []
  down: []
}

/** Event times: the clock has millisecond resolution, so events within one millisecond are a microsecond apart. */
export class EventStamps {
  #ms = -1
  #seq = 0

  next(ms: number): { ms: number; seq: number } {
    this.#seq = ms === this.#ms ? this.#seq + 1 : 0
    this.#ms = ms
    return { ms, seq: this.#seq }
  }
}

export function containerEvent(
  c: ContainerModel,
  action: DockerAction,
  at: { ms: number; seq: number },
  extra: Record<string, string> = {},
): DockerEvent {
  const attributes = sortKeys({ ...c.labels, ...extra, image: c.spec.image, name: c.name })
  return {
    status: action,
    id: c.id,
    from: c.spec.image,
    Type: 'container',
    Action: action,
    Actor: { ID: c.id, Attributes: attributes },
    scope: 'local',
    time: Math.floor(at.ms / 1000),
    timeNano: at.ms * 1e6 + at.seq * 1000,
  }
}
