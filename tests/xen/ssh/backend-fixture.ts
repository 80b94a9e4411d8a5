/**
 * The SSH backend against the simulated guests of tests/sim/guest-ssh/guests-fixture.ts: a bot identity
 * the guests' `core` accounts trust, host keys pinned in an in-memory store, the simulator's endpoint
 * map, and VmSummary values as the inventory would give them.
 */
import { afterEach, expect } from 'vitest'
import type { VmSummary } from '../../../src/core/ports.js'
import { ManualClock } from '../../../src/sim/clock.js'
import type { GuestSsh } from '../../../src/sim/guest-ssh/guest-ssh.js'
import type { Simulator } from '../../../src/sim/simulator.js'
import { openStore, type Store } from '../../../src/store/open-store.js'
import { BotIdentity } from '../../../src/xen/ssh/bot-identity.js'
import { generateEd25519 } from '../../../src/xen/ssh/generate-key.js'
import { type SshBackendOptions, SshDockerBackend } from '../../../src/xen/ssh/ssh-docker-backend.js'
import { startSim } from '../../helpers/sim.js'
import { guestsScenario } from '../../sim/guest-ssh/guests-fixture.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

export interface BackendFixture {
  readonly sim: Simulator
  readonly clock: ManualClock
  readonly identity: BotIdentity
  readonly store: Store
  readonly backend: SshDockerBackend
  /** A VmSummary of a fixture VM, as the inventory would describe it (served over SSH). */
  vm(name: string, over?: Partial<VmSummary>): VmSummary
  guest(name: string): GuestSsh
}

const IPS: Record<string, string> = { box: '10.9.0.1', sleeper: '10.9.0.2', 'no-sshd': '10.9.0.3', bare: '10.9.0.4' }

export async function startBackend(options: Partial<SshBackendOptions> = {}): Promise<BackendFixture> {
  const clock = new ManualClock()
  const sim = await startSim({ scenario: guestsScenario(), clock })
  const identity = new BotIdentity(generateEd25519('xen-chatops@test').private, 'test')
  const store = openStore({ memory: true })
  const backend = new SshDockerBackend({
    identity,
    hostKeys: store.hostKeys,
    resolveEndpoint: (ip) => sim.resolveSshEndpoint(ip),
    callTimeoutMs: 5000,
    readyTimeoutMs: 3000,
    ...options,
  })
  cleanups.push(
    () => backend.close(),
    () => store.close(),
  )
  const pool = sim.pool('lab').pool
  const guest = (name: string) => {
    const ref = pool.store.find('VM', (r) => r.name_label === name)[0] ?? ''
    return pool.guests.get(ref)?.ssh ?? expect.fail(`no SSH model for ${name}`)
  }
  // The guests were built with the bot's key for `core` (as cloud-init would have put it there).
  for (const name of Object.keys(IPS)) {
    const core = guest(name).users.get('core')
    if (core) core.authorizedKeys += `${identity.publicLine}\n`
  }
  const vm = (name: string, over: Partial<VmSummary> = {}): VmSummary => {
    const ref = pool.store.find('VM', (r) => r.name_label === name)[0] ?? expect.fail(`no VM ${name}`)
    const record = pool.store.get('VM', ref)
    return {
      pool: 'lab',
      uuid: String(record.uuid),
      name,
      power: record.power_state === 'Running' ? 'running' : 'halted',
      ip: IPS[name],
      tags: ['docker'],
      docker: { monitor: 'absent', backend: { kind: 'ssh', reason: 'tagged "docker"' } },
      ...over,
    }
  }
  return { sim, clock, identity, store, backend, vm, guest }
}
