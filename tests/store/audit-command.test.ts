/** `xen-chatops audit verify|export`, through runAuditCommand with captured output. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { runAuditCommand } from '../../src/audit-command.js'
import { canonicalJson, GENESIS_HASH, hashEntry } from '../../src/store/audit-chain.js'
import { openStore } from '../../src/store/open-store.js'
import { describePostgres, freshSchema, openPgTestStore, postgresUrl } from '../helpers/postgres.js'
import { auditEvent, dbFile, T0, tamper, tempDir } from './store-helpers.js'

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

async function run(args: string[]) {
  const stdout = capture()
  const stderr = capture()
  const code = await runAuditCommand(args, { stdout: stdout.stream, stderr: stderr.stream })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

/** A data directory whose log holds n entries. */
async function dataDirWith(n: number): Promise<string> {
  const dataDir = join(tempDir(), 'data')
  let tick = T0
  const store = openStore({ dataDir, now: () => tick++ })
  for (let i = 1; i <= n; i++) await store.audit.append(auditEvent(i, { data: { n: i, password: 'hunter2' } }))
  await store.close()
  return dataDir
}

const cwd = process.cwd()
afterEach(() => process.chdir(cwd))

describe('audit verify', () => {
  it('prints the entry count and exits 0 for an intact log', async () => {
    const dataDir = await dataDirWith(4)
    expect(await run(['verify', '--data-dir', dataDir])).toEqual({
      code: 0,
      stdout: 'audit log ok: 4 entries\n',
      stderr: '',
    })
  })

  it('names the first broken entry and exits 1', async () => {
    const dataDir = await dataDirWith(4)
    tamper(dbFile(dataDir), 'DELETE FROM audit_log WHERE seq = 2')
    expect(await run(['verify', '--data-dir', dataDir])).toEqual({
      code: 1,
      stdout:
        'audit log broken at entry 3: deleted — entry 2 is missing (entry 3 links to a hash no stored entry has)\n',
      stderr: '',
    })
  })

  it('reads ./data by default', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'data'))
    const store = openStore({ dataDir: join(dir, 'data') })
    await store.audit.append(auditEvent(1))
    await store.close()
    process.chdir(dir)
    expect(await run(['verify'])).toMatchObject({ code: 0, stdout: 'audit log ok: 1 entries\n' })
  })

  it('a missing database is an error (exit 1) and nothing is created', async () => {
    const dataDir = join(tempDir(), 'nothing-here')
    expect(await run(['verify', '--data-dir', dataDir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `xen-chatops audit verify: no database at ${dbFile(dataDir)}\n`,
    })
  })
})

describe('audit export', () => {
  it('writes one JSON object per line that re-hashes and chains, and the last hash on stderr', async () => {
    const dataDir = await dataDirWith(3)
    const { code, stdout, stderr } = await run(['export', '--jsonl', '--data-dir', dataDir])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    const entries = lines.map((line) => JSON.parse(line) as Parameters<typeof hashEntry>[0] & { hash: string })
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(entries[0]).toMatchObject({ kind: 'request', at: T0, data: { n: 1, password: '[redacted]' } })
    let prev = GENESIS_HASH
    for (const entry of entries) {
      const { hash, ...rest } = entry
      expect(rest.prevHash).toBe(prev)
      expect(hashEntry(rest)).toBe(hash)
      prev = hash
    }
    expect(stderr).toBe(`exported 3 entries; last hash ${prev}\n`)
    expect(canonicalJson(entries[2]?.data)).toBe('{"n":3,"password":"[redacted]"}')
  })

  it('an empty log exports nothing', async () => {
    expect(await run(['export', '--jsonl', '--data-dir', await dataDirWith(0)])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'exported 0 entries\n',
    })
  })
})

describe('audit usage errors', () => {
  it.each([
    [['export'], 'xen-chatops audit export: say the format: --jsonl (the only one for now)\n'],
    [['verify', '--jsonl'], 'xen-chatops audit verify: --jsonl is an export option\n'],
    [['verify', '--data'], /^xen-chatops audit verify: Unknown option '--data'/],
    [['frob'], /^xen-chatops audit: unknown command "frob"\n\nusage: xen-chatops audit/],
    [[], /^usage: xen-chatops audit <command>/],
  ])('GIVEN %j THEN exit 2 and say why', async (args, message) => {
    const result = await run(args)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    if (typeof message === 'string') expect(result.stderr).toBe(message)
    else expect(result.stderr).toMatch(message)
  })
})

describePostgres('audit verify --config (several replicas on PostgreSQL)', () => {
  it("opens the store the bot's config names and checks that chain", async () => {
    const schema = await freshSchema()
    const store = await openPgTestStore(schema)
    for (let i = 1; i <= 3; i++) await store.audit.append(auditEvent(i))
    const dir = tempDir()
    // The URL as the bot reads it: a secret reference, here a file.
    writeFileSync(join(dir, 'db-url'), `${postgresUrl}\n`)
    const config = join(dir, 'config.yaml')
    writeFileSync(
      config,
      [
        'pools:',
        '  - { name: lab, url: "https://127.0.0.1:1", username: root, password: { env: UNUSED } }',
        'platforms: { shell: { user: alice } }',
        'access:',
        '  roles: { viewer: { permissions: [xen.read] } }',
        '  subjects: [{ platform: shell, users: [alice], roles: [viewer] }]',
        `store: { postgres: { url: { file: ${join(dir, 'db-url')} }, schema: ${schema} } }`,
        '',
      ].join('\n'),
    )
    expect(await run(['verify', '--config', config])).toEqual({
      code: 0,
      stdout: 'audit log ok: 3 entries\n',
      stderr: '',
    })
    expect((await run(['verify', '--config', config, '--data-dir', dir])).code).toBe(2)
  })
})
