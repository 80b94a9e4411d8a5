/**
 * What every fault test of the reliability suite (issue #13) checks once the fault has played out:
 * the job's audit trail (the chain verifies, and it holds the job's entries in order — started, each
 * step, finished), and that nothing was lost (the inventory still holds every VM each simulated pool
 * has, and the acted-on container shows the state its guest really has). The last card and the count of
 * actions are checked in each test, because what is truthful differs per fault.
 */
import { expect } from 'vitest'
import type { Inventory } from '../../src/core/ports.js'
import type { StatusCard } from '../../src/core/reply.js'
import type { AuditEntry, AuditLog } from '../../src/core/store-ports.js'
import type { DockerDaemon } from '../../src/sim/docker/docker-daemon.js'
import type { Simulator } from '../../src/sim/simulator.js'
import { allEntries } from '../helpers/audit-entries.js'

/** The job id a card's title ends with (`… (job 1a2b3c4d)`). */
export function jobIdOf(card: StatusCard | undefined): string {
  const id = card ? /\(job ([0-9a-f]{8})\)$/.exec(card.title)?.[1] : undefined
  if (!id) throw new Error(`no job id in the card ${JSON.stringify(card)}`)
  return id
}

/** One job's audit entries in words: `started`, `<step>: running|done|failed`, `finished: <state>`. */
export function jobTrail(entries: Iterable<AuditEntry>, jobId: string): string[] {
  return [...entries]
    .filter((e) => e.kind.startsWith('job.') && e.data.jobId === jobId)
    .map((e) => {
      if (e.kind === 'job.started') return 'started'
      if (e.kind === 'job.step') return `${String(e.data.step)}: ${String(e.data.state)}`
      return `finished: ${String(e.data.state)}`
    })
}

/** The audit chain verifies, and holds exactly `trail` for the job. */
export async function expectTrail(
  audit: Pick<AuditLog, 'verify' | 'entries'>,
  jobId: string,
  trail: readonly string[],
) {
  expect(await audit.verify()).toMatchObject({ ok: true })
  expect(jobTrail(await allEntries(audit), jobId)).toEqual(trail)
}

/** Every VM (not a template, not a control domain) of every simulated pool is in the inventory, and no other. */
export function expectInventoryWhole(inventory: Inventory, sim: Simulator): void {
  for (const { name, pool } of sim.pools) {
    const simulated = pool.store
      .find('VM', (r) => r.is_a_template !== true && r.is_control_domain !== true && r.is_a_snapshot !== true)
      .map((ref) => String(pool.store.get('VM', ref).uuid))
      .sort()
    expect(
      inventory
        .vms({ pool: name })
        .map((v) => v.uuid)
        .sort(),
      `the inventory of ${name}`,
    ).toEqual(simulated)
  }
}

/** The container's state as the inventory has it matches its engine's (running, exited, paused…). */
export function expectContainerAsInGuest(
  inventory: Inventory,
  vm: { readonly pool: string; readonly name: string },
  container: string,
  daemon: DockerDaemon,
): void {
  const known = inventory.vms({ pool: vm.pool }).find((v) => v.name === vm.name)
  const listed = known?.docker.containers?.find((c) => c.name === container)
  const real = daemon.listContainers({ all: true }).find((c) => c.Names.includes(`/${container}`))
  expect(real, `${container} in the guest`).toBeDefined()
  expect(listed?.state, `${container} as the inventory has it`).toBe(real?.State)
}
