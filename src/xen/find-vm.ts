/**
 * Finding a VM the way people type it: an exact name or UUID first, then a unique prefix of either,
 * across every pool; `pool/name` narrows to one pool. Several matches are an ambiguity the reply lists
 * with each candidate's pool, never a guess.
 */
import type { VmLookup, VmSummary } from '../core/ports.js'

const MIN_UUID_PREFIX = 4

/** VMs with their exact lookups: UUID, and lower-cased name (names are not unique, even in a pool). */
export interface VmIndex {
  readonly all: readonly VmSummary[]
  readonly byUuid: ReadonlyMap<string, VmSummary>
  readonly byLowerName: ReadonlyMap<string, readonly VmSummary[]>
}

export function indexVms(all: readonly VmSummary[]): VmIndex {
  const byUuid = new Map<string, VmSummary>()
  const byLowerName = new Map<string, VmSummary[]>()
  for (const vm of all) {
    byUuid.set(vm.uuid, vm)
    const key = vm.name.toLowerCase()
    const list = byLowerName.get(key)
    if (list) list.push(vm)
    else byLowerName.set(key, [vm])
  }
  return { all, byUuid, byLowerName }
}

export function findVm(vmsOrIndex: readonly VmSummary[] | VmIndex, rawQuery: string): VmLookup {
  const index = 'all' in vmsOrIndex ? vmsOrIndex : indexVms(vmsOrIndex)
  const vms = index.all
  const query = rawQuery.trim()
  if (query === '') return { kind: 'not-found' }
  // `pool/name` only when the part before the slash is a pool: VM names may contain `/` themselves.
  const slash = query.indexOf('/')
  const pool = slash > 0 ? query.slice(0, slash) : undefined
  const byPool = pool !== undefined && vms.some((vm) => vm.pool === pool)
  const scoped = byPool ? vms.filter((vm) => vm.pool === pool) : vms
  const term = byPool ? query.slice(slash + 1) : query
  if (term === '') return { kind: 'not-found' }
  const lower = term.toLowerCase()

  const pick = (matches: readonly VmSummary[]): VmLookup | undefined => {
    if (matches.length === 1 && matches[0]) return { kind: 'found', vm: matches[0] }
    if (matches.length > 1) return { kind: 'ambiguous', candidates: matches }
    return undefined
  }
  const inScope = (vm: VmSummary) => !byPool || vm.pool === pool
  const byUuid = index.byUuid.get(lower)
  const sameName = (index.byLowerName.get(lower) ?? []).filter(inScope)
  return (
    pick(byUuid && inScope(byUuid) ? [byUuid] : []) ??
    pick(sameName.filter((vm) => vm.name === term)) ??
    // Names differ only in case more often by accident than by design: treat that as a match too.
    pick(sameName) ??
    pick(
      scoped.filter(
        (vm) =>
          vm.name.toLowerCase().startsWith(lower) || (lower.length >= MIN_UUID_PREFIX && vm.uuid.startsWith(lower)),
      ),
    ) ?? { kind: 'not-found' }
  )
}
