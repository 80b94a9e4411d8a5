/**
 * The SSH backend's pieces on their own: the bot identity on disk, the fixed guest commands (the bot's
 * list and the simulated guest's agree), log framing and cleaning, xscontainer's time-free status.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { logFrame } from '../../../src/sim/guest-ssh/engine-api.js'
import { GUEST_COMMANDS as SIM_COMMANDS } from '../../../src/sim/guest-ssh/guest-commands.js'
import { BotIdentity, KEY_FILE, loadBotIdentity } from '../../../src/xen/ssh/bot-identity.js'
import { timeFreeStatus } from '../../../src/xen/ssh/container-list.js'
import { cleanLine, demultiplex, logLines } from '../../../src/xen/ssh/docker-logs.js'
import { generateEd25519 } from '../../../src/xen/ssh/generate-key.js'
import { GUEST_COMMANDS } from '../../../src/xen/ssh/guest-commands.js'
import { SshDockerAgent } from '../../../src/xen/ssh/ssh-docker-agent.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xen-chatops-ssh-'))
  dirs.push(dir)
  return dir
}

describe('bot identity', () => {
  it('is made once in the data directory, owner-only, and the same key is read on the next start', () => {
    const dataDir = tempDir()
    const first = loadBotIdentity({ dataDir })
    expect(first.publicLine).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=* xen-chatops@\S+$/)
    expect(first.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(statSync(join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(statSync(join(dataDir, 'ssh')).mode & 0o777).toBe(0o700)
    expect(readFileSync(join(dataDir, `${KEY_FILE}.pub`), 'utf8')).toBe(`${first.publicLine}\n`)
    expect(loadBotIdentity({ dataDir }).publicLine).toBe(first.publicLine)
  })

  it('uses a configured key instead, and refuses one that is not a private key', () => {
    const pair = generateEd25519('ops@example')
    const identity = loadBotIdentity({ dataDir: tempDir(), configured: pair.private })
    expect(identity.publicLine).toBe(pair.public)
    expect(() => loadBotIdentity({ dataDir: tempDir(), configured: pair.public })).toThrow(/not a private key/)
  })

  it('never shows its private key when logged, inspected or serialised', () => {
    const identity = new BotIdentity(generateEd25519('x@y').private, 'test')
    const agent = new SshDockerAgent({
      transport: 'dial-stdio',
      connectConfig: async () => ({ privateKey: identity.privateKey }),
    })
    for (const shown of [
      inspect(identity, { showHidden: true, depth: null }),
      JSON.stringify(identity),
      inspect(agent),
    ]) {
      expect(shown).not.toContain('PRIVATE KEY')
    }
    agent.destroy()
  })
})

describe('guest commands', () => {
  it('are the very strings the simulated guest knows', () => {
    expect(GUEST_COMMANDS).toEqual(SIM_COMMANDS)
  })

  it('have nothing spliced in: no template holes, keys only on stdin', () => {
    for (const command of Object.values(GUEST_COMMANDS)) expect(command).not.toMatch(/\$\{|ssh-(rsa|ed25519) AAAA/)
  })
})

describe('logs', () => {
  const frames = Buffer.concat([
    logFrame('stdout', 'one\n'),
    logFrame('stderr', 'two \u001b[1;31mbold red\u001b[0m\n'),
    logFrame('stdout', 'three\r\n'),
    logFrame('stdout', 'bell\u0007 and <@here> and \u001b]0;title\u0007tab\tkept\n'),
  ])

  it('splits the multiplexed frames into lines in order, cleaned of escapes and control characters', () => {
    expect(logLines(frames, { tail: 10, maxBytes: 10_000 })).toEqual([
      'one',
      'two bold red',
      'three',
      'bell and <@here> and tab\tkept',
    ])
  })

  it("takes a TTY container's unframed output as text", () => {
    expect(demultiplex(Buffer.from('plain text\n'))).toBe('plain text\n')
    expect(cleanLine('\u009b31mx')).toBe('31mx')
  })
})

describe("xscontainer's time-free status", () => {
  it.each([
    ['Up 3 hours', 'Up'],
    ['Up 2 days (Paused)', 'Up (Paused)'],
    ['Exited (137) 5 minutes ago', 'Exited (137)'],
    ['Restarting (1) 2 seconds ago', 'Restarting (1) 2 seconds ago'],
    ['Created', 'Created'],
  ])('%s → %s', (status, expected) => {
    expect(timeFreeStatus(status)).toBe(expected)
  })
})
