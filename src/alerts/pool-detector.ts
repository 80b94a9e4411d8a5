/**
 * Pools: a connection lost (degraded for longer than the grace period, so a blip is no alert) and
 * restored; a host joining without the xscontainer pack, or on a version that no longer has it, in a
 * pool whose Docker VMs rely on it; and xscontainer's "cannot monitor VM" message appearing on a VM
 * (its body is the monitor's diagnosis) and going away.
 */
import type { InventoryChange, PoolHost, PoolMessage } from '../core/ports.js'
import { hostKey, poolKey, vmKey, vmSubject } from './alert-subject.js'
import type { AlertRecord } from './alert-types.js'
import { type Detector, type DetectorContext, resolveEach } from './detector.js'
import type { HostCheck } from './host-check.js'

/** The message xscontainer's monitor raises for a VM it keeps failing to reach (xscontainer.md §2.3). */
export const CANNOT_MONITOR = 'Container Management cannot monitor VM'

export class PoolDetector implements Detector {
  readonly #ctx: DetectorContext
  readonly #graceMs: number
  readonly #hostCheck: HostCheck | undefined
  /** Per pool: the VMs with a "cannot monitor" message now, and the hosts, as the inventory announced them. */
  readonly #unmonitored = new Map<string, Map<string, PoolMessage>>()
  readonly #hosts = new Map<string, Map<string, PoolHost>>()
  /** Pools that have been synced once: a later failure is a lost connection, not a failed start. */
  readonly #connected = new Set<string>()

  constructor(ctx: DetectorContext, options: { readonly graceMs: number; readonly hostCheck?: HostCheck | undefined }) {
    this.#ctx = ctx
    this.#graceMs = options.graceMs
    this.#hostCheck = options.hostCheck
  }

  onChange(change: InventoryChange): void {
    switch (change.kind) {
      case 'pool-status': {
        const { name, state, reason } = change.status
        const key = poolKey('pool-connection', name)
        if (state === 'synced') {
          this.#connected.add(name)
          this.#ctx.emit({ state: 'resolved', key, resolution: 'connection restored' })
        } else if (state === 'degraded') {
          this.#ctx.emit({
            state: 'firing',
            kind: 'pool-connection',
            key,
            severity: 'critical',
            subject: { pool: name },
            title: this.#connected.has(name) ? `lost the connection to pool ${name}` : `cannot connect to pool ${name}`,
            detail: `${reason ?? 'no reason given'}; the bot keeps retrying, and sees no changes in this pool meanwhile`,
            holdMs: this.#graceMs,
          })
        }
        return
      }
      case 'message-added':
      case 'message-removed':
        this.#message(change.message, change.kind === 'message-added')
        return
      case 'host-added':
        this.#hostsOf(change.host.pool).set(change.host.uuid, change.host)
        if (this.#ctx.watching(change.host.pool)) void this.#checkHost(change.host)
        return
      case 'host-removed': {
        this.#hostsOf(change.host.pool).delete(change.host.uuid)
        const key = hostKey('host-unsupported', change.host.pool, change.host.uuid)
        this.#ctx.emit({ state: 'resolved', key, resolution: 'the host left the pool' })
      }
    }
  }

  reconcile(pool: string, open: readonly AlertRecord[]): void {
    const unmonitored = this.#unmonitoredOf(pool)
    const hosts = this.#hostsOf(pool)
    resolveEach(this.#ctx, open, ['monitor-failing', 'host-unsupported'], (alert) => {
      if (alert.kind === 'monitor-failing') {
        return unmonitored.has(alert.subject.vm?.uuid ?? '') ? undefined : 'xscontainer monitors it again'
      }
      return hosts.has(alert.subject.host?.uuid ?? '') ? undefined : 'the host left the pool'
    })
  }

  #message(message: PoolMessage, added: boolean): void {
    if (message.name !== CANNOT_MONITOR || message.cls !== 'VM') return
    const unmonitored = this.#unmonitoredOf(message.pool)
    const key = vmKey('monitor-failing', { pool: message.pool, uuid: message.objUuid })
    if (!added) {
      if (unmonitored.get(message.objUuid)?.uuid !== message.uuid) return
      unmonitored.delete(message.objUuid)
      this.#ctx.emit({ state: 'resolved', key, resolution: 'xscontainer monitors it again' })
      return
    }
    unmonitored.set(message.objUuid, message)
    const vm = message.vm
    if (!vm || !this.#ctx.watching(message.pool)) return
    this.#ctx.emit({
      state: 'firing',
      kind: 'monitor-failing',
      key,
      severity: 'warning',
      subject: vmSubject(vm),
      title: `xscontainer cannot monitor ${vm.name}: its containers are not reported`,
      detail: message.body || undefined,
    })
  }

  async #checkHost(host: PoolHost): Promise<void> {
    if (!this.#hostCheck) return
    try {
      const problem = await this.#hostCheck(host)
      if (!problem || !this.#hostsOf(host.pool).has(host.uuid)) return
      this.#ctx.emit({
        state: 'firing',
        kind: 'host-unsupported',
        key: hostKey('host-unsupported', host.pool, host.uuid),
        severity: 'warning',
        subject: { pool: host.pool, host: { uuid: host.uuid, name: host.name } },
        title: `host ${host.name} joined pool ${host.pool}: ${problem.detail}`,
        detail: `${host.brand} ${host.version}. Docker VMs that move to it are no longer monitored by xscontainer${problem.fix ? `; ${problem.fix}` : ''}`,
      })
    } catch (error) {
      this.#ctx.log.warn({ err: error, host: host.name, pool: host.pool }, 'could not check a host that joined')
    }
  }

  #unmonitoredOf(pool: string): Map<string, PoolMessage> {
    const found = this.#unmonitored.get(pool) ?? new Map<string, PoolMessage>()
    this.#unmonitored.set(pool, found)
    return found
  }

  #hostsOf(pool: string): Map<string, PoolHost> {
    const found = this.#hosts.get(pool) ?? new Map<string, PoolHost>()
    this.#hosts.set(pool, found)
    return found
  }
}
