/**
 * Opening the PostgreSQL store (issue #15): the connection settings and the address shown without its
 * password, and migrations run on open — once, even when replicas open a new schema together — with a
 * schema from a newer build refused.
 */
import { describe, expect, it } from 'vitest'
import { SchemaVersionError } from '../../src/store/migrations.js'
import { describePgUrl, openPgStore, pgConnectionConfig } from '../../src/store/pg/open-pg-store.js'
import { migratePg, PG_MIGRATIONS } from '../../src/store/pg/pg-migrations.js'
import {
  afterThisTest,
  describePostgres,
  freshSchema,
  openPgTestStore,
  pgClient,
  postgresUrl,
} from '../helpers/postgres.js'

describe('PostgreSQL connection settings', () => {
  it('shows the address without its password, in the URL or its query', () => {
    expect(describePgUrl('postgres://bot:s3cret@db.example:5432/ops?sslmode=require&password=x', 'xc')).toBe(
      'postgres://bot@db.example:5432/ops?sslmode=require (schema xc)',
    )
  })

  it('refuses what is not a postgres:// URL, and a schema name that would need quoting, without echoing the URL', () => {
    const problem = (url: string, schema?: string) => {
      try {
        pgConnectionConfig(url, schema, 'store')
        return 'accepted'
      } catch (error) {
        return (error as Error).message
      }
    }
    const messages = [problem('https://bot:s3cret@db/ops'), problem('bot:s3cret@db'), problem('s3cret')]
    expect(messages).toEqual([
      'the PostgreSQL URL must start with postgres:// or postgresql://',
      'the PostgreSQL URL must start with postgres:// or postgresql://',
      'the PostgreSQL URL is not a URL (expected postgres://user:password@host:5432/database)',
    ])
    expect(problem('postgres://db/ops', 'Ops; DROP')).toMatch(/"Ops; DROP" must be lower-case letters/)
    expect(problem('postgresql://bot:s3cret@db/ops', 'xc_1')).toBe('accepted')
  })

  it('starts every connection in the schema', () => {
    expect(pgConnectionConfig('postgres://db/ops', 'xc_ops', 'store')).toMatchObject({
      options: '-c search_path=xc_ops',
      application_name: 'xen-chatops store',
    })
    expect(pgConnectionConfig('postgres://db/ops', undefined, 'store')).not.toHaveProperty('options')
  })
})

describePostgres('PostgreSQL migrations', () => {
  it('a new schema gets every step, recorded once with its name; Store.path names it without a password', async () => {
    const schema = await freshSchema()
    const store = await openPgTestStore(schema)
    const { rows } = await (await pgClient(schema)).query(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    )
    expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })))
    expect(store.path).toBe(`${describePgUrl(postgresUrl)} (schema ${schema})`)
  })

  it('four replicas opening a new schema at once migrate it once, and all work', async () => {
    const schema = `${await freshSchema()}_new` // not created yet: the stores create it
    afterThisTest(async () => {
      await (await pgClient()).query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    }) // runs after the stores below are closed (cleanups run newest first)
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPgTestStore(schema)))
    const { rows } = await (await pgClient(schema)).query(
      'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
    )
    expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, n: 1 })))
    const claims = []
    for (const store of stores) claims.push(await store.interactions.claim('ev', 1))
    expect(claims).toEqual([true, false, false, false]) // one table, shared by all four
  })

  it('migrating again applies nothing; a read-only open checks the schema and writes nothing', async () => {
    const schema = await freshSchema()
    await expect(openPgStore({ url: postgresUrl, schema, readOnly: true })).rejects.toThrow(SchemaVersionError)
    await openPgTestStore(schema)
    expect(await migratePg(await pgClient(schema), schema)).toEqual([])
    const reader = await openPgTestStore(schema, { readOnly: true })
    expect(await reader.audit.verify()).toEqual({ ok: true, entries: 0 })
  })

  it('a schema from a newer build is refused, and left as it was', async () => {
    const schema = await freshSchema()
    await openPgTestStore(schema)
    const client = await pgClient(schema)
    await client.query("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)")
    await expect(openPgStore({ url: postgresUrl, schema })).rejects.toThrow(/version 999.*knows versions up to/)
    const { rows } = await client.query('SELECT count(*)::int AS n FROM schema_migrations')
    expect(rows[0]?.n).toBe(PG_MIGRATIONS.length + 1)
  })

  it('close is idempotent', async () => {
    const schema = await freshSchema()
    const store = await openPgStore({ url: postgresUrl, schema })
    await Promise.all([store.close(), store.close()])
    await store.close()
    await expect(store.jobs.get('j1')).rejects.toThrow()
  })
})
