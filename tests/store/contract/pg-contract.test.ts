/**
 * The store contract on PostgreSQL: each test in a fresh schema of the test server
 * (XEN_CHATOPS_TEST_POSTGRES_URL; skipped without one). `tamper` disables the audit tables' triggers
 * for its statements, as the tables' owner could.
 */
import { freshSchema, hasPostgres, openPgTestStore, pgClient } from '../../helpers/postgres.js'
import { describeStoreContract } from './store-contract.js'

describeStoreContract(
  'PostgreSQL',
  async () => {
    const schema = await freshSchema()
    return {
      open: (options = {}) => openPgTestStore(schema, options),
      raw: async (sql) => (await (await pgClient(schema)).query(sql)).rows,
      tamper: async (sql) => {
        const client = await pgClient(schema)
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_head DISABLE TRIGGER USER')
        await client.query(sql)
        await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER; ALTER TABLE audit_head ENABLE TRIGGER USER')
      },
    }
  },
  { replicas: true, skip: !hasPostgres },
)
