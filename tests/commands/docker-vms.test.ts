/** `/docker vms [pool]`: the Docker-managed VMs the asker may see, with power, IP, backend and counts. */
import { describe, expect, it, vi } from 'vitest'
import { plain, startChat, tableOf } from '../helpers/test-chat.js'

const LEGACY_ROWS = [
  ['builder-no-tools', 'lab-legacy', 'running', '—', 'xscontainer', '—'],
  ['edge-proxy', 'lab-legacy', 'running', '10.10.0.30', 'xscontainer', 'unreadable'],
  ['legacy-db', 'lab-legacy', 'halted', '—', 'xscontainer', '—'],
  ['registry', 'lab-legacy', 'running', '10.10.0.20', 'xscontainer', '2 running / 3'],
  ['web-1', 'lab-legacy', 'running', '10.10.0.11', 'xscontainer', '4 running / 5'],
]

const MODERN_ROWS = [
  ['ci-runner', 'lab-modern', 'running', '10.20.0.11', 'ssh', '—'],
  ['metrics', 'lab-modern', 'running', '10.20.0.21', 'ssh', '—'],
  ['staging-app', 'lab-modern', 'halted', '—', 'ssh', '—'],
]

describe('/docker vms', () => {
  it("lists lab-legacy's Docker-managed VMs with IPs and container counts; plain VMs and lab-modern are left out", async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker vms')
    expect(reply.visibility).toBe('channel')
    const { columns, rows } = tableOf(reply)
    expect(columns).toEqual(['VM', 'pool', 'power', 'IP', 'backend', 'containers'])
    expect(rows.map((r) => r[0])).toEqual([
      'builder-no-tools',
      'edge-proxy',
      'legacy-db',
      'registry',
      'web-1',
      'web-2',
      'ci-runner',
      'metrics',
      'staging-app',
    ])
    expect(rows.slice(0, 5)).toEqual(LEGACY_ROWS)
    // web-2's queue-worker keeps crashing and restarting, so only the shape of its count is fixed.
    expect(rows[5]).toEqual([
      'web-2',
      'lab-legacy',
      'running',
      '10.10.0.12',
      'xscontainer',
      expect.stringMatching(/^[0-5] running \/ 5$/),
    ])
    // lab-modern's Docker VMs are tagged "docker": listed with the SSH backend, their containers unknown here.
    expect(rows.slice(6)).toEqual(MODERN_ROWS)
    expect(plain(reply)).toMatch(
      /\n9 Docker-managed VMs · 7 running · \d+ of 13 known containers running · 1 with unreadable container data$/,
    )
  })

  it('takes a pool; an unknown pool names the known ones', async () => {
    const chat = await startChat()
    expect(tableOf(await chat.say('alice', '/docker vms lab-legacy')).rows.slice(0, 5)).toEqual(LEGACY_ROWS)
    const modern = await chat.say('alice', '/docker vms lab-modern')
    expect(tableOf(modern).rows).toEqual(MODERN_ROWS)
    expect(plain(modern)).toMatch(/\n3 Docker-managed VMs in lab-modern · 2 running · 0 of 0 known containers running$/)
    const unknown = await chat.say('alice', '/docker vms lab-old')
    expect(unknown.visibility).toBe('ephemeral')
    expect(plain(unknown)).toBe('there is no pool named "lab-old"; the pools are lab-legacy, lab-modern')
  })

  it('shows a pool-scoped user only her pools, and denies her the others by name', async () => {
    const chat = await startChat()
    // carol's role covers lab-modern only: she sees exactly its Docker VMs.
    expect(tableOf(await chat.say('carol', '/docker vms')).rows).toEqual(MODERN_ROWS)
    expect(plain(await chat.say('carol', '/docker vms lab-legacy'))).toBe(
      'you need the docker.read permission on pool lab-legacy for that; ask an admin to grant it',
    )
    expect(plain(await chat.say('eve', '/docker vms'))).toBe(
      'you need the docker.read permission for that; ask an admin to grant it',
    )
  })

  it('a VM registered for monitoring later appears, with the change seen through XAPI events', async () => {
    const chat = await startChat()
    const pool = chat.simPool('lab-legacy')
    const ref = pool.store.find('VM', (r) => r.name_label === 'ldap-appliance')[0] as string
    const otherConfig = pool.store.get('VM', ref).other_config as Record<string, string>
    pool.store.update('VM', ref, { other_config: { ...otherConfig, 'xscontainer-monitor': 'False' } })
    // A disabled monitor still counts as Docker-managed (the key is there); its backend is none.
    await vi.waitFor(() => {
      const found = chat.xen.inventory.findVm('ldap-appliance')
      expect(found.kind === 'found' && found.vm.docker.monitor).toBe('disabled')
    })
    const { rows } = tableOf(await chat.say('alice', '/docker vms lab-legacy'))
    expect(rows.find((r) => r[0] === 'ldap-appliance')).toEqual([
      'ldap-appliance',
      'lab-legacy',
      'running',
      '10.10.0.50',
      'none',
      '—',
    ])
  })
})
