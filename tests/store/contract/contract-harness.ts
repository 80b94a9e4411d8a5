/**
 * What the store contract suite (store-contract.ts) needs from an engine: a fresh database per test,
 * Stores opened on it (two Stores on one database stand for two replicas), and raw SQL on it — plain,
 * or with the audit log's append-only guards bypassed, as someone holding the database could. The SQL
 * the suite passes is portable between SQLite and PostgreSQL (plain UPDATE, DELETE, INSERT, SELECT).
 */
import type { Store } from '../../../src/store/open-store.js'

export interface ContractHarness {
  /** Opens another Store on this test's database; the harness closes it after the test. */
  open(options?: { readonly now?: (() => number) | undefined }): Promise<Store>
  /** Runs SQL through a connection of its own, as the application's user; returns the rows of a SELECT. */
  raw(sql: string): Promise<Record<string, unknown>[]>
  /** Runs SQL with the audit tables' triggers out of the way (tampering with the database). */
  tamper(sql: string): Promise<void>
}

/** Called once per test: a new, empty database and the means to reach it. */
export type OpenHarness = () => Promise<ContractHarness>

export interface ContractOptions {
  /**
   * Whether Stores on one database may run `atomically` at the same time, as replicas do. SQLite serves
   * one process: its transaction holds the file's write lock while the callback awaits, and a second
   * connection in the same process would block the event loop waiting for it.
   */
  readonly replicas: boolean
}
