/**
 * What the PostgreSQL stores run their SQL on: the pool (one statement on whichever connection is free,
 * or a transaction on one connection taken for it), or one connection already inside a transaction
 * (the view AlertStore.atomically hands its callback). A store written against PgDb works on both.
 */
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg'

export interface PgDb {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>
  /**
   * Runs `fn` in one transaction: a new one on the pool (COMMIT when it resolves, ROLLBACK when it
   * throws), or, on a connection already in one, that enclosing transaction. No savepoint there: in
   * PostgreSQL a failed statement aborts the whole enclosing transaction anyway, so the enclosing
   * caller's ROLLBACK undoes this part too.
   */
  transaction<T>(fn: (db: PgDb) => Promise<T>): Promise<T>
  /** Whether this is one connection inside a transaction (calls join it). */
  readonly inTransaction: boolean
}

export function poolDb(pool: Pool): PgDb {
  return {
    inTransaction: false,
    query: (text, values) => pool.query(text, values as unknown[] | undefined),
    transaction: async (fn) => {
      const client = await pool.connect()
      return inTransactionOn(client, fn)
    },
  }
}

/** Runs `fn` in a transaction on a connection taken from the pool, then gives the connection back. */
export async function inTransactionOn<T>(client: PoolClient, fn: (db: PgDb) => Promise<T>): Promise<T> {
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(clientDb(client))
    await client.query('COMMIT')
    return result
  } catch (error) {
    try {
      await client.query('ROLLBACK')
    } catch (rollback) {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      broken = rollback as Error
    }
    throw error
  } finally {
    client.release(broken)
  }
}

/** One connection inside a transaction: every call joins it. */
export function clientDb(client: PoolClient): PgDb {
  const db: PgDb = {
    inTransaction: true,
    query: (text, values) => client.query(text, values as unknown[] | undefined),
    transaction: (fn) => fn(db),
  }
  return db
}

/**
 * A BIGINT column as a JS number. node-postgres returns int8 as a string (it may exceed 2^53); the
 * columns here hold epoch milliseconds and counters, far below that, so each is converted where it is
 * read rather than by changing the int8 parser for every connection of the process.
 */
export function toNumber(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${value}`)
  return n
}

export const toOptionalNumber = (value: string | number | null): number | undefined =>
  value === null ? undefined : toNumber(value)

/** A row as node-postgres returns it: the row type R shared with SQLite, its BIGINT columns K as strings. */
export type PgRow<R, K extends keyof R> = Omit<R, K> & { [P in K]: string }

/**
 * The row with its BIGINT columns K read as numbers (toNumber), the shape the row mappers shared with
 * the SQLite store take (src/store/*-row*.ts), so each mapping is written once for both engines.
 */
export function withNumbers<P extends object, K extends keyof P>(
  row: P,
  ...columns: K[]
): { [X in keyof P]: X extends K ? number : P[X] } {
  const converted: Record<PropertyKey, unknown> = { ...(row as Record<PropertyKey, unknown>) }
  for (const column of columns) converted[column] = toNumber(row[column] as string | number)
  return converted as { [X in keyof P]: X extends K ? number : P[X] }
}
