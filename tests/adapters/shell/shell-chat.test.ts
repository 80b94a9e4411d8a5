/**
 * The terminal chat over in-memory streams and a fake dispatcher (the two methods the chat calls):
 * which invocation each line becomes, what the transcript looks like when stdin is not a terminal,
 * how status cards are shown in each mode, and `/quit`.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type ChatDispatcher, ShellChat } from '../../../adapters/shell/shell-chat.js'
import type { Actor } from '../../../src/core/command.js'
import type { Invocation } from '../../../src/core/dispatcher.js'
import {
  actions,
  channelReply,
  privateReply,
  type Reply,
  type StatusCard,
  type SubmitOutcome,
  table,
  text,
} from '../../../src/core/reply.js'

type Press = Parameters<ChatDispatcher['press']>[0]
type Submit = Parameters<ChatDispatcher['submit']>[0]

/** Records every call; answers `handle` with `answer` (by default: the text it was given). */
class FakeDispatcher implements ChatDispatcher {
  readonly handled: Invocation[] = []
  readonly pressed: Press[] = []
  answer: (invocation: Invocation) => Promise<Reply> = async (i) => channelReply(text(`got ${i.text}`))

  async handle(invocation: Invocation): Promise<Reply> {
    this.handled.push(invocation)
    return this.answer(invocation)
  }

  async press(invocation: Press): Promise<Reply> {
    this.pressed.push(invocation)
    return channelReply(text(`pressed ${invocation.token}`, 'success'))
  }

  readonly submitted: Submit[] = []
  submitAnswer: (invocation: Submit) => Promise<SubmitOutcome> = async (i) => ({
    kind: 'reply',
    reply: channelReply(text(`submitted ${i.token}`, 'success')),
  })

  async submit(invocation: Submit): Promise<SubmitOutcome> {
    this.submitted.push(invocation)
    return this.submitAnswer(invocation)
  }
}

const actor = (name: string): Actor => ({ platform: 'shell', id: name, name })

function chat(options: { interactive?: boolean; columns?: number; user?: string } = {}) {
  const dispatcher = new FakeDispatcher()
  const input = new PassThrough()
  const output = Object.assign(new PassThrough(), { columns: options.columns })
  let written = ''
  output.setEncoding('utf8').on('data', (chunk: string) => {
    written += chunk
  })
  const shell = new ShellChat({
    dispatcher,
    input,
    output,
    interactive: options.interactive ?? false,
    user: options.user ?? 'alice',
  })
  return { dispatcher, input, shell, output: () => written }
}

/** Runs the chat over `script` (stdin ends after it) and resolves with everything it wrote. */
async function runScript(c: ReturnType<typeof chat>, script: string): Promise<string> {
  const done = c.shell.run()
  c.input.end(script)
  await done
  await new Promise((resolve) => setImmediate(resolve))
  return c.output()
}

const card = (state: StatusCard['state'], steps: StatusCard['steps']): StatusCard => ({
  title: 'Build web-3',
  state,
  steps,
})

describe('ShellChat', () => {
  it('sends other text to handle as the current user, and /as switches the user for later lines', async () => {
    const c = chat()
    expect(await c.shell.handleLine('/docker ps web-1')).toBe(true)
    expect(await c.shell.handleLine('/as bob')).toBe(true)
    expect(c.shell.user).toBe('bob')
    expect(await c.shell.handleLine('  hello   there  ')).toBe(true)
    expect(c.dispatcher.handled.map((i) => ({ actor: i.actor, text: i.text }))).toEqual([
      { actor: actor('alice'), text: '/docker ps web-1' },
      { actor: actor('bob'), text: 'hello   there' },
    ])
    expect(c.dispatcher.pressed).toEqual([])
    expect(c.output()).toBe(
      [
        'alice> /docker ps web-1',
        'got /docker ps web-1',
        'alice> /as bob',
        '(now acting as bob)',
        'bob> hello   there',
        'got hello   there',
        '',
      ].join('\n'),
    )
  })

  it('/press <token> calls press with the token and the current user, and prints its reply', async () => {
    const c = chat()
    await c.shell.handleLine('/as carol')
    await c.shell.handleLine('/press k3f9x2')
    expect(c.dispatcher.pressed.map((p) => ({ actor: p.actor, token: p.token }))).toEqual([
      { actor: actor('carol'), token: 'k3f9x2' },
    ])
    expect(c.dispatcher.handled).toEqual([])
    expect(c.output()).toBe('alice> /as carol\n(now acting as carol)\ncarol> /press k3f9x2\n✓ pressed k3f9x2\n')
  })

  it('/submit passes id=value pairs (quoted values kept whole) and masks secret inputs in the transcript', async () => {
    const c = chat()
    const form = {
      token: 'tok123456789',
      title: 'Enable Docker on web-9',
      submitLabel: 'Enable',
      inputs: [
        { kind: 'text' as const, id: 'user', label: 'Guest user', initial: 'core' },
        { kind: 'text' as const, id: 'password', label: 'One-time password', secret: true, optional: true },
      ],
    }
    c.dispatcher.answer = async () => ({ ...channelReply(text('Enable Docker on web-9', 'heading')), form })
    await c.shell.handleLine('/docker enable web-9')
    await c.shell.handleLine('/submit tok123456789 user="core admin" password=hunter2')
    expect(c.dispatcher.submitted.map((s) => ({ token: s.token, values: s.values }))).toEqual([
      { token: 'tok123456789', values: { user: 'core admin', password: 'hunter2' } },
    ])
    const out = c.output()
    expect(out).toContain('form tok123456789: Enable Docker on web-9')
    expect(out).toContain('  password  One-time password (optional, secret)')
    expect(out).toContain('submit with: /submit tok123456789 user=… password=…')
    expect(out).toContain('alice> /submit tok123456789 user=core admin password=[secret]')
    expect(out).not.toContain('hunter2')
  })

  it('/submit shows each problem of an invalid submission by input, then the form again', async () => {
    const c = chat()
    c.dispatcher.submitAnswer = async () => ({
      kind: 'invalid',
      errors: { user: 'a Unix user name' },
      form: {
        token: 'tok1',
        title: 'Enable',
        submitLabel: 'Enable',
        inputs: [{ kind: 'text', id: 'user', label: 'Guest user', initial: 'Root!' }],
      },
    })
    await c.shell.handleLine('/submit tok1 user=Root!')
    expect(c.output()).toContain(
      '✗ The form was not accepted:\n  user: a Unix user name\nform tok1: Enable\n  user  Guest user (required) [Root!]',
    )
    await c.shell.handleLine('/submit tok1 not-a-pair')
    expect(c.output()).toContain('usage: /submit <token> name=value')
    expect(c.dispatcher.submitted).toHaveLength(1)
  })

  it('/press and /as without an argument print their usage and call nothing; blank lines are skipped', async () => {
    const c = chat()
    await c.shell.handleLine('/press')
    await c.shell.handleLine('/as')
    await c.shell.handleLine('   ')
    expect(c.dispatcher.handled).toEqual([])
    expect(c.dispatcher.pressed).toEqual([])
    expect(c.shell.user).toBe('alice')
    expect(c.output()).toBe('alice> /press\nusage: /press <token>\nalice> /as\nusage: /as <user>\n')
  })

  it('without a terminal: echoes "user> line", prints replies as plain text, no escape sequence, exits at the end of input', async () => {
    const c = chat()
    c.dispatcher.answer = async () =>
      channelReply(
        table(['name', 'status'], [['evil\u001b[2J\u001b]0;pwned\u0007name', 'Up']]),
        actions({ token: 'ab12', label: 'Confirm' }),
      )
    const output = await runScript(c, '/docker ps web-1\n\n/as eve\u001b[31m\n/docker ps \u001b[2Jweb-1\n')
    expect(output).toBe(
      [
        'alice> /docker ps web-1',
        `NAME${' '.repeat(17)}STATUS`,
        'evil[2J]0;pwnedname  Up',
        '[Confirm·ab12]',
        'alice> /as eve[31m',
        '(now acting as eve[31m)',
        'eve[31m> /docker ps [2Jweb-1',
        `NAME${' '.repeat(17)}STATUS`,
        'evil[2J]0;pwnedname  Up',
        '[Confirm·ab12]',
        '',
      ].join('\n'),
    )
    expect(output).not.toContain('\u001b')
    expect(output).not.toContain('\u0007')
    // The dispatcher still gets the line as typed (it is the dispatcher's job to reject what it cannot parse).
    expect(c.dispatcher.handled.map((i) => i.text)).toEqual(['/docker ps web-1', '/docker ps \u001b[2Jweb-1'])
  })

  it('without a terminal, a status card prints its first and its final state only', async () => {
    const c = chat()
    c.dispatcher.answer = async (i) => {
      await i.status?.(card('running', [{ label: 'clone template', state: 'running' }]))
      await i.status?.(
        card('running', [
          { label: 'clone template', state: 'done' },
          { label: 'boot', state: 'running' },
        ]),
      )
      await i.status?.(
        card('succeeded', [
          { label: 'clone template', state: 'done' },
          { label: 'boot', state: 'done', detail: 'up in 31 s' },
        ]),
      )
      return privateReply(text('web-3 is ready', 'success'))
    }
    const output = await runScript(c, '/xen build web-3\n')
    expect(output).toBe(
      [
        'alice> /xen build web-3',
        '… Build web-3 (running)',
        '  … clone template',
        '✓ Build web-3 (succeeded)',
        '  ✓ clone template',
        '  ✓ boot — up in 31 s',
        '✓ web-3 is ready',
        '',
      ].join('\n'),
    )
    expect(output).not.toContain('\u001b')
  })

  it('on a terminal, a second card update moves up over the first rendering and clears it', async () => {
    const c = chat({ interactive: true })
    c.dispatcher.answer = async (i) => {
      await i.status?.(card('running', [{ label: 'clone template', state: 'running' }]))
      await i.status?.(
        card('running', [
          { label: 'clone template', state: 'done' },
          { label: 'boot', state: 'running' },
        ]),
      )
      await i.status?.(
        card('failed', [
          { label: 'clone template', state: 'done' },
          { label: 'boot', state: 'failed' },
        ]),
      )
      return privateReply(text('boot failed', 'error'))
    }
    await c.shell.handleLine('/xen build web-3')
    expect(c.output()).toBe(
      [
        '… Build web-3 (running)\n  … clone template\n',
        '\u001b[2F\u001b[J',
        '… Build web-3 (running)\n  ✓ clone template\n  … boot\n',
        '\u001b[3F\u001b[J',
        '✗ Build web-3 (failed)\n  ✓ clone template\n  ✗ boot\n',
        '✗ boot failed\n',
      ].join(''),
    )
  })

  it('on a terminal of known width, a wrapped card line counts as the rows it takes', async () => {
    const c = chat({ interactive: true, columns: 20 })
    c.dispatcher.answer = async (i) => {
      // At 20 columns, "… Build web-3 (running)" (23 characters) and "  … a step whose label is long" (30)
      // take two rows each: four rows to go up, where counting lines would say two.
      await i.status?.(card('running', [{ label: 'a step whose label is long', state: 'running' }]))
      await i.status?.(card('succeeded', [{ label: 'a step whose label is long', state: 'done' }]))
      return privateReply(text('done'))
    }
    await c.shell.handleLine('/xen build web-3')
    expect(c.output()).toContain('  … a step whose label is long\n\u001b[4F\u001b[J✓ Build web-3 (succeeded)\n')
  })

  it('on a terminal, output after a card ends it: the next card is drawn below, not over the reply', async () => {
    const c = chat({ interactive: true })
    c.dispatcher.answer = async (i) => {
      await i.status?.(card('running', [{ label: 'step', state: 'running' }]))
      return privateReply(text('started'))
    }
    await c.shell.handleLine('/xen build web-3')
    await c.shell.handleLine('/xen build web-4')
    expect(c.output()).toBe('… Build web-3 (running)\n  … step\nstarted\n… Build web-3 (running)\n  … step\nstarted\n')
  })

  it('/quit stops the chat even with more input waiting, and later lines are not run', async () => {
    const c = chat()
    const done = c.shell.run()
    c.input.write('/docker vms\n/quit\n/docker ps web-1\n')
    await done
    expect(c.dispatcher.handled.map((i) => i.text)).toEqual(['/docker vms'])
    expect(c.output()).toBe('alice> /docker vms\ngot /docker vms\nalice> /quit\n')
    expect(await c.shell.handleLine('/exit')).toBe(false)
  })

  it('on a terminal, prompts with the current user and does not echo the line itself', async () => {
    const c = chat({ interactive: true })
    const done = c.shell.run()
    c.input.write('/as bob\n')
    c.input.write('/quit\n')
    await done
    const output = c.output()
    expect(output).toContain('alice> ')
    expect(output).toContain('(now acting as bob)\n')
    expect(output).toContain('bob> ')
    expect(output.indexOf('alice> ')).toBeLessThan(output.indexOf('(now acting as bob)'))
    expect(output.indexOf('(now acting as bob)')).toBeLessThan(output.lastIndexOf('bob> '))
  })
})
