/**
 * `/docker enable` in the terminal chat, line by line as a person types it: the form, `/submit` with
 * the one-time password, an approver's `/press`, then `/docker ps`. A legacy VM ends monitored by
 * xscontainer (its docker_ps filled), a modern one answering through SSH; the transcript never shows
 * the password.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ShellChat } from '../../adapters/shell/shell-chat.js'
import { type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { ONE_TIME_PASSWORD, setupScenario } from './setup-scenario.js'

/** The terminal chat over the governed bot; `type` runs one line, `transcript` is everything printed. */
function terminal(chat: GovernedChat, user: string) {
  const output = new PassThrough()
  let transcript = ''
  output.setEncoding('utf8').on('data', (chunk: string) => {
    transcript += chunk
  })
  const shell = new ShellChat({
    dispatcher: chat.bot.dispatcher,
    input: new PassThrough(),
    output,
    interactive: false,
    user,
  })
  return {
    type: async (line: string) => {
      const from = transcript.length
      await shell.handleLine(line)
      await new Promise((resolve) => setImmediate(resolve))
      return transcript.slice(from)
    },
    transcript: () => transcript,
  }
}

const formToken = (text: string) => /^form (\S+):/m.exec(text)?.[1] ?? expect.fail(`no form in:\n${text}`)
const approvalId = (text: string) =>
  /\b([a-z0-9]{6}):approve\b/.exec(text)?.[1] ?? expect.fail(`no approval in:\n${text}`)

async function enableInTerminal(vm: string, user: string) {
  const chat = await startGovernedChat({ scenario: setupScenario(), rules: { 'docker enable': {} } })
  const term = terminal(chat, 'ada')
  const form = await term.type(`/docker enable ${vm}`)
  expect(form).toContain('Enable Docker on a VM')
  expect(form).toMatch(/password\s+One-time password \(optional, secret\)/)
  const card = await term.type(`/submit ${formToken(form)} user=${user} auth=password password="${ONE_TIME_PASSWORD}"`)
  expect(card).toContain(`enable Docker on ${vm} as ${user}`)
  await term.type('/as bob')
  const done = await term.type(`/press ${approvalId(card)}:approve`)
  expect(done).toContain(`Docker is enabled on ${vm}`)
  await term.type('/as alice')
  return { chat, term, done }
}

describe('/docker enable in the terminal chat', () => {
  it('a legacy VM: registered, and the monitor fills docker_ps', async () => {
    const { chat, term, done } = await enableInTerminal('legacy-app', 'core')
    expect(done).toContain('served by xscontainer')
    const ps = await term.type('/docker ps legacy-app')
    expect(ps).toMatch(/Backend: xscontainer \(registered with xscontainer/)
    expect(ps).toMatch(/shop\s.*nginx:1\.25/)
    const pool = chat.simPool('lab-legacy')
    const ref = pool.store.find('VM', (r) => r.name_label === 'legacy-app')[0] ?? ''
    expect((pool.store.get('VM', ref).other_config as Record<string, string>).docker_ps).toContain('shop-db')
    expect(term.transcript()).toContain('password=[secret]')
    expect(term.transcript()).not.toContain(ONE_TIME_PASSWORD)
  })

  it('a modern VM: /docker ps answers through SSH', async () => {
    const { term, done } = await enableInTerminal('app-server', 'ops')
    expect(done).toContain('served by ssh')
    const ps = await term.type('/docker ps app-server')
    expect(ps).toMatch(/Backend: ssh \(tagged "docker"/)
    expect(ps).toMatch(/api\s.*node:20-alpine\s.*Up/)
    expect(ps).toContain('2 running of 3')
    expect(term.transcript()).not.toContain(ONE_TIME_PASSWORD)
  })
})
