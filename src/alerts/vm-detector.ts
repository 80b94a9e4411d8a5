/**
 * VMs: halted, paused or suspended when no job of the bot did it (`vm-stopped`, resolved when it runs
 * again), crashed (xapi's `VM_CRASHED` message), and a Docker VM whose container data became
 * unreadable (`docker-unreadable`: xscontainer wrote XML the bot cannot parse, XO issue 4617). A VM
 * that is removed resolves every alert about it.
 */
import type { InventoryChange, PowerState, VmSummary } from '../core/ports.js'
import { vmKey, vmSubject } from './alert-subject.js'
import type { AlertRecord, Severity } from './alert-types.js'
import { type Detector, type DetectorContext, resolveEach } from './detector.js'

/** xapi's message for a domain that crashed (its name in `message.name`). */
export const VM_CRASHED = 'VM_CRASHED'

const STOPPED: Partial<Record<PowerState, { readonly words: string; readonly severity: Severity }>> = {
  halted: { words: 'halted', severity: 'warning' },
  paused: { words: 'was paused', severity: 'warning' },
  suspended: { words: 'was suspended', severity: 'info' },
}

export class VmDetector implements Detector {
  readonly #ctx: DetectorContext

  constructor(ctx: DetectorContext) {
    this.#ctx = ctx
  }

  onChange(change: InventoryChange): void {
    switch (change.kind) {
      case 'power-changed':
        this.#power(change.vm, change.from, change.to)
        return
      case 'vm-changed':
        this.#readable(change.previous, change.vm)
        return
      case 'message-added':
        if (change.message.name === VM_CRASHED && change.message.vm && this.#ctx.watching(change.message.pool)) {
          const vm = change.message.vm
          this.#ctx.emit({
            state: 'firing',
            kind: 'vm-crashed',
            key: vmKey('vm-crashed', vm),
            severity: 'critical',
            subject: vmSubject(vm),
            title: `${vm.name} crashed`,
            detail: change.message.body || undefined,
          })
        }
        return
      case 'vm-removed': {
        const removed = change.vm.uuid
        this.#ctx.withUnresolved(change.vm.pool, (open) => {
          for (const alert of open) {
            if (alert.subject.vm?.uuid === removed) {
              this.#ctx.emit({ state: 'resolved', key: alert.key, resolution: 'the VM was removed' })
            }
          }
        })
      }
    }
  }

  reconcile(pool: string, open: readonly AlertRecord[]): void {
    const vms = this.#ctx.inventory.vms({ pool })
    const vmOf = (alert: AlertRecord) => vms.find((v) => v.uuid === alert.subject.vm?.uuid)
    resolveEach(this.#ctx, open, ['vm-stopped', 'vm-crashed', 'docker-unreadable'], (alert) => {
      const vm = vmOf(alert)
      if (!vm) return 'the VM was removed'
      if (alert.kind === 'vm-stopped' && vm.power === 'running') return 'running again'
      if (alert.kind === 'docker-unreadable' && vm.docker.unreadable === undefined) return 'readable again'
      return undefined
    })
  }

  #power(vm: VmSummary, from: PowerState, to: PowerState): void {
    if (!this.#ctx.watching(vm.pool)) return
    if (to === 'running') {
      for (const kind of ['vm-stopped', 'vm-crashed'] as const) {
        this.#ctx.emit({ state: 'resolved', key: vmKey(kind, vm), resolution: 'running again' })
      }
      return
    }
    const stopped = STOPPED[to]
    if (!stopped) return
    const expected = this.#ctx.expected.forVm(vm)
    if (expected) {
      this.#ctx.log.info({ vm: vm.name, from, to, by: expected.by }, 'VM power change made by the bot')
      return
    }
    this.#ctx.emit({
      state: 'firing',
      kind: 'vm-stopped',
      key: vmKey('vm-stopped', vm),
      severity: stopped.severity,
      subject: vmSubject(vm),
      title: `${vm.name} ${stopped.words}, and not by the bot`,
      detail: `it was ${from}; no job of the bot was acting on it`,
    })
  }

  #readable(before: VmSummary, after: VmSummary): void {
    if (!this.#ctx.watching(after.pool) || before.docker.unreadable === after.docker.unreadable) return
    const key = vmKey('docker-unreadable', after)
    if (after.docker.unreadable === undefined) {
      this.#ctx.emit({ state: 'resolved', key, resolution: 'readable again' })
      return
    }
    this.#ctx.emit({
      state: 'firing',
      kind: 'docker-unreadable',
      key,
      severity: 'warning',
      subject: vmSubject(after),
      title: `the container data of ${after.name} cannot be read`,
      detail: `${after.docker.unreadable}. Usually a container label whose key is not a valid XML name (XO issue 4617): rename the label, or serve the VM over SSH (tag it docker)`,
    })
  }
}
