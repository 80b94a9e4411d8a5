/**
 * The Inventory port faked at its interface — a list the caller changes, each change announced as the
 * real inventory would — and builders for the containers and VMs it holds. Free of vitest, so the
 * benchmarks (run outside vitest) feed the alert channel the same way the alert tests do.
 */
import type { Container, Inventory, InventoryChange, PoolStatus, VmLookup, VmSummary } from '../../src/core/ports.js'

/** The Inventory port over a list the test changes, announcing each change as the real one would. */
export class FakeInventory implements Inventory {
  readonly #listeners = new Set<(change: InventoryChange) => void>()
  readonly #pools = new Map<string, PoolStatus>()
  readonly #vms = new Map<string, VmSummary>()

  pools(): readonly PoolStatus[] {
    return [...this.#pools.values()]
  }

  vms(filter?: { readonly pool?: string | undefined }): readonly VmSummary[] {
    return [...this.#vms.values()].filter((v) => filter?.pool === undefined || v.pool === filter.pool)
  }

  findVm(query: string): VmLookup {
    const vm = [...this.#vms.values()].find((v) => v.uuid === query || v.name === query)
    return vm ? { kind: 'found', vm } : { kind: 'not-found' }
  }

  onChange(listener: (change: InventoryChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(change: InventoryChange): void {
    if (change.kind === 'pool-status') this.#pools.set(change.status.name, change.status)
    if ('vm' in change && change.kind !== 'vm-removed') this.#vms.set(change.vm.uuid, change.vm)
    for (const listener of this.#listeners) listener(change)
  }

  synced(pool: string): void {
    this.emit({ kind: 'pool-status', status: { name: pool, state: 'synced', since: 0 } })
  }
}

const stateOf = (status: string) =>
  status.startsWith('Up') ? 'running' : status.startsWith('Exited') ? 'exited' : 'restarting'

export function container(name: string, index: number, status = 'Up'): Container {
  const id = index.toString(16).padStart(64, 'c')
  return {
    id,
    key: id.slice(0, 10),
    name,
    image: 'alpine:3.19',
    command: '/bin/sh',
    state: stateOf(status),
    status,
    created: '0',
    ports: [],
    labels: {},
  }
}

/** The same container with another status: `Up`, `Exited (137)`, `Restarting (1) 2 seconds ago`. */
export const withStatus = (c: Container, status: string): Container => ({ ...c, status, state: stateOf(status) })

export function vm(pool: string, name: string, index: number, containers: readonly Container[] = []): VmSummary {
  return {
    pool,
    uuid: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    name,
    power: 'running',
    tags: [],
    docker: { monitor: 'enabled', backend: { kind: 'xscontainer', reason: 'test' }, containers },
  }
}
