/**
 * Test helpers around the simulator: start a scenario on loopback with fast simulated time, and
 * speak raw JSON-RPC to it (for envelope-level assertions no client library would let us make).
 */
import { afterEach } from 'vitest'
import { ManualClock, RealClock, type SimClock } from '../../src/sim/clock.js'
import { loadScenario, type Scenario } from '../../src/sim/scenario.js'
import { type Simulator, startSimulator } from '../../src/sim/simulator.js'

export interface StartOptions {
  scenario?: string | Scenario
  /** Defaults to real time sped up 200× (a 20 s boot takes 100 ms). */
  clock?: SimClock
  tls?: boolean
  members?: boolean
}

const running: Simulator[] = []

/** Starts a simulator that is closed automatically after the current test. */
export async function startSim(options: StartOptions = {}): Promise<Simulator> {
  const scenario = typeof options.scenario === 'object' ? options.scenario : loadScenario(options.scenario ?? 'lab')
  const sim = await startSimulator({
    scenario,
    clock: options.clock ?? new RealClock(200),
    tls: options.tls,
    members: options.members,
  })
  running.push(sim)
  return sim
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()))
})

export { ManualClock, RealClock }

export interface JsonRpcReply {
  status: number
  contentType: string | null
  body: Record<string, unknown>
}

/** One raw JSON-RPC request; `v1` omits the `jsonrpc` member as version-1 clients do. */
export async function jsonRpc(
  url: string,
  method: string,
  params: unknown[],
  { v1 = false, id = 0 }: { v1?: boolean; id?: number } = {},
): Promise<JsonRpcReply> {
  const res = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(v1 ? { method, params, id } : { jsonrpc: '2.0', method, params, id }),
  })
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  }
}

/** Calls a method over JSON-RPC v2 and returns its result, throwing the XAPI error description on failure. */
export async function call<T = unknown>(url: string, method: string, ...params: unknown[]): Promise<T> {
  const { body } = await jsonRpc(url, method, params)
  if ('error' in body) {
    const error = body.error as { message: string; data: string[] }
    throw Object.assign(new Error(`${error.message}(${error.data.join(', ')})`), {
      errorDescription: [error.message, ...error.data],
    })
  }
  return body.result as T
}

/** Logs in as the pool's user and returns the session ref. */
export function login(sim: Simulator, pool = sim.pools[0]?.name ?? ''): Promise<string> {
  const p = sim.pool(pool)
  return call<string>(p.url, 'session.login_with_password', p.username, p.password)
}

/** The XAPI error description a promise rejects with (via `call`), for `expect(...).toEqual([...])`. */
export async function errorOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise
  } catch (error) {
    const description = (error as { errorDescription?: string[] }).errorDescription
    if (description) return description
    throw error
  }
  throw new Error('expected the call to fail, it succeeded')
}
