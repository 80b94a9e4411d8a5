/**
 * Issue #15: `store.postgres` selects PostgreSQL (its URL a secret reference, since it holds the
 * password); without it the store is SQLite in `store.dataDir` as before. openConfiguredStore opens
 * whichever the configuration asks for.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, checkConfig, validateConfig } from '../../src/config.js'
import { configuredLeaderLease } from '../../src/store/open-configured-lease.js'
import { openConfiguredStore } from '../../src/store/open-configured-store.js'
import { PgLeaderLease } from '../../src/store/pg/pg-leader-lease.js'
import { afterThisTest, describePostgres, freshSchema, pgClient, postgresUrl } from '../helpers/postgres.js'
import { tempDir } from '../store/store-helpers.js'

const BASE = {
  pools: [{ name: 'lab', url: 'https://xs-master.example', password: { env: 'XEN_LAB_PASSWORD' } }],
  access: {
    roles: { operator: { permissions: ['docker.read'] } },
    subjects: [{ platform: 'shell', users: ['alice'], roles: ['operator'] }],
  },
  platforms: { shell: { user: 'alice' } },
}

function problems(store: unknown): string[] {
  try {
    validateConfig({ ...BASE, store }, 'config.yaml')
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems.map((p) => `${p.path}: ${p.message}`)
  }
}

describe('store configuration', () => {
  it('defaults to SQLite in ./data; postgres takes a secret reference, a schema and a pool size', () => {
    expect(validateConfig(BASE, 'config.yaml').store).toEqual({ dataDir: './data' })
    const store = validateConfig(
      { ...BASE, store: { postgres: { url: { env: 'XEN_CHATOPS_DATABASE_URL' }, schema: 'xen_chatops' } } },
      'config.yaml',
    ).store
    expect(store).toEqual({
      dataDir: './data',
      postgres: { url: { env: 'XEN_CHATOPS_DATABASE_URL' }, schema: 'xen_chatops', poolSize: 10 },
    })
  })

  it('refuses a URL written inline, a schema that needs quoting, and unknown keys, each at its path', () => {
    expect(problems({ postgres: { url: 'postgres://bot:s3cret@db/ops' } })).toEqual([
      'store.postgres.url: must be a secret reference, { env: NAME } or { file: path }; the secret itself never goes in this file',
    ])
    expect(problems({ postgres: { url: { env: 'DB_URL' }, schema: 'Ops' } })).toEqual([
      'store.postgres.schema: lower-case letters, digits and _, at most 63, not starting with a digit',
    ])
    expect(problems({ postgres: { url: { env: 'DB_URL' }, host: 'db' } })).toEqual([
      'store.postgres.host: unknown key; the keys here are url, schema, poolSize',
    ])
    expect(problems({ postgres: {} })).toEqual([
      'store.postgres.url: missing: a secret reference, { env: NAME } or { file: path }',
    ])
  })

  it('check-config resolves the URL reference and names the key, never the value', () => {
    const dir = tempDir()
    const path = join(dir, 'config.yaml')
    writeFileSync(
      path,
      JSON.stringify({ ...BASE, store: { postgres: { url: { env: 'XEN_CHATOPS_DATABASE_URL' } } } }), // JSON is YAML
    )
    const env = { XEN_LAB_PASSWORD: 'x' }
    expect(checkConfig(path, env)).toEqual([
      { path: 'store.postgres.url', message: 'environment variable XEN_CHATOPS_DATABASE_URL is not set' },
    ])
    expect(checkConfig(path, { ...env, XEN_CHATOPS_DATABASE_URL: 'postgres://bot:s3cret@db/ops' })).toEqual([])
  })

  it('openConfiguredStore opens SQLite in dataDir without postgres', async () => {
    const dataDir = join(tempDir(), 'data')
    const store = await openConfiguredStore({ dataDir })
    try {
      expect(store.path).toBe(join(dataDir, 'xen-chatops.db'))
      expect(await store.interactions.claim('ev', 1)).toBe(true)
    } finally {
      await store.close()
    }
  })

  it('openConfiguredStore names the key when the URL cannot be read', async () => {
    await expect(
      openConfiguredStore({ dataDir: './data', postgres: { url: { env: 'NO_SUCH_URL' }, poolSize: 2 } }, { env: {} }),
    ).rejects.toThrow('store.postgres.url: environment variable NO_SUCH_URL is not set')
  })
})

describe('configuredLeaderLease', () => {
  it('is a lease of its own for a bot on SQLite, and says which key is wrong for PostgreSQL', async () => {
    const lease = configuredLeaderLease({ dataDir: './data' }, { replicaId: 'solo' })
    expect(lease).not.toBeInstanceOf(PgLeaderLease)
    await lease.start()
    expect([lease.isLeader(), await lease.alive()]).toEqual([true, ['solo']])
    await lease.stop()
    expect(() =>
      configuredLeaderLease({ dataDir: './data', postgres: { url: { env: 'NO_SUCH_URL' }, poolSize: 2 } }, { env: {} }),
    ).toThrow('store.postgres.url: environment variable NO_SUCH_URL is not set')
  })
})

describePostgres('store configuration with PostgreSQL', () => {
  it('configuredLeaderLease leads through PostgreSQL, in the configured schema', async () => {
    const schema = await freshSchema()
    const lease = configuredLeaderLease(
      { dataDir: './unused', postgres: { url: { env: 'TEST_DB_URL' }, schema, poolSize: 2 } },
      { env: { TEST_DB_URL: postgresUrl }, replicaId: 'replica-a' },
    )
    afterThisTest(() => lease.stop())
    expect(lease).toBeInstanceOf(PgLeaderLease)
    await lease.start()
    expect([lease.isLeader(), await lease.alive()]).toEqual([true, ['replica-a']])
    const { rows } = await (await pgClient(schema)).query('SELECT holder FROM leader_lease')
    expect(rows).toEqual([{ holder: 'replica-a' }])
  })

  it('openConfiguredStore opens PostgreSQL in the schema, the URL read from the environment', async () => {
    const schema = await freshSchema()
    const store = await openConfiguredStore(
      { dataDir: './unused', postgres: { url: { env: 'TEST_DB_URL' }, schema, poolSize: 2 } },
      { env: { TEST_DB_URL: postgresUrl } },
    )
    afterThisTest(() => store.close())
    expect(store.path).toMatch(new RegExp(`\\(schema ${schema}\\)$`))
    expect(await store.interactions.claim('ev', 1)).toBe(true)
  })
})
