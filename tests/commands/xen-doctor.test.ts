/**
 * `/xen doctor` over the demo pools: one compact table per pool (✓ / ✗ / • and a fix column for ✗),
 * a summary line, pool-scoped reading, and the errors for an unknown pool.
 */
import { describe, expect, it } from 'vitest'
import { accessSchema } from '../../src/core/access.js'
import { isUserError } from '../../src/core/errors.js'
import type { Reply } from '../../src/core/reply.js'
import { startDoctorChat } from '../helpers/doctor-chat.js'
import { plain } from '../helpers/test-chat.js'
import { waitFor } from '../helpers/xen.js'

type Row = readonly string[]

const tables = (reply: Reply) => reply.blocks.filter((b) => b.kind === 'table')
const rowsOf = (reply: Reply): Row[] => tables(reply).flatMap((t) => t.rows)
const contextOf = (reply: Reply) => reply.blocks.flatMap((b) => (b.kind === 'context' ? [b.text] : []))

async function demo() {
  const chat = await startDoctorChat()
  await waitFor(() => chat.xen.inventory.vms().find((vm) => vm.name === 'web-1')?.docker.containers)
  return chat
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a UserError'),
    (e: unknown) => e,
  )

describe('/xen doctor', () => {
  it('is registered as a read-only xen.read command', async () => {
    const { commands } = await import('../../commands/index.js')
    const doctor = commands.find((c) => c.path === 'xen doctor')
    expect(doctor).toMatchObject({ permission: 'xen.read', mutating: false, positional: ['pool'] })
  })

  it('shows a table per pool with exactly the planted problems as ✗, each with its fix', async () => {
    const chat = await demo()
    const reply = await chat.doctor('alice')
    expect(reply.visibility).toBe('channel')
    expect(reply.blocks.filter((b) => b.kind === 'text').map((b) => (b.kind === 'text' ? b.text : ''))).toEqual([
      'lab-legacy: synced, master xs76-a',
      'lab-modern: synced, master xcp83-a',
    ])
    for (const t of tables(reply)) expect(t.columns).toEqual(['', 'what', 'check', 'result', 'fix'])

    const rows = rowsOf(reply)
    const failed = rows.filter((r) => r[0] === '✗')
    expect(failed.map((r) => [r[1], r[2]])).toEqual([
      ['xs76-c', 'xscontainer'],
      ['builder-no-tools', 'backend'],
      ['edge-proxy', 'backend'],
    ])
    expect(failed[0]?.[4]).toBe(
      'install the xscontainer supplemental pack on xs76-c: xe-install-supplemental-pack xscontainer.iso, then restart the toolstack (xe-toolstack-restart)',
    )
    expect(failed[1]?.[3]).toBe('no IP: install the guest tools')
    expect(failed[1]?.[4]).toContain('xe-guest-utilities')
    expect(failed[2]?.[3]).toMatch(/container data unreadable \(docker_ps: /)
    // Only ✗ lines carry a fix.
    expect(rows.filter((r) => r[0] !== '✗').every((r) => r[4] === '')).toBe(true)
    expect(rows).toContainEqual([
      '•',
      'xcp83-a',
      'xscontainer',
      'xscontainer is not supported on 8.3; Docker VMs use the SSH backend',
      '',
    ])
    expect(rows).toContainEqual(['✓', 'xs76-a', 'xscontainer', 'xscontainer pack installed', ''])
    expect(contextOf(reply)).toEqual(['3 problems found · 2 pools checked'])
  })

  it('checks one pool when named, and says when there is nothing to fix', async () => {
    const chat = await demo()
    const reply = await chat.doctor('alice', { pool: 'lab-modern' })
    expect(tables(reply)).toHaveLength(1)
    expect(rowsOf(reply).some((r) => r[0] === '✗')).toBe(false)
    expect(rowsOf(reply).map((r) => r[1])).toContain('ci-runner')
    expect(contextOf(reply)).toEqual(['no problems found · 1 pool checked'])
  })

  it('refuses an unknown pool, naming the known ones', async () => {
    const chat = await demo()
    const error = await errorOf(chat.doctor('alice', { pool: 'lab-nowhere' }))
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toBe('there is no pool named "lab-nowhere"; the pools are lab-legacy, lab-modern')
  })

  it('needs xen.read: eve (no role) and carol (docker only) are refused', async () => {
    const chat = await demo()
    for (const user of ['eve', 'carol'] as const) {
      for (const args of [{}, { pool: 'lab-modern' }]) {
        const error = await errorOf(chat.doctor(user, args))
        expect((error as Error).message, user).toMatch(
          /^you need the xen\.read permission (on pool lab-modern )?for that/,
        )
      }
    }
  })

  it('shows a pool-scoped reader only the pools it may read', async () => {
    const access = accessSchema.parse({
      roles: { 'legacy-reader': { permissions: ['xen.read'], pools: ['lab-legacy'] } },
      subjects: [{ platform: 'shell', users: ['dave'], roles: ['legacy-reader'] }],
    })
    const chat = await startDoctorChat({ access })
    await waitFor(() => chat.xen.inventory.vms().find((vm) => vm.name === 'web-1')?.docker.containers)
    const reply = await chat.doctor('dave')
    expect(tables(reply)).toHaveLength(1)
    expect(plain(reply)).toContain('lab-legacy: synced, master xs76-a')
    expect(plain(reply)).not.toContain('lab-modern')
    expect(contextOf(reply)).toEqual(['3 problems found · 1 pool checked'])
    const error = await errorOf(chat.doctor('dave', { pool: 'lab-modern' }))
    expect((error as Error).message).toMatch(/^you need the xen\.read permission on .*lab-modern/)
  })

  it('reports a hung host as ✗ "no answer" and still answers within the probe timeout', async () => {
    const chat = await startDoctorChat({ probeTimeoutMs: 500 })
    const faults = chat.simPool('lab-legacy').faults
    faults.hang('host.call_plugin')
    try {
      const started = Date.now()
      const reply = await chat.doctor('alice', { pool: 'lab-legacy' })
      expect(Date.now() - started).toBeLessThan(1500)
      const hung = rowsOf(reply).filter((r) => r[3] === 'no answer within 0.5s to the xscontainer probe')
      expect(hung.map((r) => [r[0], r[1]])).toEqual([
        ['✗', 'xs76-a'],
        ['✗', 'xs76-b'],
        ['✗', 'xs76-c'],
      ])
    } finally {
      faults.release()
    }
  })

  it('reaches the command through the real dispatcher (which does not pass the doctor yet)', async () => {
    const chat = await demo()
    const reply = await chat.say('alice', '/xen doctor lab-nowhere')
    expect(plain(reply)).toContain('there is no pool named "lab-nowhere"; the pools are lab-legacy, lab-modern')
  })
})
