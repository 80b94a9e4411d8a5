/**
 * The pure parts of the Discord adapter: Reply → message within Discord's limits (embed sizes, 5 rows
 * of 5 buttons, custom ids ≤ 100), escaping of hostile text, slash-command options → the text the
 * shared grammar parses back to the same arguments, custom ids, and forms → modals of ≤ 5 inputs.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseCustomId } from '../../../adapters/discord/custom-ids.js'
import { codeCell, escapeMarkdown } from '../../../adapters/discord/escape-text.js'
import { invocationText, quoteForGrammar } from '../../../adapters/discord/invocation-text.js'
import { embedSize, LIMITS, renderReply } from '../../../adapters/discord/render-message.js'
import { modalFor, pagesOf } from '../../../adapters/discord/render-modal.js'
import { defineCommand } from '../../../src/core/command.js'
import { collectArgs } from '../../../src/core/command-lookup.js'
import { tokenize } from '../../../src/core/grammar.js'
import { type Action, actions, channelReply, fields, table, text } from '../../../src/core/reply.js'

describe('Reply → Discord message', () => {
  it('keeps 5 rows of 5 buttons and says how many it had to leave out', () => {
    const buttons: Action[] = Array.from({ length: 30 }, (_, i) => ({ token: `t${i}`, label: `Button ${i}` }))
    const message = renderReply(channelReply(text('many'), actions(...buttons)))
    expect(message.components).toHaveLength(LIMITS.rows)
    for (const row of message.components) expect(row.components).toHaveLength(LIMITS.buttonsPerRow)
    expect(JSON.stringify(message.embeds)).toContain('5 button(s) not shown')
  })

  it('drops a button whose custom id would pass 100 characters, and cuts long labels to 80', () => {
    const message = renderReply(
      channelReply(actions({ token: 'x'.repeat(99), label: 'too long id' }, { token: 'ok', label: 'L'.repeat(90) })),
    )
    const ids = message.components.flatMap((r) => r.components.map((c) => ('custom_id' in c ? c.custom_id : '')))
    expect(ids).toEqual(['p:ok'])
    const label = message.components[0]?.components[0]
    expect(label && 'label' in label ? label.label?.length : 0).toBe(80)
  })

  it('cuts a huge table to fit the embed and says how many rows are not shown', () => {
    const rows = Array.from({ length: 500 }, (_, i) => [`container-${i}`, 'Up', 'nginx:1.27'])
    const message = renderReply(channelReply(text('containers', 'heading'), table(['name', 'status', 'image'], rows)))
    const embed = message.embeds[0]
    expect(embed?.description?.length).toBeLessThanOrEqual(LIMITS.description)
    expect(message.embeds.reduce((n, e) => n + embedSize(e), 0)).toBeLessThanOrEqual(LIMITS.embedsTotal)
    expect(embed?.description).toMatch(/\d+ more rows not shown/)
    expect(embed?.title).toBe('containers')
  })

  it('escapes mentions, links and markdown outside code blocks, and backticks inside them', () => {
    const hostile = '@everyone <@123456789012345678> [click](https://evil.example) **x** # head'
    const message = renderReply(
      channelReply(fields({ name: hostile }), table(['name'], [['```@here`']]), text('- not a list')),
    )
    const description = message.embeds[0]?.description ?? ''
    expect(description).toContain('\\@everyone \\<\\@123456789012345678\\> \\[click\\]')
    expect(description).toContain('https\\://evil.example')
    expect(description).toContain('\\*\\*x\\*\\*')
    expect(description).toContain('ˋˋˋ@hereˋ')
    expect(description).toContain('\\- not a list')
    expect(escapeMarkdown('line\u001b[2J\u202eend')).toBe('line\\[2Jend')
    expect(codeCell('a\nb`c')).toBe('a bˋc')
    // A numbered-list start is escaped on its dot: a backslash before a digit would show.
    expect(escapeMarkdown('10.0.0.5')).toBe('10\\.0.0.5')
    expect(escapeMarkdown('1. one\n2. two', true)).toBe('1\\. one\n2\\. two')
  })
})

describe('slash-command options → command text', () => {
  const command = defineCommand({
    path: 'docker ps',
    summary: 'list',
    args: z.object({ vm: z.string(), all: z.boolean().default(false), sshKey: z.string().optional() }),
    positional: ['vm'],
    permission: 'docker.read',
    mutating: false,
    plan: () => ({}),
    run: async () => channelReply(text('x')),
  })

  it('quotes values so the grammar reads back exactly what was typed, even values that look like options', () => {
    const tricky = ['web "1" \\ ok', '--all', "it's", 'two words', 'new\nline']
    for (const value of tricky) expect(tokenize(quoteForGrammar(value))).toEqual([value])
    const found = invocationText([command], 'docker', [
      {
        name: 'ps',
        type: 1,
        options: [
          { name: 'vm', type: 3, value: '--all' },
          { name: 'all', type: 5, value: true },
          { name: 'ssh-key', type: 3, value: 'ssh-ed25519 AAAA "me"' },
        ],
      },
    ])
    expect(found?.command).toBe(command)
    expect(found?.text).toBe('/docker ps --vm="--all" --all --ssh-key="ssh-ed25519 AAAA \\"me\\""')
    const words = tokenize((found?.text ?? '').slice(1))
    expect(collectArgs(command, words.slice(2))).toEqual({ vm: '--all', all: true, sshKey: 'ssh-ed25519 AAAA "me"' })
  })

  it('leaves out a boolean set to false and answers undefined for a command it does not know', () => {
    const found = invocationText([command], 'docker', [
      {
        name: 'ps',
        type: 1,
        options: [
          { name: 'vm', type: 3, value: 'web-1' },
          { name: 'all', type: 5, value: false },
        ],
      },
    ])
    expect(found?.text).toBe('/docker ps --vm="web-1"')
    expect(invocationText([command], 'docker', [{ name: 'rm', type: 1, options: [] }])).toBeUndefined()
  })
})

describe('custom ids and modals', () => {
  it('parses only the shapes the adapter writes', () => {
    expect(parseCustomId('p:abc123:approve')).toEqual({ kind: 'press', token: 'abc123:approve' })
    expect(parseCustomId('f:abcdefghjkmn:1')).toEqual({ kind: 'form', token: 'abcdefghjkmn', page: 1 })
    expect(parseCustomId('m:abcdefghjkmn:0')).toEqual({ kind: 'modal', token: 'abcdefghjkmn', page: 0 })
    expect(parseCustomId('m:bad token:0')).toBeUndefined()
    expect(parseCustomId('x:whatever')).toBeUndefined()
    expect(parseCustomId(`p:${'a'.repeat(99)}`)).toBeUndefined()
  })

  it('splits a long form into modals of 5, and turns a select with more than 25 options into a text input', () => {
    const options = Array.from({ length: 30 }, (_, i) => ({ value: `vm-${i}`, label: `vm-${i}` }))
    const form = {
      token: 'abcdefghjkmn',
      title: 'A form whose title is far longer than forty-five characters',
      submitLabel: 'Go',
      inputs: [
        { kind: 'select' as const, id: 'vm', label: 'VM', options },
        ...Array.from({ length: 6 }, (_, i) => ({ kind: 'text' as const, id: `t${i}`, label: `Text ${i}` })),
      ],
    }
    expect(pagesOf(form).map((p) => p.length)).toEqual([5, 2])
    const first = modalFor(form, 0)
    expect(first.title.length).toBeLessThanOrEqual(45)
    expect(first.title).toMatch(/\(1\/2\)…?$|…$/)
    expect(first.components).toHaveLength(5)
    const vm = first.components[0] as { description?: string; component: { type: number } }
    expect(vm.component.type).toBe(4)
    expect(vm.description).toMatch(/^one of: vm-0, vm-1/)
    expect(modalFor(form, 1).components).toHaveLength(2)
  })
})
