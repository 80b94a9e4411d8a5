/**
 * `/docker start|stop|restart|pause|unpause <vm> <container>`: confirmation for the destructive ones,
 * bound to the asker and to the plan; access on the real VM; the action really reaching the guest's
 * Docker engine (checked on the simulated daemon, behind the bot's back).
 */
import { describe, expect, it, vi } from 'vitest'
import type { DockerEvent } from '../../src/sim/docker/docker-daemon.js'
import { plain, startChat, tokenOf } from '../helpers/test-chat.js'

describe('/docker restart (confirmed)', () => {
  it('asks alice to confirm, does nothing until she presses, then restarts; the button works once', async () => {
    const chat = await startChat()
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const events: DockerEvent[] = []
    daemon.events.on('event', (e) => events.push(e))
    const before = daemon.inspect('nginx-front')
    const key = before.Id.slice(0, 10)

    const ask = await chat.say('alice', '/docker restart web-1 nginx-front')
    expect(ask.visibility).toBe('ephemeral')
    expect(plain(ask).split('\n')[0]).toBe(`Confirm: restart nginx-front (${key}) in web-1?`)
    const confirm = tokenOf(ask, 'Confirm')
    expect(tokenOf(ask, 'Cancel')).not.toBe(confirm)

    // Nothing happened yet: no Docker event, same start time.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(events).toEqual([])
    expect(daemon.inspect('nginx-front').State.StartedAt).toBe(before.State.StartedAt)

    const done = await chat.press('alice', confirm)
    expect(done.visibility).toBe('channel')
    expect(plain(done)).toBe(
      `nginx-front in web-1: restart done\nbackend xscontainer · container ${key} · pool lab-legacy · by alice`,
    )
    await vi.waitFor(() =>
      expect(events.filter((e) => e.Action === 'restart').map((e) => e.Actor.Attributes.name)).toEqual(['nginx-front']),
    )
    expect(daemon.inspect('nginx-front').State.StartedAt).not.toBe(before.State.StartedAt)
    expect(daemon.inspect('nginx-front').State.Status).toBe('running')

    expect(plain(await chat.press('alice', confirm))).toBe(
      'that button has expired or was already used; run the command again',
    )
    expect(events.filter((e) => e.Action === 'restart')).toHaveLength(1)
  })

  it('only the asker can answer: bob cannot press alice’s button, and it still works for her afterwards', async () => {
    const chat = await startChat()
    const confirm = tokenOf(await chat.say('alice', '/docker restart web-1 nginx-front'), 'Confirm')
    const bob = await chat.press('bob', confirm)
    expect(bob.visibility).toBe('ephemeral')
    expect(plain(bob)).toBe('only alice can answer this confirmation')
    expect(plain(await chat.press('alice', confirm))).toMatch(/^nginx-front in web-1: restart done/)
  })

  it('Cancel ends it: nothing runs, and Confirm is dead too', async () => {
    const chat = await startChat()
    const events: DockerEvent[] = []
    chat.daemon('lab-legacy', 'web-1').events.on('event', (e) => events.push(e))
    const ask = await chat.say('alice', '/docker stop web-1 redis-cache')
    expect(plain(await chat.press('alice', tokenOf(ask, 'Cancel')))).toBe('Cancelled: /docker stop')
    expect(plain(await chat.press('alice', tokenOf(ask, 'Confirm')))).toMatch(/^that button has expired/)
    expect(events).toEqual([])
  })

  it('the button acts only on the container it showed: a recreated redis-cache (new id) makes it stale', async () => {
    const chat = await startChat()
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const oldKey = daemon.inspect('redis-cache').Id.slice(0, 10)
    const confirm = tokenOf(await chat.say('alice', '/docker stop web-1 redis-cache'), 'Confirm')
    // Behind the bot's back, docker_ps now reports a redis-cache with another id, as after `docker rm`
    // and `docker run --name redis-cache`: the same words would now stop a different container.
    const pool = chat.simPool('lab-legacy')
    const ref = pool.store.find('VM', (r) => r.name_label === 'web-1')[0] as string
    const otherConfig = pool.store.get('VM', ref).other_config as Record<string, string>
    const psXml = otherConfig.docker_ps ?? ''
    expect(psXml).toContain(oldKey)
    pool.store.update('VM', ref, {
      other_config: { ...otherConfig, docker_ps: psXml.replaceAll(oldKey, '0123456789') },
    })
    await vi.waitFor(() => {
      const found = chat.xen.inventory.findVm('web-1')
      expect(found.kind === 'found' && found.vm.docker.containers?.find((c) => c.name === 'redis-cache')?.key).toBe(
        '0123456789',
      )
    })
    expect(plain(await chat.press('alice', confirm))).toBe(
      'the target changed since the confirmation was shown; run the command again',
    )
    expect(daemon.inspect('redis-cache').State.Status).toBe('running')
  })
})

describe('access to container actions', () => {
  it('eve, with no role, is denied and told which permission she lacks', async () => {
    const chat = await startChat()
    const reply = await chat.say('eve', '/docker restart web-1 nginx-front')
    expect(reply.visibility).toBe('ephemeral')
    expect(plain(reply)).toBe('you need the docker.operate permission for that; ask an admin to grant it')
  })

  it('bob may read but not operate', async () => {
    const chat = await startChat()
    expect(plain(await chat.say('bob', '/docker stop web-1 nginx-front'))).toBe(
      'you need the docker.operate permission for that; ask an admin to grant it',
    )
  })

  it('carol, limited to lab-modern, is denied on web-1 — before anything inside the VM is listed', async () => {
    const chat = await startChat()
    expect(plain(await chat.say('carol', '/docker restart web-1 nginx-front'))).toBe(
      'you need the docker.operate permission on web-1 for that; ask an admin to grant it',
    )
    // An unknown container would list web-1's containers; carol must get the denial instead.
    const probe = plain(await chat.say('carol', '/docker restart web-1 nosuch'))
    expect(probe).toBe('you need the docker.operate permission on web-1 for that; ask an admin to grant it')
    expect(probe).not.toContain('nginx-front')
  })
})

describe('start, pause and unpause', () => {
  it('start on a running container says it is already running (no confirmation for start)', async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker start web-1 nginx-front')
    expect(reply.visibility).toBe('ephemeral')
    expect(plain(reply)).toBe('nginx-front is already running')
  })

  it('start runs at once on a stopped container, and the inventory shows it Up', async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker start web-1 nightly-report')
    expect(plain(reply)).toMatch(/^nightly-report in web-1: start done\n/)
    expect(chat.daemon('lab-legacy', 'web-1').inspect('nightly-report').State.Status).toBe('running')
    await vi.waitFor(() => {
      const found = chat.xen.inventory.findVm('web-1')
      expect(
        found.kind === 'found' && found.vm.docker.containers?.find((c) => c.name === 'nightly-report')?.status,
      ).toBe('Up')
    })
  })

  it('pause asks first; unpause does not', async () => {
    const chat = await startChat()
    const ask = await chat.say('alice', '/docker pause web-1 WebAPI')
    expect(plain(ask)).toMatch(/^Confirm: pause WebAPI \([0-9a-f]{10}\) in web-1\?/)
    const unpause = await chat.say('alice', '/docker unpause web-1 image-resizer')
    expect(plain(unpause)).toMatch(/^image-resizer in web-1: unpause done/)
    expect(chat.daemon('lab-legacy', 'web-1').inspect('image-resizer').State.Status).toBe('running')
  })

  it('an unknown container is a plain sentence naming the ones that exist', async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker restart web-1 nosuch')
    expect(reply.visibility).toBe('ephemeral')
    expect(plain(reply)).toBe(
      'no container "nosuch" in web-1; its containers are nginx-front, redis-cache, WebAPI, nightly-report, image-resizer',
    )
  })
})
