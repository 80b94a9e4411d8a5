/**
 * Finding a VM the way people type it: an exact name or UUID first, then a unique prefix of either,
 * across every pool; `pool/name` narrows to one pool. Several matches are an ambiguity the reply lists
 * with each candidate's pool, never a guess.
 */
import type { VmLookup, VmSummary } from '../core/ports.js'

const MIN_UUID_PREFIX = 4

export function findVm(vms: readonly VmSummary[], rawQuery: string): VmLookup {
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
  return (
    pick(scoped.filter((vm) => vm.uuid === lower)) ??
    pick(scoped.filter((vm) => vm.name === term)) ??
    // Names differ only in case more often by accident than by design: treat that as a match too.
    pick(scoped.filter((vm) => vm.name.toLowerCase() === lower)) ??
    pick(
      scoped.filter(
        (vm) =>
          vm.name.toLowerCase().startsWith(lower) || (lower.length >= MIN_UUID_PREFIX && vm.uuid.startsWith(lower)),
      ),
    ) ?? { kind: 'not-found' }
  )
}
