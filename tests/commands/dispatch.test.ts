/** What the dispatcher answers around the commands: unknown commands, bad arguments, and teardown order. */
import { describe, expect, it } from 'vitest'
import { chatTeardowns, plain, startChat } from '../helpers/test-chat.js'

describe('unknown commands and bad arguments', () => {
  it('an unknown subcommand points at help, and suggests a command the user may run when one is close', async () => {
    const chat = await startChat()
    const frob = await chat.say('alice', '/docker frob web-1')
    expect(frob.visibility).toBe('ephemeral')
    expect(plain(frob)).toBe('Unknown command /docker frob. Try /xen help.')
    expect(plain(await chat.say('alice', '/docker star web-1 nginx-front'))).toBe(
      'Unknown command /docker star. Did you mean /docker start? Try /xen help.',
    )
    // Suggestions come only from what the asker may run.
    expect(plain(await chat.say('bob', '/docker star web-1 nginx-front'))).toBe(
      'Unknown command /docker star. Try /xen help.',
    )
  })

  it('missing, extra or malformed arguments answer with the usage line', async () => {
    const chat = await startChat()
    const missing = plain(await chat.say('alice', '/docker ps'))
    expect(missing.split('\n').at(-1)).toBe('usage: /docker ps <vm> [--all]')
    expect(plain(await chat.say('alice', '/docker ps web-1 web-2'))).toBe(
      'too many arguments; usage: /docker ps <vm> [--all]',
    )
    expect(
      plain(await chat.say('alice', '/docker restart web-1'))
        .split('\n')
        .at(-1),
    ).toBe('usage: /docker restart <vm> <container>')
    expect(
      plain(await chat.say('alice', '/docker ps web-1 --all=yes'))
        .split('\n')
        .at(-1),
    ).toBe('usage: /docker ps <vm> [--all]')
  })
})

describe('test chat teardown', () => {
  it('starts a chat (its teardown is checked by the next test)', async () => {
    const chat = await startChat()
    expect(chat.xen.connections.map((c) => c.status.state)).toEqual(['synced', 'synced'])
  })

  it('stopped the Xen layer while the simulator was still open', () => {
    expect(chatTeardowns.at(-1)).toEqual({ simOpen: true })
  })
})
