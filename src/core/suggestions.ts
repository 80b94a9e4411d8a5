/**
 * Suggestions: the names a user may mean, for completion and for "did you mean" — answered from the
 * inventory only (no XAPI calls) and only from what the asker may read. A VM counts when the actor
 * holds docker.read on it; a pool when the actor may read the pool itself or something in it. Names
 * outside that scope never appear, not even as a pool label that would tell another VM of that name
 * exists elsewhere.
 *
 * Ranking: exact match (any case), then names starting with the query, then names containing it, then
 * names within a small Damerau–Levenshtein distance (at most 2, and at most half the query's length, so
 * a two-letter query does not "match" every two-letter name); ties by distance, then by name. "Did you
 * mean" offers the best-ranked names only (at most three).
 */
import type { AccessPolicy } from './access.js'
import type { Actor, Target } from './command.js'
import type { Inventory, VmSummary } from './ports.js'

/** What the actor sees (`web-1 (lab-legacy)`) and what to type (`lab-legacy/web-1`). */
export interface Suggestion {
  readonly label: string
  readonly value: string
}

/** A suggestion with its rank (lower is better), for "did you mean" to keep only the best. */
interface Ranked extends Suggestion {
  readonly rank: number
}

export type SuggestionKind = 'vm' | 'container' | 'pool'

export interface Suggestions {
  vms(actor: Actor, prefix: string, limit?: number): Suggestion[]
  /** Containers of the VM `vmQuery` names (name, pool/name or UUID), when the actor may read it. */
  containers(actor: Actor, vmQuery: string, prefix: string, limit?: number): Suggestion[]
  pools(actor: Actor, prefix: string): Suggestion[]
  /** Values to offer after a failed lookup; `context` is the VM query for containers. */
  didYouMean(actor: Actor, kind: SuggestionKind, query: string, context?: string): string[]
}

/** The part of AccessPolicy suggestions need. */
export type SuggestionAccess = Pick<AccessPolicy, 'allows'>

export const DEFAULT_LIMIT = 25
/** "Did you mean" offers at most this many names. */
export const DID_YOU_MEAN_LIMIT = 3
const MAX_DISTANCE = 2

/** Damerau–Levenshtein distance (optimal string alignment: adjacent transpositions count as one edit). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[]
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      row[j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The rank of `name` for `query` (lower is better), or undefined when it does not match at all:
 * 0 exact, 1 prefix, 2 substring, 3 + distance for a close misspelling. Case-insensitive.
 */
export function rankName(name: string, query: string): number | undefined {
  const n = name.toLowerCase()
  const q = query.toLowerCase()
  if (n === q) return 0
  if (n.startsWith(q)) return 1
  if (n.includes(q)) return 2
  const allowed = Math.min(MAX_DISTANCE, Math.floor(q.length / 2))
  if (allowed === 0) return undefined
  // Length alone can rule a name out before the quadratic comparison.
  if (Math.abs(n.length - q.length) > allowed) return undefined
  const distance = editDistance(n, q)
  return distance <= allowed ? 3 + distance : undefined
}

/** `items` ranked against `query` by `nameOf`, best first, with their rank; ties by name, then by `tieBreak`. */
export function rankBy<T>(
  items: readonly T[],
  query: string,
  nameOf: (item: T) => string,
  tieBreak: (item: T) => string = () => '',
): { item: T; rank: number }[] {
  return items
    .flatMap((item) => {
      const rank = rankName(nameOf(item), query)
      return rank === undefined ? [] : [{ item, rank }]
    })
    .sort(
      (x, y) =>
        x.rank - y.rank || compare(nameOf(x.item), nameOf(y.item)) || compare(tieBreak(x.item), tieBreak(y.item)),
    )
}

const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
/** By name as people read it (WebAPI between redis and web), then exactly, so the order is total. */
const compare = (a: string, b: string) => order(a.toLowerCase(), b.toLowerCase()) || order(a, b)

const vmTarget = (vm: VmSummary): Target => ({ pool: vm.pool, vm: { name: vm.name, tags: vm.tags } })

export function createSuggestions(inventory: Inventory, access: SuggestionAccess): Suggestions {
  const visibleVms = (actor: Actor): VmSummary[] =>
    inventory.vms().filter((vm) => access.allows(actor, 'docker.read', vmTarget(vm)))

  const visiblePools = (actor: Actor): string[] => {
    const vms = visibleVms(actor)
    const names = new Set([...inventory.pools().map((p) => p.name), ...inventory.vms().map((vm) => vm.pool)])
    return [...names].filter(
      (pool) => vms.some((vm) => vm.pool === pool) || access.allows(actor, 'docker.read', { pool }),
    )
  }

  /** `pool/term` narrows to a visible pool, as the VM lookup does. */
  const narrow = (vms: VmSummary[], query: string): { vms: VmSummary[]; term: string } => {
    const slash = query.indexOf('/')
    if (slash <= 0) return { vms, term: query }
    const pool = query.slice(0, slash)
    if (!vms.some((vm) => vm.pool === pool)) return { vms, term: query }
    return { vms: vms.filter((vm) => vm.pool === pool), term: query.slice(slash + 1) }
  }

  const vmSuggestions = (actor: Actor, query: string, limit: number): Ranked[] => {
    const visible = visibleVms(actor)
    // Whether a name needs its pool is decided among visible VMs only.
    const poolsOf = new Map<string, Set<string>>()
    for (const vm of visible) poolsOf.set(vm.name, (poolsOf.get(vm.name) ?? new Set()).add(vm.pool))
    const { vms, term } = narrow(visible, query.trim())
    const seen = new Set<string>()
    const out: Ranked[] = []
    for (const { item: vm, rank } of rankBy(
      vms,
      term,
      (v) => v.name,
      (v) => v.pool,
    )) {
      const shared = (poolsOf.get(vm.name)?.size ?? 0) > 1
      const suggestion = shared
        ? { label: `${vm.name} (${vm.pool})`, value: `${vm.pool}/${vm.name}`, rank }
        : { label: vm.name, value: vm.name, rank }
      if (seen.has(suggestion.value)) continue
      seen.add(suggestion.value)
      out.push(suggestion)
      if (out.length >= limit) break
    }
    return out
  }

  /** The one visible VM `vmQuery` names, by the inventory's own lookup. */
  const visibleVm = (actor: Actor, vmQuery: string): VmSummary | undefined => {
    const found = inventory.findVm(vmQuery)
    const candidates = found.kind === 'found' ? [found.vm] : found.kind === 'ambiguous' ? found.candidates : []
    const readable = candidates.filter((vm) => access.allows(actor, 'docker.read', vmTarget(vm)))
    return readable.length === 1 ? readable[0] : undefined
  }

  const containerSuggestions = (actor: Actor, vmQuery: string, query: string, limit: number): Ranked[] => {
    const vm = visibleVm(actor, vmQuery)
    if (!vm) return []
    const names = [...new Set((vm.docker.containers ?? []).map((c) => c.name))]
    return rankBy(names, query.trim(), (n) => n)
      .slice(0, limit)
      .map(({ item, rank }) => ({ label: item, value: item, rank }))
  }

  const poolSuggestions = (actor: Actor, query: string, limit: number): Ranked[] =>
    rankBy(visiblePools(actor), query.trim(), (p) => p)
      .slice(0, limit)
      .map(({ item, rank }) => ({ label: item, value: item, rank }))

  const plain = ({ label, value }: Ranked): Suggestion => ({ label, value })

  return {
    vms: (actor, prefix, limit = DEFAULT_LIMIT) => vmSuggestions(actor, prefix, limit).map(plain),
    containers: (actor, vmQuery, prefix, limit = DEFAULT_LIMIT) =>
      containerSuggestions(actor, vmQuery, prefix, limit).map(plain),
    pools: (actor, prefix) => poolSuggestions(actor, prefix, DEFAULT_LIMIT).map(plain),
    didYouMean(actor, kind, query, context) {
      if (query.trim() === '') return []
      const found =
        kind === 'vm'
          ? vmSuggestions(actor, query, DID_YOU_MEAN_LIMIT)
          : kind === 'pool'
            ? poolSuggestions(actor, query, DID_YOU_MEAN_LIMIT)
            : context === undefined
              ? []
              : containerSuggestions(actor, context, query, DID_YOU_MEAN_LIMIT)
      // Only the best-ranked names: "web1" means web-1, not every name two edits away as well.
      const best = found[0]?.rank
      return found.filter((s) => s.rank === best).map((s) => s.value)
    },
  }
}
