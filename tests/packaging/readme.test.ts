/**
 * Issue #14: the README's promises that can go stale without anyone noticing — the two quick-start
 * commands, the CLI subcommands it shows (each must be one the built CLI's help lists), and its links
 * to files in the repository. The setup guides of the Slack and Discord adapters are linked ahead of
 * those adapters and may not exist yet.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildOnce, killStarted, ROOT, runCli } from '../cli/built-cli.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const LINKED_AHEAD = new Set(['docs/setup-slack.md', 'docs/setup-discord.md'])

beforeAll(buildOnce, 120_000)
afterAll(() => killStarted())

describe('README.md', () => {
  it('gives the two quick-start commands', () => {
    expect(README).toMatch(/^npm install && npm start\b/m)
    expect(README).toMatch(/^npm install && npm test\b/m)
  })

  it('shows only subcommands the CLI has', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    const shown = new Set([...README.matchAll(/npx xen-chatops ((?:audit )?[a-z-]+)/g)].map((m) => m[1] ?? ''))
    expect([...shown]).toEqual(expect.arrayContaining(['demo', 'check-config', '--config', 'sim', 'audit verify']))
    for (const command of shown) expect(help.stdout, command).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'))
  })

  it('links only to files that exist', () => {
    const links = [...README.matchAll(/\]\(([^)#:]+)\)/g)].map((m) => m[1] ?? '')
    expect(links.length).toBeGreaterThan(3)
    const missing = links.filter((link) => !LINKED_AHEAD.has(link) && !existsSync(join(ROOT, link)))
    expect(missing).toEqual([])
  })
})
