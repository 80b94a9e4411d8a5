/**
 * Issue #14: docs/configuration.md is generated from the configuration's zod schema by
 * scripts/config-reference.ts, and this test fails while the committed file differs from what the
 * script would write now (a key, default or `.describe()` text changed without regenerating).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { commands } from '../../commands/index.js'
import { REFERENCE_FILE, REGENERATE, renderConfigReference } from '../../scripts/config-reference.js'
import { appConfigSchema, poolConfigSchema } from '../../src/config.js'
import { PERMISSIONS } from '../../src/core/command.js'

const fresh = renderConfigReference()

/** The table row for `key` (its first cell is the key in backticks). */
function row(markdown: string, key: string): string | undefined {
  return markdown.split('\n').find((line) => line.startsWith(`| \`${key}\` `))
}

describe('docs/configuration.md', () => {
  it('is what scripts/config-reference.ts writes from the schema today', () => {
    const committed = readFileSync(REFERENCE_FILE, 'utf8')
    expect(committed, `docs/configuration.md is stale: run \`${REGENERATE}\` and commit it`).toBe(fresh)
  })

  it('has a section for every top-level key and a row for every pool key', () => {
    for (const key of Object.keys(appConfigSchema.shape)) expect(fresh).toContain(`## \`${key}\``)
    for (const key of Object.keys(poolConfigSchema.shape)) expect(row(fresh, `pools[].${key}`)).toBeDefined()
  })

  it('gives types, defaults, requirements and constraints', () => {
    expect(row(fresh, 'pools[].url')).toMatch(/\| URL +\| \*\*required\*\* +\|/)
    // A default zod leaves out of the input view (the value under it is transformed) still appears.
    expect(row(fresh, 'pools[].tls')).toContain('default `verify`')
    expect(row(fresh, 'pools[].tls')).toContain('`{ fingerprint }`: accept exactly the certificate')
    expect(row(fresh, 'approvals.actions.<command>.quorum')).toMatch(/integer, 1 to 5 +\| default `1`/)
    expect(row(fresh, 'access.roles')).toContain('role matching `^[a-z][a-z0-9_-]*$`')
    expect(row(fresh, 'http.port')).toContain('integer, 0 to 65535')
  })

  it('lists every permission with the commands it opens', () => {
    for (const permission of PERMISSIONS) expect(row(fresh, permission)).toBeDefined()
    for (const command of commands.filter((c) => c.permission !== 'anyone')) {
      expect(row(fresh, command.permission)).toContain(`\`/${command.path}\``)
    }
  })

  it('picks up a key added to the schema, with its description, without other changes', () => {
    // (Issue #11 took `alerts` for real; the example key is one no issue uses.)
    const extended = appConfigSchema.safeExtend({
      announcements: z
        .object({ channel: z.string().min(1).describe('where announcements are posted') })
        .strict()
        .optional()
        .describe('announcement routes'),
    })
    const reference = renderConfigReference(extended)
    expect(reference).toContain('## `announcements`')
    expect(row(reference, 'announcements.channel')).toMatch(
      /string, not empty +\| \*\*required\*\* +\| Where announcements are posted/,
    )
    expect(reference).not.toBe(fresh)
  })
})
