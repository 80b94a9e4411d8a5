/**
 * `/xen help [command]`: open to anyone, showing only what the asker may run. It is the one command
 * without a permission (ANYONE); the dispatcher refuses that for anything that changes things.
 */

import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { commands } from '../../commands/index.js'
import { AccessPolicy } from '../../src/core/access.js'
import { ANYONE, defineCommand } from '../../src/core/command.js'
import { Dispatcher } from '../../src/core/dispatcher.js'
import { channelReply } from '../../src/core/reply.js'
import { silentLog } from '../../src/log.js'
import { DEMO_ACCESS, fieldsOf, plain, startChat, tableOf } from '../helpers/test-chat.js'

describe('/xen help', () => {
  it('lists every command alice may run, with its usage', async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/xen help')
    expect(reply.visibility).toBe('ephemeral')
    expect(tableOf(reply).rows.map((r) => r[0])).toEqual([
      '/docker vms [<pool>]',
      '/docker ps <vm> [--all]',
      '/docker inspect <vm> <container>',
      '/docker top <vm> <container>',
      '/docker logs <vm> <container>',
      '/docker start <vm> <container>',
      '/docker stop <vm> <container>',
      '/docker restart <vm> <container>',
      '/docker pause <vm> <container>',
      '/docker unpause <vm> <container>',
      '/xen jobs',
      '/xen approvals',
      '/xen doctor [<pool>]',
      '/xen key',
      '/xen help [<command>]',
    ])
  })

  it('shows bob the reading commands only', async () => {
    const chat = await startChat()
    const rows = tableOf(await chat.say('bob', '/xen help')).rows.map((r) => r[0])
    expect(rows).toContain('/docker ps <vm> [--all]')
    expect(rows.filter((r) => /start|stop|restart|pause/.test(r ?? ''))).toEqual([])
  })

  it('tells eve, who has no role, that there is nothing she may run — whatever she asks about', async () => {
    const chat = await startChat()
    for (const text of ['/xen help', '/xen help ps', '/docker help', '/docker']) {
      const reply = await chat.say('eve', text)
      expect(reply.visibility, text).toBe('ephemeral')
      expect(plain(reply), text).toBe('There is nothing you may run yet; ask an admin for access.')
    }
  })

  it('explains one command: usage, permission, confirmation, arguments, examples', async () => {
    const chat = await startChat()
    const ps = await chat.say('alice', '/xen help ps')
    expect(plain(ps).split('\n').slice(0, 2)).toEqual([
      '/docker ps',
      'List the containers of a VM (running ones unless --all)',
    ])
    expect(fieldsOf(ps)).toEqual({ Usage: '/docker ps <vm> [--all]', Permission: 'docker.read' })
    expect(tableOf(ps).rows).toEqual([
      ['<vm>', 'VM name, name prefix or UUID; pool/name picks the pool'],
      ['--all', 'also list stopped containers (optional)'],
    ])
    expect(plain(ps)).toContain('Example: /docker ps lab-legacy/web-2 --all')

    const restart = await chat.say('alice', '/xen help "docker restart"')
    expect(fieldsOf(restart)).toEqual({
      Usage: '/docker restart <vm> <container>',
      Permission: 'docker.operate',
      Confirmation: 'asks you to press Confirm before it acts',
    })
    // Unquoted, two words are two arguments: the grammar maps positionals one to one.
    expect(plain(await chat.say('alice', '/xen help /docker start'))).toBe(
      'too many arguments; usage: /xen help [<command>]',
    )
    expect(fieldsOf(await chat.say('alice', '/xen help "/docker start"'))).toEqual({
      Usage: '/docker start <vm> <container>',
      Permission: 'docker.operate',
    })
  })

  it('lists one chat command, and answers a command the asker may not run like one that does not exist', async () => {
    const chat = await startChat()
    const docker = tableOf(await chat.say('bob', '/xen help docker')).rows.map((r) => r[0])
    expect(docker).toEqual([
      '/docker vms [<pool>]',
      '/docker ps <vm> [--all]',
      '/docker inspect <vm> <container>',
      '/docker top <vm> <container>',
      '/docker logs <vm> <container>',
    ])
    expect(plain(await chat.say('bob', '/xen help restart'))).toBe(
      'there is no command "restart" that you may run; /xen help lists them',
    )
    expect(plain(await chat.say('bob', '/xen help frobnicate'))).toBe(
      'there is no command "frobnicate" that you may run; /xen help lists them',
    )
  })
})

describe('a command open to anyone', () => {
  it('must not change anything: the dispatcher refuses a mutating one', () => {
    const open = defineCommand({
      path: 'docker nuke',
      summary: 'for this test',
      args: z.object({}),
      permission: ANYONE,
      mutating: true,
      plan: () => ({}),
      run: async () => channelReply(),
    })
    const options = { access: new AccessPolicy(DEMO_ACCESS), log: silentLog } as const
    const ports = { inventory: undefined as never, docker: undefined as never }
    expect(() => new Dispatcher({ ...options, ...ports, commands: [...commands, open] })).toThrow(
      '/docker nuke changes things, so it needs a permission; only read-only commands may be open to anyone',
    )
    expect(() => new Dispatcher({ ...options, ...ports, commands })).not.toThrow()
  })
})
