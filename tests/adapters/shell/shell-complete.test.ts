/**
 * Tab completion in the terminal chat: command words while the line is still a command, then the
 * word being typed through the `complete` option (VM names), filtered to what starts with that word.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ShellChat } from '../../../adapters/shell/shell-chat.js'
import { channelReply, text } from '../../../src/core/reply.js'

function shell(complete?: (line: string) => readonly string[]) {
  const asked: string[] = []
  const chat = new ShellChat({
    dispatcher: {
      handle: async () => channelReply(text('ok')),
      press: async () => channelReply(text('ok')),
      submit: async () => ({ kind: 'reply', reply: channelReply(text('ok')) }),
    },
    input: new PassThrough(),
    output: new PassThrough(),
    interactive: true,
    user: 'alice',
    commandWords: ['/docker ps', '/docker pause', '/docker restart', '/xen help'],
    complete: (line) => {
      asked.push(line)
      return complete?.(line) ?? ['web-1', 'web-2', 'lab-legacy/web-1', 'registry']
    },
  })
  return { chat, asked }
}

describe('shell completion', () => {
  it('completes command words', () => {
    const { chat, asked } = shell()
    expect(chat.complete('/docker p')).toEqual([['/docker pause', '/docker ps'], '/docker p'])
    expect(chat.complete('/x')).toEqual([['/xen help'], '/x'])
    expect(chat.complete('/a')).toEqual([['/as'], '/a'])
    expect(chat.complete('/nothing')).toEqual([[], '/nothing'])
    expect(asked).toEqual([])
  })

  it('completes the word after a command through the complete option', () => {
    const { chat, asked } = shell()
    expect(chat.complete('/docker ps we')).toEqual([['web-1', 'web-2'], 'we'])
    expect(chat.complete('/docker ps ')).toEqual([['web-1', 'web-2', 'lab-legacy/web-1', 'registry'], ''])
    expect(chat.complete('/docker restart lab-')).toEqual([['lab-legacy/web-1'], 'lab-'])
    expect(asked).toEqual(['/docker ps we', '/docker ps ', '/docker restart lab-'])
  })

  it('survives a completion that throws', () => {
    const { chat } = shell(() => {
      throw new Error('boom')
    })
    expect(chat.complete('/docker ps we')).toEqual([[], 'we'])
  })
})
