/**
 * Issue #11, alerts in the terminal chat: each alert prints with its channel and a message id, an
 * edit prints again marked as the new state of that message, buttons are `[Label·token]` for
 * `/press`, and names chosen by whoever runs a container cannot move the cursor or fake a prompt.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createShellAlertSink } from '../../../adapters/shell/shell-alert-sink.js'
import { ShellChat } from '../../../adapters/shell/shell-chat.js'
import { alertMessage } from '../../../src/alerts/alert-message.js'
import type { AlertRecord } from '../../../src/alerts/alert-types.js'
import { channelReply, text } from '../../../src/core/reply.js'

const at = Date.UTC(2026, 0, 5, 12, 0)
const alert: AlertRecord = {
  id: 'k3f9mq2a',
  key: 'container-exited:lab/u/c',
  kind: 'container-exited',
  severity: 'warning',
  state: 'open',
  subject: {
    pool: 'lab-legacy',
    vm: { uuid: 'u', name: 'web-1', tags: [] },
    container: { id: 'c'.repeat(64), key: 'c'.repeat(10), name: 'evil\u001b[2J\u001b[Hname' },
  },
  title: 'evil\u001b[2J\u001b[Hname in web-1 exited with code 137',
  detail: 'image alpine:3.19; it was Up, and Docker is not restarting it',
  occurrences: 1,
  changes: [at],
  firstAt: at,
  lastAt: at,
  notifiedAt: at,
}
const view = { now: at + 45_000, flapping: false, buttons: { restart: true, logs: true } }

describe('the terminal alert sink', () => {
  it('prints an alert with its channel, message id, fields and buttons, without control characters', async () => {
    const printed: string[] = []
    const sink = createShellAlertSink((t) => printed.push(t))
    const posted = await sink.post('alerts', alertMessage({ ...view, alert }))
    expect(posted.destination).toEqual({ platform: 'shell', channel: 'alerts' })
    expect(printed[0]).toBe(
      [
        `── #alerts · alert message ${posted.messageId}`,
        '! evil[2J[Hname in web-1 exited with code 137',
        'Severity:  warning',
        'Pool:      lab-legacy',
        'VM:        web-1',
        'Container: evil[2J[Hname (cccccccccc)',
        'Since:     2026-01-05 12:00 UTC',
        'Status:    open for 45 s',
        '(image alpine:3.19; it was Up, and Docker is not restarting it)',
        '[Acknowledge·k3f9mq2a:ack] [Mute 1 h·k3f9mq2a:mute] [Restart·k3f9mq2a:restart] [Logs·k3f9mq2a:logs]',
        '(alert k3f9mq2a · container-exited)',
      ].join('\n'),
    )
    expect(printed[0]).not.toContain('\u001b')
  })

  it('prints an edit as a short note on the same message; ids differ from one run of the bot to the next', async () => {
    const printed: string[] = []
    const first = createShellAlertSink((t) => printed.push(t))
    const posted = await first.post('alerts', alertMessage({ ...view, alert }))
    const resolved = { ...alert, state: 'resolved' as const, resolvedAt: at + 30_000, resolution: 'back up (Up)' }
    await first.update(posted, alertMessage({ ...view, alert: resolved }))
    // Short: the headline and where it stands now (no buttons left on a resolved alert).
    expect(printed[1]).toBe(
      [
        `── #alerts · alert message ${posted.messageId}, updated`,
        '✓ Resolved: evil[2J[Hname in web-1 exited with code 137',
        'Status: resolved after 30 s: back up (Up)',
        '(alert k3f9mq2a · container-exited)',
      ].join('\n'),
    )
    const second = await createShellAlertSink(() => undefined).post('alerts', channelReply(text('x')))
    expect(second.messageId).not.toBe(posted.messageId)
  })

  it("the chat's own sink writes between the replies of its transcript", async () => {
    const output = new PassThrough()
    let written = ''
    output.setEncoding('utf8').on('data', (chunk: string) => {
      written += chunk
    })
    const chat = new ShellChat({
      dispatcher: {
        handle: async () => channelReply(text('ok')),
        press: async () => channelReply(text('pressed')),
        submit: async () => ({ kind: 'reply', reply: channelReply(text('submitted')) }),
      },
      input: new PassThrough(),
      output,
      interactive: false,
      user: 'alice',
    })
    await chat.alertSink().post('alerts', channelReply(text('web-1 halted, and not by the bot', 'warning')))
    await new Promise((resolve) => setImmediate(resolve))
    expect(written).toMatch(/^── #alerts · alert message [0-9a-f]{4}-1\n! web-1 halted, and not by the bot\n$/)
  })
})
