/**
 * Issue #5, scripted through stdin: the built CLI (`node bin/xen-chatops.js demo`) as a child process
 * with piped stdin, so it runs in its non-TTY transcript mode. Lines are written one at a time and each
 * reply is awaited before the next line, because the restart's confirm token is random: it is read from
 * the `[Confirm·<token>]` button and sent back as `/press <token>`. Then stdin ends, the demo must exit 0,
 * and the whole transcript is checked exchange by exchange.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildOnce, type Cli, type Exit, killStarted, startCli } from './built-cli.js'

/** One echoed input line (`alice> /docker vms`) and the reply printed under it. */
interface Exchange {
  readonly user: string
  readonly line: string
  readonly reply: string
}

/** The end of a reply, per kind of line: every reply ends with a line these recognise. */
const END = {
  help: /pool\/vm picks a pool\.\)\n/,
  nothingToRun: /There is nothing you may run yet; ask an admin for access\.\n/,
  vms: /\(\d+ Docker-managed VMs?[^\n]*\)\n/,
  ps: /\(\d+ running of \d+[^\n]*\)\n/,
  confirm: /they expire in [^\n]*\)\n/,
  done: /by alice\)\n/,
  error: /✗ [^\n]*\n/,
  switched: (user: string) => new RegExp(`\\(now acting as ${user}\\)\\n`),
}

let cli: Cli
let exit: Exit
let transcript = ''
let logFile: string | undefined
let token = ''
/** How many `/docker ps web-1` it took after the press until the restarted container was listed. */
let polls = 0

/** Writes one line and resolves with what the demo printed for it, once `end` matches. */
async function send(line: string, end: RegExp): Promise<string> {
  const from = cli.stdout().length
  cli.child.stdin?.write(`${line}\n`)
  const echo = await cli.waitFor(new RegExp(`^[a-z]+> ${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`, 'm'), {
    from,
  })
  const start = from + echo.index
  await cli.waitFor(end, { from: start + echo[0].length })
  return cli.stdout().slice(start)
}

function exchanges(text: string): Exchange[] {
  const result: { user: string; line: string; reply: string[] }[] = []
  for (const row of text.split('\n')) {
    const echo = /^(alice|bob|eve)> (.*)$/.exec(row)
    if (echo) result.push({ user: echo[1] ?? '', line: echo[2] ?? '', reply: [] })
    else result.at(-1)?.reply.push(row)
  }
  return result.map((e) => ({ user: e.user, line: e.line, reply: e.reply.join('\n').trimEnd() }))
}

/** The exchanges for `line` typed by `user`, in order. */
function repliesTo(user: string, line: string): string[] {
  return exchanges(transcript)
    .filter((e) => e.user === user && e.line === line)
    .map((e) => e.reply)
}

function onlyReplyTo(user: string, line: string): string {
  const replies = repliesTo(user, line)
  expect(replies, `${user}> ${line} in\n${transcript}`).toHaveLength(1)
  return replies[0] ?? ''
}

/** A table printed by the shell adapter: columns are separated by at least two spaces. */
function tableRows(reply: string): string[][] {
  return reply
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('('))
    .map((l) => l.split(/ {2,}/))
}

/** The row of `name` in the reply's table, column by column. */
function rowOf(reply: string, name: string): string[] | undefined {
  return tableRows(reply).find((r) => r[0] === name)
}

beforeAll(async () => {
  await buildOnce()
  cli = startCli(['demo', '--speed', '20'])
  const banner = await cli.waitFor(/\/quit leaves\. Logs: (\S+)\n/, { ms: 30_000 })
  logFile = banner[1]

  await send('/xen help', END.help)
  await send('/docker vms', END.vms)
  await send('/docker ps web-1', END.ps)
  await send('/docker ps web-1 --all', END.ps)
  const confirm = await send('/docker restart web-1 nightly-report', END.confirm)
  token = /\[Confirm·([^\]\s]+)\]/.exec(confirm)?.[1] ?? ''
  expect(token, confirm).not.toBe('')
  await send(`/press ${token}`, new RegExp(`${END.done.source}|${END.error.source}`))
  // The inventory learns the new state from xscontainer's monitor through XAPI events: ask again
  // until the restarted container is listed (or give up and let the assertions show the last answer).
  for (polls = 1; polls <= 40; polls++) {
    const ps = await send('/docker ps web-1', END.ps)
    if (rowOf(ps, 'nightly-report')?.[3] === 'Up') break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  await send('/as eve', END.switched('eve'))
  await send('/xen help', END.nothingToRun)
  await send('/docker restart web-1 nightly-report', END.error)
  await send('/docker ps web-1', END.error)
  await send('/as bob', END.switched('bob'))
  await send('/xen help', END.help)
  await send('/docker restart web-1 nightly-report', END.error)
  await send('/docker ps b', END.error)

  cli.child.stdin?.end()
  exit = await cli.closed
  transcript = cli.stdout()
}, 120_000)

afterAll(() => {
  killStarted()
  if (logFile?.includes('xen-chatops-demo-')) rmSync(logFile, { force: true })
})

describe('xen-chatops demo, scripted through stdin', () => {
  it('exits 0 at the end of the input, with nothing on stderr', () => {
    expect(exit).toEqual({ code: 0, signal: null })
    expect(cli.stderr()).toBe('')
  })

  it('prints the banner first and no escape sequence anywhere (stdin is not a TTY)', () => {
    const lines = transcript.split('\n')
    expect(lines[0]).toBe(
      'xen-chatops demo: two simulated pools (lab-legacy with xscontainer, lab-modern without), terminal chat.',
    )
    expect(lines[1]).toBe('You are alice (operator). Try:')
    expect(lines[5]).toMatch(/^\/xen help lists commands; \/as bob switches user; \/quit leaves\. Logs: \S+\.log$/)
    expect(lines[6]).toBe('alice> /xen help')
    expect(transcript).not.toContain('\u001b')
    // No other C0 or C1 control character either: only line ends.
    const controls = [...transcript].filter((c) => {
      const code = c.codePointAt(0) ?? 0
      return (code < 0x20 && c !== '\n') || (code >= 0x7f && code <= 0x9f)
    })
    expect(controls).toEqual([])
  })

  it('echoes every line with the acting user, in the order it was written', () => {
    expect(exchanges(transcript).map((e) => `${e.user}> ${e.line}`)).toEqual([
      'alice> /xen help',
      'alice> /docker vms',
      'alice> /docker ps web-1',
      'alice> /docker ps web-1 --all',
      'alice> /docker restart web-1 nightly-report',
      `alice> /press ${token}`,
      ...Array.from({ length: Math.min(polls, 40) }, () => 'alice> /docker ps web-1'),
      'alice> /as eve',
      'eve> /xen help',
      'eve> /docker restart web-1 nightly-report',
      'eve> /docker ps web-1',
      'eve> /as bob',
      'bob> /xen help',
      'bob> /docker restart web-1 nightly-report',
      'bob> /docker ps b',
    ])
  })

  it('/xen help shows each demo user only what they may run', () => {
    const commandsIn = (reply: string) =>
      reply
        .split('\n')
        .filter((l) => l.startsWith('/'))
        .map((l) => l.split(/ {2,}/)[0])
    expect(commandsIn(onlyReplyTo('alice', '/xen help'))).toEqual([
      '/docker vms [<pool>]',
      '/docker ps <vm> [--all]',
      '/docker inspect <vm> <container>',
      '/docker top <vm> <container>',
      '/docker start <vm> <container>',
      '/docker stop <vm> <container>',
      '/docker restart <vm> <container>',
      '/docker pause <vm> <container>',
      '/docker unpause <vm> <container>',
      '/xen help [<command>]',
    ])
    // bob approves and reads, but operates nothing: no lifecycle command is offered to him.
    expect(commandsIn(onlyReplyTo('bob', '/xen help'))).toEqual([
      '/docker vms [<pool>]',
      '/docker ps <vm> [--all]',
      '/docker inspect <vm> <container>',
      '/docker top <vm> <container>',
      '/xen help [<command>]',
    ])
    expect(onlyReplyTo('eve', '/xen help')).toBe('! There is nothing you may run yet; ask an admin for access.')
  })

  it('/docker vms lists the Docker VMs of both pools with their backend and IP', () => {
    const reply = onlyReplyTo('alice', '/docker vms')
    const [head, ...rows] = tableRows(reply)
    expect(head).toEqual(['VM', 'POOL', 'POWER', 'IP', 'BACKEND', 'CONTAINERS'])
    const byName = new Map(rows.map((r) => [r[0], r.slice(1, 5)]))
    expect(byName.get('web-1')).toEqual(['lab-legacy', 'running', '10.10.0.11', 'xscontainer'])
    expect(byName.get('web-2')).toEqual(['lab-legacy', 'running', '10.10.0.12', 'xscontainer'])
    expect(byName.get('registry')).toEqual(['lab-legacy', 'running', '10.10.0.20', 'xscontainer'])
    // No guest tools: no IP to show.
    expect(byName.get('builder-no-tools')).toEqual(['lab-legacy', 'running', '—', 'xscontainer'])
    // lab-modern has no xscontainer: its Docker VMs are reached over SSH.
    expect(byName.get('ci-runner')).toEqual(['lab-modern', 'running', '10.20.0.11', 'ssh'])
    expect(byName.get('metrics')).toEqual(['lab-modern', 'running', '10.20.0.21', 'ssh'])
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['lab-legacy', 'lab-modern']))
    // Plain VMs are not Docker VMs.
    expect(byName.has('ldap-appliance')).toBe(false)
    expect(byName.has('backup-server')).toBe(false)
  })

  it('before the restart, nightly-report is exited: hidden without --all, Exited (0) with it', () => {
    const [before] = repliesTo('alice', '/docker ps web-1')
    expect(before).toContain('VM:      web-1\nPool:    lab-legacy\nHost:    xs76-a\nIP:      10.10.0.11\n')
    expect(before).not.toContain('nightly-report')
    expect(before).toMatch(/\(4 running of 5; --all also lists the 1 stopped\)$/)
    const all = onlyReplyTo('alice', '/docker ps web-1 --all')
    expect(rowOf(all, 'nightly-report')).toEqual([
      'nightly-report',
      '287433d5bf',
      'python:3.12-slim',
      'Exited (0)',
      '—',
    ])
  })

  it('as alice, /docker restart shows a confirm token, /press runs it, and /docker ps then lists the container as Up', () => {
    const confirm = onlyReplyTo('alice', '/docker restart web-1 nightly-report')
    expect(confirm.split('\n')).toEqual([
      '! Confirm: restart nightly-report (287433d5bf) in web-1?',
      expect.stringMatching(new RegExp(`^\\[Confirm·${token}\\] \\[Cancel·[^\\]\\s]+\\]$`)),
      '(Only you can press these; they expire in 5 minute(s).)',
    ])
    expect(onlyReplyTo('alice', `/press ${token}`).split('\n')).toEqual([
      '✓ nightly-report in web-1: restart done',
      '(backend xscontainer · container 287433d5bf · pool lab-legacy · by alice)',
    ])
    expect(polls, 'polls until the restarted container was listed').toBeLessThanOrEqual(40)
    const after = repliesTo('alice', '/docker ps web-1').at(-1) ?? ''
    expect(rowOf(after, 'nightly-report')).toEqual(['nightly-report', '287433d5bf', 'python:3.12-slim', 'Up', '—'])
    expect(after).toMatch(/\(5 running of 5\)$/)
  })

  it('as eve, the same restart is denied naming the missing permission, and so is reading', () => {
    expect(onlyReplyTo('eve', '/docker restart web-1 nightly-report')).toBe(
      '✗ you need the docker.operate permission for that; ask an admin to grant it',
    )
    expect(onlyReplyTo('eve', '/docker ps web-1')).toBe(
      '✗ you need the docker.read permission for that; ask an admin to grant it',
    )
  })

  it('as bob (approver, no docker.operate), the restart is denied too', () => {
    expect(onlyReplyTo('bob', '/docker restart web-1 nightly-report')).toBe(
      '✗ you need the docker.operate permission for that; ask an admin to grant it',
    )
  })

  it('an ambiguous VM name lists the candidates with their pools', () => {
    const reply = onlyReplyTo('bob', '/docker ps b')
    expect(reply).toMatch(/^✗ "b" matches several VMs: .*; give more of the name, or pool\/name$/)
    expect(reply).toContain('builder-no-tools (lab-legacy)')
    expect(reply).toContain('backup-server (lab-modern)')
  })
})
