/** `/docker ps <vm> [--all]` through the real dispatcher and Xen layer, on the demo pools. */
import { describe, expect, it, vi } from 'vitest'
import { fieldsOf, plain, startChat, tableOf } from '../helpers/test-chat.js'

describe('/docker ps', () => {
  it("lists web-1's running containers with their keys, images, status and ports, under the VM's facts", async () => {
    const chat = await startChat()
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const reply = await chat.say('alice', '/docker ps web-1')

    expect(reply.visibility).toBe('channel')
    expect(fieldsOf(reply)).toEqual({
      VM: 'web-1',
      Pool: 'lab-legacy',
      Host: 'xs76-a',
      IP: '10.10.0.11',
      Backend: 'xscontainer (registered with xscontainer (xscontainer-monitor is on))',
    })
    const { columns, rows } = tableOf(reply)
    expect(columns).toEqual(['NAME', 'KEY', 'IMAGE', 'STATUS', 'PORTS'])
    const byName = Object.fromEntries(rows.map((r) => [r[0], r]))
    // Running as `docker ps` means it: the paused image-resizer is listed, the exited nightly-report is not.
    expect(Object.keys(byName).sort()).toEqual(['WebAPI', 'image-resizer', 'nginx-front', 'redis-cache'])
    const nginxId = daemon.inspect('nginx-front').Id
    expect(byName['nginx-front']).toEqual([
      'nginx-front',
      nginxId.slice(0, 10),
      'nginx:1.25',
      'Up',
      '8080→80/tcp, 8443→443/tcp',
    ])
    expect(byName['redis-cache']?.[4]).toBe('6379/tcp')
    expect(byName.WebAPI?.[4]).toBe('—')
    expect(byName['image-resizer']?.[3]).toBe('Up (Paused)')
    expect(plain(reply)).toContain('4 running of 5; --all also lists the 1 stopped')
  })

  it('--all adds the exited containers', async () => {
    const chat = await startChat()
    const { rows } = tableOf(await chat.say('alice', '/docker ps web-1 --all'))
    expect(rows.map((r) => r[0]).sort()).toEqual([
      'WebAPI',
      'image-resizer',
      'nginx-front',
      'nightly-report',
      'redis-cache',
    ])
    expect(rows.find((r) => r[0] === 'nightly-report')?.[3]).toBe('Exited (0)')
  })

  it('an ambiguous VM name is an error listing each candidate with its pool', async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker ps web')
    expect(reply.visibility).toBe('ephemeral')
    expect(plain(reply)).toBe(
      '"web" matches several VMs: web-1 (lab-legacy), web-2 (lab-legacy); give more of the name, or pool/name',
    )
  })

  it('pool/name picks the pool; a name nobody has is a plain sentence', async () => {
    const chat = await startChat()
    expect(fieldsOf(await chat.say('alice', '/docker ps lab-legacy/web-1'))).toMatchObject({
      VM: 'web-1',
      Pool: 'lab-legacy',
    })
    expect(plain(await chat.say('alice', '/docker ps lab-modern/web-1'))).toBe(
      'no VM named "lab-modern/web-1" in any pool; give its name, a prefix of it, or its UUID',
    )
    expect(plain(await chat.say('alice', '/docker ps nosuch'))).toMatch(/^no VM named "nosuch"/)
  })

  it('says why when there is nothing to list: unreadable data, halted VM, VM not Docker-managed', async () => {
    const chat = await startChat()
    const edge = plain(await chat.say('alice', '/docker ps edge-proxy'))
    expect(edge).toMatch(
      /^the container data xscontainer stored for edge-proxy is unreadable \(docker_ps: .*InvalidTag/,
    )
    expect(plain(await chat.say('alice', '/docker ps legacy-db'))).toBe(
      'legacy-db is halted: xscontainer reports containers only for running VMs',
    )
    expect(plain(await chat.say('alice', '/docker ps ldap-appliance'))).toMatch(
      /^ldap-appliance is not Docker-managed \(no xscontainer-monitor key and no "docker" tag\)/,
    )
    expect(plain(await chat.say('alice', '/docker ps staging-app'))).toBe(
      'staging-app is halted: Docker answers only in a running VM; start it first',
    )
  })

  it('lists a modern VM through SSH, live from its Docker engine, with the backend named', async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker ps ci-runner --all')
    expect(fieldsOf(reply)).toMatchObject({
      VM: 'ci-runner',
      Backend: 'ssh (tagged "docker": Docker is reached over SSH)',
    })
    const live = chat.daemon('lab-modern', 'ci-runner').listContainers({ all: true })
    expect(plain(reply)).toContain(`${live.filter((c) => c.State === 'running').length} running of ${live.length}`)
    for (const c of live) expect(plain(reply)).toContain(`${c.Names[0]?.slice(1)} | ${c.Id.slice(0, 10)}`)
  })

  it('with every container stopped, answers with a sentence that points at --all', async () => {
    const chat = await startChat()
    const daemon = chat.daemon('lab-legacy', 'registry')
    daemon.stop('registry')
    daemon.stop('registry-ui')
    // The xscontainer monitor rewrites docker_ps; the inventory picks it up from the VM's mod event.
    await vi.waitFor(
      () => {
        const found = chat.xen.inventory.findVm('registry')
        if (found.kind !== 'found') throw new Error('registry not found')
        expect(found.vm.docker.containers?.filter((c) => c.state === 'running')).toEqual([])
      },
      { timeout: 5000, interval: 20 },
    )
    const reply = await chat.say('alice', '/docker ps registry')
    expect(reply.blocks.some((b) => b.kind === 'table')).toBe(false)
    expect(plain(reply)).toContain(
      'No running containers in registry; 3 stopped ones are hidden: add --all to list them.',
    )
  })

  it('checks read access on the VM it resolved: a lab-modern-only user is denied on web-1, naming it', async () => {
    const chat = await startChat()
    expect(plain(await chat.say('carol', '/docker ps web-1'))).toBe(
      'you need the docker.read permission on web-1 for that; ask an admin to grant it',
    )
    expect(plain(await chat.say('eve', '/docker ps web-1'))).toBe(
      'you need the docker.read permission for that; ask an admin to grant it',
    )
  })
})
