/**
 * The AlertSink port faked at its interface: a RecordingSink keeps every post and edit with the clock
 * time it happened at, and each message's latest state; plus readers for what a message says. Free of
 * vitest, so the benchmarks (tests/bench, run outside vitest) use the same sink as the alert tests.
 */
import type { AlertSink, PostedAlert } from '../../src/core/alert-sink.js'
import type { Block, Reply } from '../../src/core/reply.js'

export interface SinkCall {
  readonly op: 'post' | 'update'
  readonly channel: string
  readonly messageId: string
  readonly reply: Reply
  /** Clock time of the call. */
  readonly at: number
}

/** The AlertSink port, recording: what a chat platform would have shown, and when. */
export class RecordingSink implements AlertSink {
  readonly platform: string
  readonly calls: SinkCall[] = []
  readonly #now: () => number
  #seq = 0
  /** Make the next calls fail with this error (a platform that refuses, or a network that drops). */
  failWith: Error | undefined

  constructor(now: () => number, platform = 'shell') {
    this.#now = now
    this.platform = platform
  }

  async post(channel: string, message: Reply): Promise<PostedAlert> {
    if (this.failWith) throw this.failWith
    const messageId = `m${++this.#seq}`
    this.calls.push({ op: 'post', channel, messageId, reply: message, at: this.#now() })
    return { destination: { platform: this.platform, channel }, messageId }
  }

  async update(posted: PostedAlert, message: Reply): Promise<void> {
    if (this.failWith) throw this.failWith
    const { channel } = posted.destination
    this.calls.push({ op: 'update', channel, messageId: posted.messageId, reply: message, at: this.#now() })
  }

  get posts(): SinkCall[] {
    return this.calls.filter((c) => c.op === 'post')
  }

  /** Each message as it reads now (its last post or edit), by message id, in posting order. */
  messages(): Map<string, SinkCall> {
    const latest = new Map<string, SinkCall>()
    for (const call of this.calls) latest.set(call.messageId, call)
    return latest
  }
}

function renderBlock(block: Block): string[] {
  switch (block.kind) {
    case 'text':
    case 'context':
      return [block.text]
    case 'fields':
      return block.fields.map((f) => `${f.label}: ${f.value}`)
    case 'table':
      return [block.columns, ...block.rows].map((row) => row.join(' | '))
    case 'actions':
      return [block.actions.map((a) => `[${a.label}: ${a.token}]`).join(' ')]
    case 'status':
      return [`${block.card.title} (${block.card.state})`]
  }
}

export const plainText = (reply: Reply) => reply.blocks.flatMap(renderBlock).join('\n')
export const headOf = (reply: Reply) => (reply.blocks[0]?.kind === 'text' ? reply.blocks[0].text : '')
export const fieldOf = (reply: Reply, label: string) =>
  reply.blocks.flatMap((b) => (b.kind === 'fields' ? b.fields : [])).find((f) => f.label === label)?.value
export const buttonsOf = (reply: Reply) =>
  reply.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : [])).map((a) => a.label)
export const tokenOf = (reply: Reply, label: string) => {
  const token = reply.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : [])).find((a) => a.label === label)
  if (!token) throw new Error(`no "${label}" button in:\n${plainText(reply)}`)
  return token.token
}
