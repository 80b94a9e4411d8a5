/**
 * Vitest's global setup (vitest.config.ts): looks once per run for the PostgreSQL the store tests may
 * use, and tells every test file through `inject('postgresUrl')` (empty when there is none). Without
 * one, the PostgreSQL suites skip and this prints the single line that says how to enable them, unless
 * XEN_CHATOPS_REQUIRE_POSTGRES is set (CI), which makes a missing server an error.
 */
import { Client } from 'pg'
import type { TestProject } from 'vitest/node'
import { POSTGRES_URL_VARIABLE } from './postgres-variable.js'

/** Connects and asks for the version: a server that is set but down is reported, not waited for. */
async function probe(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return `${POSTGRES_URL_VARIABLE} is set but PostgreSQL is not reachable there (${(error as Error).message})`
  } finally {
    await client.end().catch(() => undefined)
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const url = process.env[POSTGRES_URL_VARIABLE] ?? ''
  const problem = url === '' ? `${POSTGRES_URL_VARIABLE} is not set` : await probe(url)
  // CI (.ci/run) starts a server and requires it: there a skip would hide that nothing ran.
  if (problem && process.env.XEN_CHATOPS_REQUIRE_POSTGRES)
    throw new Error(`XEN_CHATOPS_REQUIRE_POSTGRES is set but ${problem}`)
  if (problem)
    console.log(
      `PostgreSQL store tests skipped: ${problem}; set it to a throwaway server's URL (scripts/ci-postgres.sh starts one)`,
    )
  project.provide('postgresUrl', problem ? '' : url)
}
