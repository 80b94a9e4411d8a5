/**
 * Alerts in the terminal chat (issue #11): each alert message is printed with its channel and a
 * message number; a terminal cannot edit what it printed long ago, so an update is printed again,
 * marked as the new state of that message. The text goes through the same renderer as every reply,
 * so container and VM names are stripped of control characters before they reach the terminal.
 */
import { randomBytes } from 'node:crypto'
import type { AlertSink } from '../../src/core/alert-sink.js'
import type { Reply } from '../../src/core/reply.js'
import { renderReply, sanitize } from './render-text.js'

export function createShellAlertSink(print: (text: string) => void): AlertSink {
  // Message ids stay distinct across restarts of the bot (the store keeps them to edit later).
  const run = randomBytes(2).toString('hex')
  let seq = 0
  const show = (head: string, message: Reply) => print(`${head}\n${renderReply(message)}`)
  return {
    platform: 'shell',
    async post(channel, message) {
      const messageId = `${run}-${++seq}`
      show(`── #${sanitize(channel)} · alert message ${messageId}`, message)
      return { destination: { platform: 'shell', channel }, messageId }
    },
    async update(posted, message) {
      show(
        `── #${sanitize(posted.destination.channel)} · alert message ${sanitize(posted.messageId)}, updated`,
        message,
      )
    },
  }
}
