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
import { startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'
import { countXapi, HOSTILE, isBug, label } from './hostile-inputs.js'

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
      const xapi = countXapi(chat.sim.pools.map((p) => p.pool))
      const failures: string[] = []
      for (const hostile of HOSTILE) {
        const reply = await chat.say('ada', lineFor(command, arg, hostile))
        if (isBug(reply)) failures.push(`${label(hostile)}: ${plain(reply)}`)
        if (reply.form) continue // a form command asks again; its submissions: form-injection.test.ts
        // A refusal: private to the asker, in the error style, and short (an overlong input is not echoed whole).
        const first = reply.blocks[0]
        if (reply.visibility !== 'ephemeral' || first?.kind !== 'text' || first.style !== 'error') {
          failures.push(`${label(hostile)} was not refused: ${plain(reply).slice(0, 200)}`)
        }
        if (plain(reply).length > 1_000) failures.push(`${label(hostile)}: a reply of ${plain(reply).length} chars`)
      }
      expect(failures).toEqual([])
      expect(xapi.acted(), `${path} --${arg} reached XAPI beyond reading`).toEqual([])
      // Still up, still right.
      expect(plain(await chat.say('ada', '/docker ps web-1'))).toContain('nginx-front')
    },
  )
})
