/**
 * The registry behind the core's ExpectedChanges port: marks live while the action runs and for a
 * grace period after (the pool's event stream reports what the action did a little later), then go.
 * Detectors ask it before they fire: a VM's power change is expected when a job on that VM is marked;
 * a container's change only when that exact container is (a job on a VM does not hide what happens to
 * its other containers).
 */
import type { ExpectedChange, ExpectedChanges } from '../core/expected-changes.js'
import type { ContainerAction, DockerBackend, VmSummary } from '../core/ports.js'
import type { AlertClock } from './alert-clock.js'

/** How long a mark outlives its action: enough for the event stream, too short to hide a later failure. */
export const EXPECTED_GRACE_MS = 60_000

interface Mark {
  readonly change: ExpectedChange
  /** When the mark lapses; undefined while the action still runs. */
  until?: number
}

export class ExpectedChangeRegistry implements ExpectedChanges {
  readonly #clock: AlertClock
  readonly #graceMs: number
  readonly #marks = new Set<Mark>()

  constructor(clock: AlertClock, graceMs = EXPECTED_GRACE_MS) {
    this.#clock = clock
    this.#graceMs = graceMs
  }

  expect(change: ExpectedChange): () => void {
    const mark: Mark = { change }
    this.#marks.add(mark)
    return () => {
      mark.until ??= this.#clock.now() + this.#graceMs
    }
  }

  /** The mark covering a power change of `vm`, if any. */
  forVm(vm: VmSummary): ExpectedChange | undefined {
    return this.#find((c) => c.container === undefined && c.pool === vm.pool && (c.vm === vm.uuid || c.vm === vm.name))
  }

  /** The mark covering a change of one container of `vm`, if any. */
  forContainer(vm: VmSummary, container: { readonly id: string; readonly key: string }): ExpectedChange | undefined {
    return this.#find(
      (c) =>
        c.container !== undefined &&
        c.pool === vm.pool &&
        (c.vm === vm.uuid || c.vm === vm.name) &&
        (c.container === container.key || c.container === container.id),
    )
  }

  #find(test: (change: ExpectedChange) => boolean): ExpectedChange | undefined {
    const now = this.#clock.now()
    for (const mark of this.#marks) {
      if (mark.until !== undefined && mark.until < now) this.#marks.delete(mark)
      else if (test(mark.change)) return mark.change
    }
    return undefined
  }
}

/**
 * The Docker backend with every container action marked first: whoever asks (a job, a confirmed
 * command, an alert's Restart button), the container it acts on is expected to change.
 */
export function expectingBackend(backend: DockerBackend, expected: ExpectedChanges): DockerBackend {
  return {
    kind: backend.kind,
    list: (vm) => backend.list(vm),
    inspect: (vm, container) => backend.inspect(vm, container),
    top: (vm, container) => backend.top(vm, container),
    logs: (vm, container, options) => backend.logs(vm, container, options),
    stats: (vm, container) => backend.stats(vm, container),
    async act(vm: VmSummary, container: string, action: ContainerAction) {
      const done = expected.expect({ pool: vm.pool, vm: vm.uuid, container, by: `the bot's docker ${action}` })
      try {
        await backend.act(vm, container, action)
      } finally {
        done()
      }
    },
  }
}
