/**
 * The live inventory (the Inventory port): every pool's VMs as VmSummary, kept current from the
 * xen-api clients' object caches — never a get_all_records per command. Each change recomputes only
 * the VMs it touches (a guest-metrics update touches its VM, a host rename the VMs on that host) and
 * emits typed change events for alerts and live cards.
 */
import type {
  Container,
  Inventory,
  InventoryChange,
  PoolHost,
  PoolMessage,
  PoolStatus,
  VmLookup,
  VmSummary,
} from '../core/ports.js'
import { type Log, silentLog } from '../log.js'
import { findVm, indexVms, type VmIndex } from './find-vm.js'
import type { PoolConnection, PoolConnectionEvents } from './pool-connection.js'
import { sameContainer } from './same-container.js'
import {
  type CachedHost,
  type CachedVm,
  DockerXmlCache,
  isPlainVm,
  sameContainerText,
  sameSummary,
  summarise,
} from './vm-summary.js'

const NULL_REF = 'OpaqueRef:NULL'

interface CachedObject {
  readonly $type: string
  readonly $ref: string
  readonly [field: string]: unknown
}

/**
 * What the inventory reads of a pool connection: its name, status, Docker backend setting and object
 * events. Narrow so the alert benchmark can feed it the XML the xscontainer monitor writes without a
 * pool (tests/bench/decisions-child.ts).
 */
export interface InventoryFeed {
  readonly name: string
  readonly status: PoolStatus
  readonly dockerBackend: 'auto' | 'ssh'
  on<K extends keyof PoolConnectionEvents>(event: K, listener: (...args: PoolConnectionEvents[K]) => void): unknown
}

class PoolIndex {
  readonly vms = new Map<string, CachedVm>()
  readonly hosts = new Map<string, CachedHost>()
  readonly networks = new Map<string, Readonly<Record<string, string>>>()
  readonly metricsOwner = new Map<string, string>()
  readonly summaries = new Map<string, VmSummary>()
  /** Issue #11: XAPI messages by ref (they never change, they come and go). */
  readonly messages = new Map<string, PoolMessage>()
  status: PoolStatus
  readonly dockerBackend: 'auto' | 'ssh'

  constructor(status: PoolStatus, dockerBackend: 'auto' | 'ssh') {
    this.status = status
    this.dockerBackend = dockerBackend
  }
}

export class XenInventory implements Inventory {
  readonly #indexes = new Map<string, PoolIndex>()
  readonly #listeners = new Set<(change: InventoryChange) => void>()
  /** Exposed so tests can check that unrelated changes parse no XML. */
  readonly xmlCache = new DockerXmlCache()

  readonly #log: Log
  /** Bumped whenever a summary is set or removed; the sorted view is rebuilt when it is stale. */
  #version = 0
  #view: (VmIndex & { readonly version: number }) | undefined

  constructor(connections: readonly PoolConnection[] = [], log: Log = silentLog) {
    this.#log = log
    for (const connection of connections) this.attach(connection)
  }

  attach(connection: InventoryFeed): void {
    const index = new PoolIndex(connection.status, connection.dockerBackend)
    this.#indexes.set(connection.name, index)
    connection.on('add', (objects) => this.#apply(connection.name, index, objects as CachedObject[], false))
    connection.on('update', (objects) => this.#apply(connection.name, index, objects as CachedObject[], false))
    connection.on('remove', (objects) => this.#apply(connection.name, index, objects as CachedObject[], true))
    connection.on('status', (status) => {
      index.status = status
      this.#emit({ kind: 'pool-status', status })
    })
  }

  pools(): readonly PoolStatus[] {
    return [...this.#indexes.values()].map((i) => i.status)
  }

  vms(filter: { readonly pool?: string | undefined } = {}): readonly VmSummary[] {
    const all = this.#sorted().all
    return filter.pool === undefined ? all : all.filter((vm) => vm.pool === filter.pool)
  }

  findVm(query: string): VmLookup {
    return findVm(this.#sorted(), query)
  }

  /**
   * Every VM sorted, with its name and UUID lookups, rebuilt on the first read after a change: commands
   * read far more often than a VM's summary changes, and sorting thousands of names per `/docker ps`
   * was most of its cost (see the docker-ps benchmark).
   */
  #sorted(): VmIndex {
    if (this.#view?.version !== this.#version) {
      const all = [...this.#indexes.values()]
        .flatMap((i) => [...i.summaries.values()])
        .sort((a, b) => a.pool.localeCompare(b.pool) || a.name.localeCompare(b.name))
      this.#view = { version: this.#version, ...indexVms(all) }
    }
    return this.#view
  }

  onChange(listener: (change: InventoryChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** A failing listener (an alert rule, a live card) is logged; the others and the inventory go on. */
  #emit(change: InventoryChange): void {
    // A cold sync emits one vm-added per VM, usually before anyone listens: no copy of no listeners.
    if (this.#listeners.size === 0) return
    for (const listener of [...this.#listeners]) {
      try {
        listener(change)
      } catch (error) {
        this.#log.error({ err: error, change: change.kind }, 'an inventory listener failed')
      }
    }
  }

  #apply(pool: string, index: PoolIndex, objects: readonly CachedObject[], removed: boolean): void {
    const touched = new Set<string>()
    // Host and message events go out after the VMs are recomputed, so a message names its VM as it is now.
    const later: InventoryChange[] = []
    for (const o of objects) {
      switch (o.$type) {
        case 'VM': {
          const vm = o as unknown as CachedVm
          const previous = index.vms.get(vm.$ref)
          if (previous && previous.guest_metrics !== NULL_REF) index.metricsOwner.delete(previous.guest_metrics)
          if (removed) index.vms.delete(vm.$ref)
          else {
            index.vms.set(vm.$ref, vm)
            if (vm.guest_metrics !== NULL_REF) index.metricsOwner.set(vm.guest_metrics, vm.$ref)
          }
          touched.add(vm.$ref)
          break
        }
        case 'VM_guest_metrics': {
          if (removed) index.networks.delete(o.$ref)
          else index.networks.set(o.$ref, (o.networks ?? {}) as Record<string, string>)
          const owner = index.metricsOwner.get(o.$ref)
          if (owner) touched.add(owner)
          break
        }
        case 'host': {
          const known = index.hosts.has(o.$ref)
          if (removed) index.hosts.delete(o.$ref)
          else index.hosts.set(o.$ref, o as unknown as CachedHost)
          if (known === removed) later.push({ kind: removed ? 'host-removed' : 'host-added', host: poolHost(pool, o) })
          for (const vm of index.vms.values()) if (vm.resident_on === o.$ref) touched.add(vm.$ref)
          break
        }
        case 'message':
          if (removed || !index.messages.has(o.$ref)) later.push(this.#message(pool, index, o, removed))
          break
      }
    }
    for (const ref of touched) this.#recompute(pool, index, ref)
    for (const change of later) this.#emit(change)
  }

  /** Issue #11: a message coming (once per ref) or going. */
  #message(pool: string, index: PoolIndex, o: CachedObject, removed: boolean): InventoryChange {
    const known = index.messages.get(o.$ref)
    // Kept without its VM (pools hold thousands of messages; a VM summary is rebuilt on every change).
    const withVm = (m: PoolMessage): PoolMessage => ({
      ...m,
      vm: m.cls === 'VM' ? [...index.summaries.values()].find((v) => v.uuid === m.objUuid) : undefined,
    })
    if (removed && known) {
      index.messages.delete(o.$ref)
      return { kind: 'message-removed', message: withVm(known) }
    }
    const message: PoolMessage = {
      pool,
      uuid: String(o.uuid ?? ''),
      name: String(o.name ?? ''),
      body: String(o.body ?? ''),
      cls: String(o.cls ?? ''),
      objUuid: String(o.obj_uuid ?? ''),
    }
    if (removed) return { kind: 'message-removed', message: withVm(message) }
    index.messages.set(o.$ref, message)
    return { kind: 'message-added', message: withVm(message) }
  }

  #recompute(pool: string, index: PoolIndex, ref: string): void {
    const vm = index.vms.get(ref)
    const previous = index.summaries.get(ref)
    if (!vm || !isPlainVm(vm)) {
      if (previous) {
        index.summaries.delete(ref)
        this.#version++
        this.xmlCache.forget(ref)
        this.#emit({ kind: 'vm-removed', vm: previous })
      }
      return
    }
    const networks = vm.guest_metrics === NULL_REF ? undefined : index.networks.get(vm.guest_metrics)
    const summary = summarise(pool, vm, index.hosts.get(vm.resident_on), networks, this.xmlCache, index.dockerBackend)
    index.summaries.set(ref, summary)
    this.#version++
    if (!previous) {
      this.#emit({ kind: 'vm-added', vm: summary })
      return
    }
    if (sameSummary(previous, summary)) return
    this.#emit({ kind: 'vm-changed', vm: summary, previous })
    if (previous.power !== summary.power) {
      this.#emit({ kind: 'power-changed', vm: summary, from: previous.power, to: summary.power })
    }
    // Container events compare two known lists: a list appearing or vanishing as a whole (monitoring
    // starting, the VM halting and xscontainer wiping its keys) is a VM-level fact, not N container events.
    // The same docker_ps text is the same containers: nothing to compare, nothing to parse.
    if (sameContainerText(previous, summary)) return
    const before = previous.docker.containers
    const after = summary.docker.containers
    if (before && after) this.#diffContainers(summary, before, after)
  }

  #diffContainers(vm: VmSummary, before: readonly Container[], after: readonly Container[]): void {
    const old = new Map(before.map((c) => [c.id, c]))
    for (const container of after) {
      const previous = old.get(container.id)
      old.delete(container.id)
      if (!previous) this.#emit({ kind: 'container-appeared', vm, container })
      else if (!sameContainer(previous, container)) {
        this.#emit({ kind: 'container-changed', vm, container, previous })
      }
    }
    for (const container of old.values()) this.#emit({ kind: 'container-vanished', vm, container })
  }
}

/** Issue #11: a host as the alerts see it, product from `software_version`. */
function poolHost(pool: string, o: CachedObject): PoolHost {
  const sv = (o.software_version ?? {}) as Readonly<Record<string, string>>
  return {
    pool,
    name: String(o.name_label ?? ''),
    uuid: String(o.uuid ?? ''),
    brand: sv.product_brand ?? 'unknown',
    version: sv.product_version ?? 'unknown',
  }
}
