/**
 * The dependency rules of DESIGN.md, enforced: only src/xen talks to XAPI and Docker libraries, only
 * src/xen and src/sim use ssh2, each chat SDK stays in its adapter, and src/core imports no SDK and no
 * outer layer. A rule broken here is a design decision to discuss, not a test to loosen.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const SOURCE_DIRS = ['src', 'adapters', 'commands']

function sourceFiles(dir: string): string[] {
  let entries: string[]
  try {
    entries = readdirSync(join(root, dir))
  } catch {
    return []
  }
  return entries.flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path)
    return /\.(ts|mts)$/.test(name) ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '')
}

interface Rule {
  what: string
  imports: RegExp
  allowedIn: readonly string[]
}

const RULES: readonly Rule[] = [
  { what: 'xen-api and dockerode', imports: /^(xen-api|dockerode)(\/|$)/, allowedIn: ['src/xen/'] },
  { what: 'ssh2', imports: /^ssh2(\/|$)/, allowedIn: ['src/xen/', 'src/sim/'] },
  { what: 'the Slack SDK', imports: /^@slack\//, allowedIn: ['adapters/slack/'] },
  { what: 'discord.js', imports: /^(discord\.js|@discordjs\/)/, allowedIn: ['adapters/discord/'] },
  { what: 'better-sqlite3', imports: /^better-sqlite3(\/|$)/, allowedIn: ['src/store/'] },
  // Issue #15: PostgreSQL is a store engine like SQLite; the leader lease lives beside the store for that.
  { what: 'pg (PostgreSQL)', imports: /^pg(\/|$)/, allowedIn: ['src/store/pg/'] },
  // The bot writes config drives; the simulated guests read them. fatfs, a devDependency, is only the
  // tests' independent reader and must never be needed at run time.
  { what: 'js-fatfs', imports: /^js-fatfs(\/|$)/, allowedIn: ['src/xen/provision/', 'src/sim/guest-boot/'] },
  { what: 'fatfs (a devDependency)', imports: /^fatfs(\/|$)/, allowedIn: [] },
]

const files = SOURCE_DIRS.flatMap(sourceFiles)

describe('architecture', () => {
  it('finds the source files it checks', () => {
    expect(files).toContain('src/sim/sim-pool.ts')
    expect(files.length).toBeGreaterThan(20)
  })

  for (const rule of RULES) {
    it(`imports ${rule.what} only in ${rule.allowedIn.join(', ')}`, () => {
      const offenders = files.filter(
        (f) => !rule.allowedIn.some((dir) => f.startsWith(dir)) && importsOf(f).some((i) => rule.imports.test(i)),
      )
      expect(offenders).toEqual([])
    })
  }

  it('keeps src/core free of SDKs and of every outer layer', () => {
    const outer = /(^|\/)(xen|sim|store|alerts|adapters|commands)\//
    const offenders = files
      .filter((f) => f.startsWith('src/core/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) =>
            i.startsWith('.')
              ? outer.test(relative(root, join(root, f, '..', i)))
              : /^(xen-api|ssh2|dockerode|@slack\/|discord\.js)/.test(i),
          )
          .map((i) => `${f} imports ${i}`),
      )
    expect(offenders).toEqual([])
  })

  it('keeps commands on the core: they reach the Xen layer and the simulator only through ports', () => {
    const offenders = files
      .filter((f) => f.startsWith('commands/'))
      .flatMap((f) =>
        importsOf(f)
          .filter(
            (i) => i.startsWith('.') && /(^|\/)src\/(xen|sim|store)\//.test(relative(root, join(root, f, '..', i))),
          )
          .map((i) => `${f} imports ${i}`),
      )
    expect(offenders).toEqual([])
  })

  it('uses ssh2 in src/sim only for servers: the simulator never logs in anywhere itself', () => {
    const offenders = files.filter(
      (f) =>
        f.startsWith('src/sim/') &&
        importsOf(f).some((i) => /^ssh2(\/|$)/.test(i)) &&
        /\bClient\b|\.connect\(\{[^}]*username/.test(readFileSync(join(root, f), 'utf8')),
    )
    expect(offenders).toEqual([])
  })

  // Issue #11: the alerts decide from the core's ports alone; the store, the Xen layer and the chat
  // adapters plug in from the composition root (src/app.ts), so any of them can be replaced.
  it('keeps src/alerts free of SDKs, the store, the Xen layer, the simulator and the adapters', () => {
    const outer = /(^|\/)(xen|sim|store|adapters|commands)\//
    const offenders = files
      .filter((f) => f.startsWith('src/alerts/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) =>
            i.startsWith('.')
              ? outer.test(relative(root, join(root, f, '..', i)))
              : /^(xen-api|ssh2|dockerode|better-sqlite3|@slack\/|discord\.js)/.test(i),
          )
          .map((i) => `${f} imports ${i}`),
      )
    expect(files.filter((f) => f.startsWith('src/alerts/')).length).toBeGreaterThan(5)
    expect(offenders).toEqual([])
  })

  it('keeps adapters/discord a transport: it reaches the bot only through src/core (and config, log)', () => {
    const inner = /(^|\/)(src\/(xen|sim|store|alerts|ops)|commands|adapters\/(shell|slack))\//
    const discordFiles = files.filter((f) => f.startsWith('adapters/discord/'))
    expect(discordFiles).toContain('adapters/discord/discord-bot.ts')
    const offenders = discordFiles.flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('.') && inner.test(relative(root, join(root, f, '..', i))))
        .map((i) => `${f} imports ${i}`),
    )
    expect(offenders).toEqual([])
  })

  it('runs only the fixed guest commands over SSH: every exec takes a name from GUEST_COMMANDS', () => {
    const execs = files
      .filter((f) => f.startsWith('src/xen/'))
      .flatMap((f) =>
        [...readFileSync(join(root, f), 'utf8').matchAll(/\b(?:client|#client)\.exec\(\s*([^,]+),/g)].map(
          (m) => `${f}: ${m[1]}`,
        ),
      )
    expect(execs).toEqual(['src/xen/ssh/guest-session.ts: command', 'src/xen/ssh/ssh-docker-agent.ts: DIAL_STDIO'])
    // …and those two are GUEST_COMMANDS entries, never text built from arguments.
    const session = readFileSync(join(root, 'src/xen/ssh/guest-session.ts'), 'utf8')
    expect(session).toContain('const command = GUEST_COMMANDS[name]')
    expect(readFileSync(join(root, 'src/xen/ssh/ssh-docker-agent.ts'), 'utf8')).toContain(
      'const DIAL_STDIO = GUEST_COMMANDS.dialStdio',
    )
  })

  it('keeps the chat adapters to translation: nothing from src/xen, src/sim, src/store or commands/', () => {
    const inner = /^(src\/(xen|sim|store)|commands)\//
    const offenders = files
      .filter((f) => f.startsWith('adapters/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('.') && inner.test(relative(root, join(root, f, '..', i))))
          .map((i) => `${f} imports ${i}`),
      )
    expect(files.filter((f) => f.startsWith('adapters/slack/')).length).toBeGreaterThan(5)
    expect(offenders).toEqual([])
  })

  it('the import scanner sees imports (so the rules above can fail)', () => {
    expect(importsOf('src/sim/xscontainer/pool-keys.ts')).toContain('ssh2')
  })
})
