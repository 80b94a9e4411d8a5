/**
 * "Did you mean" on the demo pools: the resolvers append the closest names the asker may read, from
 * the suggestions service over the live inventory. The dispatcher does not pass the service to
 * commands yet, so the commands' plans are driven here with a context that carries it, next to the
 * resolvers themselves; without the service every answer stays as it was.
 */
import { describe, expect, it } from 'vitest'
import { dockerPs } from '../../commands/docker-ps.js'
import { dockerRestart } from '../../commands/docker-restart.js'
import { resolveContainer, resolveVm } from '../../commands/lib/resolve.js'
import { AccessPolicy } from '../../src/core/access.js'
import type { Actor, CommandContext } from '../../src/core/command.js'
import { isUserError } from '../../src/core/errors.js'
import type { Inventory } from '../../src/core/ports.js'
import { createSuggestions, type Suggestions } from '../../src/core/suggestions.js'
import { silentLog } from '../../src/log.js'
import { createDockerRouter } from '../../src/xen/docker-router.js'
import { DEMO_ACCESS, type DemoUser, startChat } from '../helpers/test-chat.js'

const access = new AccessPolicy(DEMO_ACCESS)
const actor = (user: DemoUser): Actor => ({ platform: 'shell', id: user, name: user })

/** The message of the UserError `fn` throws (fails the test when it throws nothing, or something else). */
async function messageOf(fn: () => unknown): Promise<string> {
  try {
    await fn()
  } catch (error) {
    if (isUserError(error)) return error.message
    throw error
  }
  throw new Error('expected a UserError')
}

/** What a plan needs of the context, as the dispatcher would build it, with the suggestions service. */
function contextFor(
  user: DemoUser,
  inventory: Inventory,
  docker: CommandContext['docker'],
  suggest?: Suggestions,
): CommandContext {
  const who = actor(user)
  return {
    actor: who,
    requestId: 'test',
    log: silentLog,
    inventory,
    docker,
    status: async () => undefined,
    secret: () => {
      throw new Error('no secrets in this test')
    },
    visibleCommands: () => [],
    allows: (permission, target) => access.allows(who, permission, target),
    require: (permission, target) => access.require(who, permission, target),
    step: (_label, fn) => fn(() => undefined),
    button: () => {
      throw new Error('no buttons in this test')
    },
    suggest,
  }
}

describe('did you mean', () => {
  it('resolveVm names the closest VM the asker may read, and only that', async () => {
    const chat = await startChat()
    const suggestions = createSuggestions(chat.xen.inventory, access)
    const suggestFor = (user: DemoUser) => (q: string) => suggestions.didYouMean(actor(user), 'vm', q)

    expect(await messageOf(() => resolveVm(chat.xen.inventory, 'web1', suggestFor('alice')))).toBe(
      'no VM named "web1" in any pool; give its name, a prefix of it, or its UUID. Did you mean web-1?',
    )
    expect(await messageOf(() => resolveVm(chat.xen.inventory, 'regsitry', suggestFor('alice')))).toBe(
      'no VM named "regsitry" in any pool; give its name, a prefix of it, or its UUID. Did you mean registry?',
    )
    // carol reads lab-modern only: web-1 (lab-legacy) is never offered to her…
    expect(await messageOf(() => resolveVm(chat.xen.inventory, 'web1', suggestFor('carol')))).toBe(
      'no VM named "web1" in any pool; give its name, a prefix of it, or its UUID',
    )
    // …while her own VMs are.
    expect(await messageOf(() => resolveVm(chat.xen.inventory, 'metrix', suggestFor('carol')))).toBe(
      'no VM named "metrix" in any pool; give its name, a prefix of it, or its UUID. Did you mean metrics?',
    )
    // eve may read nothing: nothing is offered.
    expect(await messageOf(() => resolveVm(chat.xen.inventory, 'metrix', suggestFor('eve')))).toBe(
      'no VM named "metrix" in any pool; give its name, a prefix of it, or its UUID',
    )
    // Nothing close: the sentence is unchanged.
    expect(await messageOf(() => resolveVm(chat.xen.inventory, 'nosuch', suggestFor('alice')))).toBe(
      'no VM named "nosuch" in any pool; give its name, a prefix of it, or its UUID',
    )
  })

  it('resolveContainer names the closest container of that VM', async () => {
    const chat = await startChat()
    const suggestions = createSuggestions(chat.xen.inventory, access)
    const web1 = resolveVm(chat.xen.inventory, 'web-1')
    const containers = web1.docker.containers ?? []
    const suggest = (q: string) => suggestions.didYouMean(actor('alice'), 'container', q, web1.uuid)
    expect(await messageOf(() => resolveContainer(containers, 'nginx-frnot', web1, suggest))).toBe(
      'no container "nginx-frnot" in web-1; its containers are nginx-front, redis-cache, WebAPI, nightly-report, ' +
        'image-resizer. Did you mean nginx-front?',
    )
    // carol may not read web-1: its containers are not offered to her.
    const carols = (q: string) => suggestions.didYouMean(actor('carol'), 'container', q, web1.uuid)
    expect(await messageOf(() => resolveContainer(containers, 'nginx-frnot', web1, carols))).toBe(
      'no container "nginx-frnot" in web-1; its containers are nginx-front, redis-cache, WebAPI, nightly-report, image-resizer',
    )
  })

  it('commands pass the suggestions from their context, and work without them', async () => {
    const chat = await startChat()
    const { inventory } = chat.xen
    const docker = createDockerRouter({ xscontainer: chat.xen.xscontainer, ssh: chat.xen.ssh })
    const suggestions = createSuggestions(inventory, access)
    const wired = contextFor('alice', inventory, docker, suggestions)
    const bare = contextFor('alice', inventory, docker)

    expect(await messageOf(() => dockerPs.plan(wired, { vm: 'web1', all: false }))).toBe(
      'no VM named "web1" in any pool; give its name, a prefix of it, or its UUID. Did you mean web-1?',
    )
    expect(await messageOf(() => dockerPs.plan(bare, { vm: 'web1', all: false }))).toBe(
      'no VM named "web1" in any pool; give its name, a prefix of it, or its UUID',
    )
    expect(await messageOf(() => dockerRestart.plan(wired, { vm: 'web-1', container: 'redis-cahce' }))).toBe(
      'no container "redis-cahce" in web-1; its containers are nginx-front, redis-cache, WebAPI, nightly-report, ' +
        'image-resizer. Did you mean redis-cache?',
    )
    expect(await messageOf(() => dockerRestart.plan(bare, { vm: 'web-1', container: 'redis-cahce' }))).toBe(
      'no container "redis-cahce" in web-1; its containers are nginx-front, redis-cache, WebAPI, nightly-report, image-resizer',
    )
    const carol = contextFor('carol', inventory, docker, suggestions)
    expect(await messageOf(() => dockerPs.plan(carol, { vm: 'web1', all: false }))).toBe(
      'no VM named "web1" in any pool; give its name, a prefix of it, or its UUID',
    )
  })
})
