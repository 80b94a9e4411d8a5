/**
 * PostgreSQL for the tests (issue #15). The server comes from XEN_CHATOPS_TEST_POSTGRES_URL, checked
 * once per run by postgres-global-setup.ts; without it `describePostgres` suites skip. Each test gets
 * a fresh schema of its own in that database, dropped after the test once what it opened is closed, so
 * tests (and test files running in parallel) never see each other's rows.
 */
import { randomBytes } from 'node:crypto'
import { Client } from 'pg'
import { afterEach, describe, inject } from 'vitest'
import type { Store } from '../../src/store/open-store.js'
import { type OpenPgStoreOptions, openPgStore } from '../../src/store/pg/open-pg-store.js'

export { POSTGRES_URL_VARIABLE } from './postgres-variable.js'

/** The test server's URL, or '' when there is none. */
export const postgresUrl: string = inject('postgresUrl') ?? '' // '' too when run without the global setup
export const hasPostgres = postgresUrl !== ''

/** A describe that runs only with a reachable test PostgreSQL. */
export const describePostgres = describe.skipIf(!hasPostgres)

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  const errors: unknown[] = []
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => errors.push(error))
  if (errors.length > 0) throw errors[0]
})

/** Runs `fn` after the current test (cleanups run newest first). */
export const afterThisTest = (fn: () => Promise<void>) => cleanups.push(fn)

/** A connection of the test's own (search_path set to `schema` when given), closed after the test. */
export async function pgClient(schema?: string): Promise<Client> {
  const client = new Client({
    connectionString: postgresUrl,
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  })
  client.on('error', () => undefined)
  await client.connect()
  afterThisTest(() => client.end())
  return client
}

/** Creates a new empty schema for this test; it is dropped (with everything in it) after the test. */
export async function freshSchema(): Promise<string> {
  const schema = `xc_test_${randomBytes(6).toString('hex')}`
  const admin = new Client({ connectionString: postgresUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE SCHEMA ${schema}`)
  } finally {
    await admin.end()
  }
  afterThisTest(async () => {
    const dropper = new Client({ connectionString: postgresUrl })
    await dropper.connect()
    try {
      await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    } finally {
      await dropper.end()
    }
  })
  return schema
}

/** Opens a PostgreSQL store in `schema`; closed after the test (before the schema is dropped). */
export async function openPgTestStore(
  schema: string,
  options: Omit<OpenPgStoreOptions, 'url' | 'schema'> = {},
): Promise<Store> {
  const store = await openPgStore({ url: postgresUrl, schema, ...options })
  afterThisTest(() => store.close())
  return store
}
