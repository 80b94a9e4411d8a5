/**
 * Issue #14: examples/config.yaml is a configuration the bot accepts (parsed with the real schema),
 * shows what the issue lists (two pools — one pinned by fingerprint —, secrets by env and by file,
 * roles for every platform, an approval policy, the ops endpoint), configures every section and
 * platform the schema knows (a new one fails here until the example shows it), and passes the built
 * CLI's `check-config` when mounted as the README and the image mount it.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { load } from 'js-yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { commands } from '../../commands/index.js'
import { type AppConfig, appConfigSchema, loadConfig } from '../../src/config.js'
import { buildOnce, ROOT } from '../cli/built-cli.js'

const EXAMPLE = join(ROOT, 'examples/config.yaml')

let config: AppConfig
let dir: string

beforeAll(async () => {
  config = loadConfig(EXAMPLE)
  dir = mkdtempSync(join(tmpdir(), 'xen-chatops-example-'))
  await buildOnce()
}, 120_000)

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** The keys the schema accepts at the top and under `platforms` (what a reader may want to set). */
function schemaKeys(): { top: string[]; platforms: string[] } {
  const json = z.toJSONSchema(appConfigSchema, { io: 'input' }) as {
    properties: Record<string, { properties?: Record<string, unknown> }>
  }
  return { top: Object.keys(json.properties), platforms: Object.keys(json.properties.platforms?.properties ?? {}) }
}

describe('examples/config.yaml', () => {
  it('shows a legacy pool pinned by fingerprint and a modern pool, with secrets by env and by file', () => {
    expect(config.pools.map((p) => p.name)).toEqual(['legacy', 'modern'])
    const [legacy, modern] = config.pools
    expect(legacy?.tls).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(legacy?.password).toEqual({ env: expect.any(String) })
    expect(modern?.tls).toBe('verify')
    expect(modern?.password).toEqual({ file: expect.any(String) })
  })

  it('gives roles to people on every platform, scoped roles included', () => {
    expect(new Set(config.access.subjects.map((s) => s.platform))).toEqual(new Set(['shell', 'slack', 'discord']))
    expect(Object.values(config.access.roles).some((r) => r.pools || r.vms || r.tags)).toBe(true)
    expect(Object.values(config.access.roles).some((r) => r.permissions.includes('approve'))).toBe(true)
  })

  it('asks for approval only for commands that exist and change something', () => {
    const changing = commands.filter((c) => c.mutating).map((c) => c.path)
    const actions = Object.keys(config.approvals.actions)
    expect(actions.length).toBeGreaterThan(0)
    for (const action of actions) expect(changing).toContain(action)
  })

  it('sets every section and every chat platform the schema knows', () => {
    const data = load(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>
    const { top, platforms } = schemaKeys()
    const missing = top.filter((key) => data[key] === undefined)
    expect(missing, `examples/config.yaml does not show ${missing.join(', ')}: add them`).toEqual([])
    const platformsSet = Object.keys((data.platforms ?? {}) as Record<string, unknown>)
    const unshown = platforms.filter((p) => !platformsSet.includes(p))
    expect(
      unshown,
      `examples/config.yaml does not configure platforms ${unshown.join(', ')}: replace the placeholder`,
    ).toEqual([])
  })

  it('passes the built check-config when mounted as the image mounts it, and not without its secrets', () => {
    // The image's working directory holds config.yaml and the secret files it names relatively.
    writeFileSync(join(dir, 'config.yaml'), readFileSync(EXAMPLE))
    // Every secret the example names, the pools' and the chat platforms' alike.
    const slack = config.platforms.slack
    const refs = [
      config.pools.map((p) => p.password),
      [slack?.botToken, slack?.appToken, slack?.signingSecret, config.platforms.discord?.token],
    ]
      .flat()
      .filter((ref) => ref !== undefined)
    for (const ref of refs) {
      if ('file' in ref) {
        mkdirSync(dirname(join(dir, ref.file)), { recursive: true })
        writeFileSync(join(dir, ref.file), 'example-secret\n')
      }
    }
    const envNames = refs.flatMap((ref) => ('env' in ref ? [ref.env] : []))
    const check = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/xen-chatops.js'), 'check-config', 'config.yaml'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      })
    const ok = check(Object.fromEntries(envNames.map((name) => [name, 'example-secret'])))
    expect(ok.stdout).toBe('config.yaml: ok\n')
    expect(ok.status).toBe(0)
    const unset = check({})
    expect(unset.status).toBe(1)
    expect(unset.stdout).toContain(`pools[0].password: environment variable ${envNames[0]} is not set`)
  })
})
