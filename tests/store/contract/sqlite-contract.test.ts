/**
 * The store contract on SQLite: each test on a new database file in a temporary directory (a file, not
 * `:memory:`, so that two Stores can open the same database). `tamper` drops the append-only triggers
 * through a connection of its own, as someone holding the file could.
 */
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { openStore } from '../../../src/store/open-store.js'
import { dbFile, rawConnection, tamper, tempDir } from '../store-helpers.js'
import { describeStoreContract } from './store-contract.js'

const opened: { close(): unknown }[] = []
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close()
})

describeStoreContract(
  'SQLite',
  async () => {
    const dataDir = join(tempDir(), 'data')
    return {
      open: async (options = {}) => {
        const store = await openStore({ dataDir, ...options })
        opened.push(store)
        return store
      },
      raw: async (sql) => {
        const statement = rawConnection(dbFile(dataDir)).prepare(sql)
        if (statement.reader) return statement.all() as Record<string, unknown>[]
        statement.run()
        return []
      },
      tamper: async (sql) => tamper(dbFile(dataDir), sql),
    }
  },
  { replicas: false },
)
