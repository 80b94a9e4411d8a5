/**
 * Containers: one that exits (and stays down) fires `container-exited` — exit code 0 is news, anything
 * else a warning — and coming back up resolves it; one that Docker keeps restarting fires
 * `container-restart-loop` after N restarts within M minutes, resolved once M minutes pass without one.
 * A change the bot made itself (its own stop or restart) fires nothing.
 *
 * The inventory sees what the pool's event stream shows: a restart quicker than the stream is not
 * seen, so loops are counted from the restarts that are (Docker's back-off doubles each time, so a
 * real loop soon shows). When a VM's container list vanishes and comes back (the VM rebooted, the
 * monitor lost its stream), the new list is compared with the last one seen.
 */
import type { Container, InventoryChange, VmSummary } from '../core/ports.js'
import { containerKey, vmSubject } from './alert-subject.js'
import type { AlertRecord } from './alert-types.js'
import type { Detector, DetectorContext } from './detector.js'

type Phase = 'up' | 'restarting' | 'exited' | 'other'

/** Docker's state word, with xscontainer's time-free status as the fallback (old engines send no state). */
export function phaseOf(c: Container): Phase {
  const state = c.state.toLowerCase()
  if (state === 'restarting' || c.status.startsWith('Restarting')) return 'restarting'
  if (state === 'running' || state === 'paused' || c.status.startsWith('Up')) return 'up'
  if (state === 'exited' || state === 'dead' || c.status.startsWith('Exited')) return 'exited'
  return 'other'
}

export const exitCodeOf = (c: Container): number | undefined => {
  const code = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(c.status)?.[1]
  return code === undefined ? undefined : Number(code)
}

interface Loop {
  readonly pool: string
  readonly vmUuid: string
  readonly containerId: string
  times: number[]
  cancel?: (() => void) | undefined
}

export class ContainerDetector implements Detector {
  readonly #ctx: DetectorContext
  readonly #restarts: number
  readonly #windowMs: number
  readonly #loops = new Map<string, Loop>()
  /** The last container list of a VM whose list vanished, by `pool/uuid`. */
  readonly #lastLists = new Map<string, readonly Container[]>()

  constructor(ctx: DetectorContext, loop: { readonly restarts: number; readonly windowMs: number }) {
    this.#ctx = ctx
    this.#restarts = loop.restarts
    this.#windowMs = loop.windowMs
  }

  onChange(change: InventoryChange): void {
    switch (change.kind) {
      case 'container-changed':
        this.#transition(change.vm, change.previous, change.container)
        break
      case 'container-vanished':
        this.#removed(change.vm, change.container.id)
        break
      case 'vm-changed':
        this.#listChanged(change.previous, change.vm)
        break
      case 'vm-removed':
        this.#lastLists.delete(`${change.vm.pool}/${change.vm.uuid}`)
        for (const [key, loop] of this.#loops) {
          if (loop.pool === change.vm.pool && loop.vmUuid === change.vm.uuid) this.#forget(key)
        }
    }
  }

  reconcile(pool: string, open: readonly AlertRecord[]): void {
    for (const alert of open) {
      const { vm: subjectVm, container: subjectContainer } = alert.subject
      if (!subjectVm || !subjectContainer) continue
      if (alert.kind === 'container-restart-loop' && !this.#loops.has(alert.key)) {
        // Open before a restart: count from now, and resolve when a whole window passes quietly.
        const loop: Loop = { pool, vmUuid: subjectVm.uuid, containerId: subjectContainer.id, times: [] }
        this.#loops.set(alert.key, loop)
        this.#arm(alert.key, loop)
      }
      if (alert.kind !== 'container-exited') continue
      const vm = this.#ctx.inventory.vms({ pool }).find((v) => v.uuid === subjectVm.uuid)
      if (!vm) this.#ctx.emit({ state: 'resolved', key: alert.key, resolution: 'the VM was removed' })
      const containers = vm?.docker.containers
      if (!containers) continue
      const container = containers.find((c) => c.id === subjectContainer.id)
      if (!container) this.#ctx.emit({ state: 'resolved', key: alert.key, resolution: 'the container was removed' })
      else if (phaseOf(container) === 'up') {
        this.#ctx.emit({ state: 'resolved', key: alert.key, resolution: `back up (${container.status})` })
      }
    }
  }

  stop(): void {
    for (const key of [...this.#loops.keys()]) this.#forget(key)
  }

  #transition(vm: VmSummary, before: Container, after: Container): void {
    if (!this.#ctx.watching(vm.pool)) return
    const from = phaseOf(before)
    const to = phaseOf(after)
    if (from === to) return
    if (to === 'up') {
      const key = containerKey('container-exited', vm, after)
      this.#ctx.emit({ state: 'resolved', key, resolution: `back up (${after.status})` })
      return
    }
    if (to !== 'exited' && !(to === 'restarting' && from === 'up')) return
    const expected = this.#ctx.expected.forContainer(vm, after)
    if (expected) {
      this.#ctx.log.info({ vm: vm.name, container: after.name, by: expected.by }, 'container change made by the bot')
      return
    }
    if (to === 'restarting') {
      this.#restarted(vm, after)
      return
    }
    const code = exitCodeOf(after)
    this.#ctx.emit({
      state: 'firing',
      kind: 'container-exited',
      key: containerKey('container-exited', vm, after),
      severity: code === 0 ? 'info' : 'warning',
      subject: vmSubject(vm, after),
      title:
        code === undefined
          ? `${after.name} in ${vm.name} stopped (${after.status})`
          : `${after.name} in ${vm.name} exited with code ${code}`,
      detail: `image ${after.image}; it was ${before.status}, and Docker is not restarting it`,
    })
  }

  #restarted(vm: VmSummary, container: Container): void {
    const key = containerKey('container-restart-loop', vm, container)
    const now = this.#ctx.clock.now()
    const loop = this.#loops.get(key) ?? { pool: vm.pool, vmUuid: vm.uuid, containerId: container.id, times: [] }
    this.#loops.set(key, loop)
    loop.times = [...loop.times.filter((t) => now - t < this.#windowMs), now]
    this.#arm(key, loop)
    if (loop.times.length < this.#restarts) return
    const minutes = Math.round(this.#windowMs / 60_000)
    const code = exitCodeOf(container)
    this.#ctx.emit({
      state: 'firing',
      kind: 'container-restart-loop',
      key,
      severity: 'critical',
      subject: vmSubject(vm, container),
      title: `${container.name} in ${vm.name} keeps restarting: ${loop.times.length} restarts within ${minutes} min`,
      detail: `image ${container.image}${code === undefined ? '' : `; last exit code ${code}`}`,
    })
  }

  /** A quiet window after the last restart ends the loop (and the tracking of a few early restarts). */
  #arm(key: string, loop: Loop): void {
    loop.cancel?.()
    loop.cancel = this.#ctx.clock.setTimer(this.#windowMs, () => {
      loop.cancel = undefined
      this.#loops.delete(key)
      const vm = this.#ctx.inventory.vms({ pool: loop.pool }).find((v) => v.uuid === loop.vmUuid)
      const container = vm?.docker.containers?.find((c) => c.id === loop.containerId)
      const minutes = Math.round(this.#windowMs / 60_000)
      const resolution =
        container && phaseOf(container) !== 'up'
          ? `no longer restarting (${container.status})`
          : `stable: no restart for ${minutes} min`
      this.#ctx.emit({ state: 'resolved', key, resolution })
    })
  }

  #forget(key: string): void {
    this.#loops.get(key)?.cancel?.()
    this.#loops.delete(key)
  }

  #removed(vm: VmSummary, containerId: string): void {
    const resolution = 'the container was removed'
    this.#ctx.emit({ state: 'resolved', key: containerKey('container-exited', vm, { id: containerId }), resolution })
    const loopKey = containerKey('container-restart-loop', vm, { id: containerId })
    this.#forget(loopKey)
    this.#ctx.emit({ state: 'resolved', key: loopKey, resolution })
  }

  #listChanged(before: VmSummary, after: VmSummary): void {
    const id = `${after.pool}/${after.uuid}`
    const was = before.docker.containers
    const now = after.docker.containers
    if (was && !now) this.#lastLists.set(id, was)
    if (was || !now) return
    const last = this.#lastLists.get(id)
    this.#lastLists.delete(id)
    for (const container of now) {
      const previous = last?.find((c) => c.id === container.id)
      if (previous) this.#transition(after, previous, container)
    }
    this.#ctx.withUnresolved(after.pool, (open) => {
      for (const alert of open) {
        const gone = alert.subject.vm?.uuid === after.uuid && alert.subject.container
        if (gone && !now.some((c) => c.id === gone.id)) this.#removed(after, gone.id)
      }
    })
  }
}
