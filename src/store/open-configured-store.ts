/**
 * Opens the store the configuration asks for (issue #15): PostgreSQL when `store.postgres` is set
 * (several replicas sharing one database), else SQLite in `store.dataDir` (the embedded default). The
 * URL is a secret reference, resolved here; an error names the key, never the URL.
 */
import type { AppConfig } from '../config.js'
import { resolveSecret } from '../secret-ref.js'
import { openStore, type Store } from './open-store.js'
import { openPgStore } from './pg/open-pg-store.js'

export interface OpenConfiguredStoreOptions {
  /** Overrides `store.dataDir` (the demo's temporary directory, tests); SQLite only. */
  readonly dataDir?: string | undefined
  /** The clock for audit entries' `at`. Default Date.now. */
  readonly now?: (() => number) | undefined
  /** Opens without migrating (the `audit` command); the schema must be current. */
  readonly readOnly?: boolean | undefined
  /** An idle PostgreSQL connection failed (it is replaced); for the log. */
  readonly onError?: ((error: Error) => void) | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
}

export async function openConfiguredStore(
  config: AppConfig['store'],
  options: OpenConfiguredStoreOptions = {},
): Promise<Store> {
  const postgres = config.postgres
  if (!postgres)
    return openStore({ dataDir: options.dataDir ?? config.dataDir, now: options.now, readOnly: options.readOnly })
  let url: string
  try {
    url = resolveSecret(postgres.url, options.env)
  } catch (error) {
    throw new Error(`store.postgres.url: ${(error as Error).message}`)
  }
  try {
    return await openPgStore({
      url,
      schema: postgres.schema,
      poolSize: postgres.poolSize,
      now: options.now,
      readOnly: options.readOnly,
      onError: options.onError,
    })
  } catch (error) {
    throw new Error(`store.postgres: cannot open the database: ${(error as Error).message}`, { cause: error })
  }
}
