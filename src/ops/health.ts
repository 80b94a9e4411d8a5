/**
 * `/healthz`: healthy when at least one pool is synced and every configured chat adapter is connected.
 * The body says why not, in words.
 */
import type { PoolStatus } from '../core/ports.js'

export interface AdapterHealth {
  readonly name: string
  connected(): boolean
}

export interface Health {
  readonly ok: boolean
  readonly pools: readonly {
    readonly name: string
    readonly state: PoolStatus['state']
    readonly reason: string | null
  }[]
  readonly problems: readonly string[]
}

export function healthOf(pools: readonly PoolStatus[], adapters: readonly AdapterHealth[]): Health {
  const problems: string[] = []
  if (!pools.some((p) => p.state === 'synced')) problems.push('no pool is synced')
  for (const pool of pools) {
    if (pool.state !== 'synced') {
      problems.push(`pool ${pool.name} is ${pool.state}${pool.reason === undefined ? '' : `: ${pool.reason}`}`)
    }
  }
  for (const adapter of adapters) if (!adapter.connected()) problems.push(`adapter ${adapter.name} is not connected`)
  const ok = pools.some((p) => p.state === 'synced') && adapters.every((a) => a.connected())
  return {
    ok,
    pools: pools.map((p) => ({ name: p.name, state: p.state, reason: p.reason ?? null })),
    problems,
  }
}
