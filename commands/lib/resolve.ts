/**
 * Turning what people type into one VM or one container, or a UserError that says why not: nothing
 * matches (with what does exist, and the closest names the asker may see), or several do (each
 * candidate named, VMs with their pool).
 */

import type { Target } from '../../src/core/command.js'
import { UserError } from '../../src/core/errors.js'
import type { Container, DockerBackend, Inventory, VmSummary } from '../../src/core/ports.js'
import { vmTarget } from './vm-facts.js'

/** Ambiguities list at most this many candidates, then say how many more. */
const MAX_LISTED = 10
const MIN_ID_PREFIX = 4

/** Names close to what was typed, already limited to what the asker may see (see commands/lib/suggest.ts). */
export type Suggest = (query: string) => readonly string[]

/** ". Did you mean a, b?" when `suggest` has anything other than the query itself to offer, else ''. */
function didYouMean(query: string, suggest: Suggest | undefined): string {
  const names = (suggest?.(query) ?? []).filter((n) => n !== query)
  return names.length > 0 ? `. Did you mean ${names.join(', ')}?` : ''
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(', ')
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown
}

export function resolveVm(inventory: Inventory, query: string, suggest?: Suggest): VmSummary {
  const found = inventory.findVm(query)
  if (found.kind === 'found') return found.vm
  if (found.kind === 'ambiguous') {
    const candidates = found.candidates.map((vm) => `${vm.name} (${vm.pool})`)
    throw new UserError(
      'vm.ambiguous',
      `"${query}" matches several VMs: ${listed(candidates)}; give more of the name, or pool/name`,
      { details: { candidates: found.candidates.map((vm) => ({ name: vm.name, pool: vm.pool, uuid: vm.uuid })) } },
    )
  }
  throw new UserError(
    'vm.not_found',
    `no VM named "${query}" in any pool; give its name, a prefix of it, or its UUID${didYouMean(query, suggest)}`,
  )
}

/** The VM a plan resolved, found again by UUID when the command runs. */
export function vmByUuid(inventory: Inventory, pool: string, uuid: string, name: string): VmSummary {
  const vm = inventory.vms({ pool }).find((v) => v.uuid === uuid)
  if (!vm) throw new UserError('vm.gone', `${name} is no longer in pool ${pool}`)
  return vm
}

/**
 * By exact name, then exact key or id, then name in any case, then a unique prefix of the id (at least
 * four hex digits) or of the name.
 */
export function resolveContainer(
  containers: readonly Container[],
  query: string,
  vm: VmSummary,
  suggest?: Suggest,
): Container {
  const lower = query.toLowerCase()
  const levels: ((c: Container) => boolean)[] = [
    (c) => c.name === query,
    (c) => c.key === lower || c.id === lower,
    (c) => c.name.toLowerCase() === lower,
    (c) =>
      (lower.length >= MIN_ID_PREFIX && /^[0-9a-f]+$/.test(lower) && c.id.startsWith(lower)) ||
      c.name.toLowerCase().startsWith(lower),
  ]
  for (const matches of levels) {
    const found = containers.filter(matches)
    if (found.length === 1 && found[0]) return found[0]
    if (found.length > 1) {
      throw new UserError(
        'docker.ambiguous_container',
        `"${query}" matches several containers in ${vm.name}: ${listed(found.map((c) => `${c.name} (${c.key})`))}; give the full name or more of the id`,
      )
    }
  }
  if (containers.length === 0) throw new UserError('docker.no_such_container', `${vm.name} has no containers`)
  throw new UserError(
    'docker.no_such_container',
    `no container "${query}" in ${vm.name}; its containers are ${listed(containers.map((c) => c.name))}${didYouMean(query, suggest)}`,
  )
}

/** The plan of a read command about one VM: the VM itself, and it as the access target. */
export function planVm(inventory: Inventory, query: string, suggest?: Suggest): { target: Target; vm: VmSummary } {
  const vm = resolveVm(inventory, query, suggest)
  return { target: vmTarget(vm), vm }
}

/** The backend serving `vm`, and the container `query` names among what it lists. */
export async function containerOf(
  docker: (vm: VmSummary) => DockerBackend,
  vm: VmSummary,
  query: string,
  suggest?: Suggest,
): Promise<{ backend: DockerBackend; container: Container }> {
  const backend = docker(vm)
  return { backend, container: resolveContainer(await backend.list(vm), query, vm, suggest) }
}

/** The plan of a command with an optional pool argument: that pool as the access target, if it exists. */
export function planPool(inventory: Inventory, pool: string | undefined): { target?: Target } {
  if (pool === undefined) return {}
  const known = inventory.pools().map((p) => p.name)
  if (!known.includes(pool)) {
    throw new UserError('xen.unknown_pool', `there is no pool named "${pool}"; the pools are ${known.join(', ')}`)
  }
  return { target: { pool } }
}
