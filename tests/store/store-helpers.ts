/**
 * Helpers for the store tests: a temporary data directory per test (removed afterwards, stores closed
 * first), builders for approvals, jobs and alerts, and a raw connection that tampers with the file the way
 * someone holding it could (dropping the append-only triggers first).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach } from 'vitest'
import type { AlertRecord } from '../../src/alerts/alert-types.js'
import type { ApprovalRecord, AuditEvent, JobRecord } from '../../src/core/store-ports.js'
import { DATABASE_FILE, type OpenStoreOptions, openStore, type Store } from '../../src/store/open-store.js'

const cleanups: (() => void)[] = []

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

/** A fresh directory under the system temp dir, removed after the test. */
export function tempDir(prefix = 'xen-chatops-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Opens a store (on a new temp dir unless one is given); closed after the test. */
export function openTestStore(options: OpenStoreOptions = {}): Store {
  const store = openStore({ dataDir: options.dataDir ?? join(tempDir(), 'data'), ...options })
  cleanups.push(() => store.close())
  return store
}

export const dbFile = (dataDir: string) => join(dataDir, DATABASE_FILE)

/** A separate connection on the same file, closed after the test. */
export function rawConnection(file: string): Database.Database {
  const db = new Database(file)
  db.pragma('busy_timeout = 5000')
  cleanups.push(() => db.close())
  return db
}

/** Runs SQL on the file through a third connection, as someone editing the file would. */
export function tamper(file: string, sql: string): void {
  const db = new Database(file)
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;')
    db.exec('DROP TRIGGER IF EXISTS audit_head_no_delete;')
    db.exec(sql)
  } finally {
    db.close()
  }
}

export const T0 = 1_700_000_000_000

export function approvalInput(
  overrides: Partial<Omit<ApprovalRecord, 'state' | 'approvals' | 'decidedBy' | 'jobId'>> = {},
): Omit<ApprovalRecord, 'state' | 'approvals' | 'decidedBy' | 'jobId'> {
  return {
    id: 'a7k2m9',
    path: 'docker restart',
    args: { vm: 'web-1', container: 'nginx-front' },
    planDigest: 'd'.repeat(64),
    planSummary: 'restart nginx-front (c81f0b54e8) in web-1',
    requesterKey: 'shell:alice',
    requesterName: 'alice',
    requesterGroups: [],
    quorum: 1,
    createdAt: T0,
    expiresAt: T0 + 300_000,
    ...overrides,
  }
}

export function jobInput(overrides: Partial<Omit<JobRecord, 'updatedAt'>> = {}): Omit<JobRecord, 'updatedAt'> {
  return {
    id: 'j1',
    state: 'running',
    path: 'docker restart',
    summary: 'restart nginx-front in web-1',
    requesterKey: 'shell:alice',
    requesterName: 'alice',
    steps: [
      { label: 'stop nginx-front', state: 'running' },
      { label: 'start nginx-front', state: 'pending' },
    ],
    createdAt: T0,
    ...overrides,
  }
}

export const approve = (actor: string, at = T0 + 1000) =>
  ({ kind: 'approve', actorKey: `shell:${actor}`, actorName: actor, at }) as const
export const deny = (actor: string, at = T0 + 1000) =>
  ({ kind: 'deny', actorKey: `shell:${actor}`, actorName: actor, at }) as const
export const cancel = (actor: string, at = T0 + 1000) =>
  ({ kind: 'cancel', actorKey: `shell:${actor}`, actorName: actor, at }) as const

export function auditEvent(n: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    kind: 'request',
    requestId: `req-${n}`,
    platform: 'shell',
    userId: 'alice',
    userName: 'alice',
    channel: 'terminal',
    data: { command: `/docker restart web-${n} nginx-front`, n },
    ...overrides,
  }
}

/** The time the alert builder's alerts are raised at. */
export const ALERT_AT = Date.UTC(2026, 0, 5, 12, 0)

/** An open container-exited alert, seen once at ALERT_AT; its key names the container unless given. */
export function alertRecord(id: string, key = `container-exited:lab/vm/${id}`): AlertRecord {
  return {
    id,
    key,
    kind: 'container-exited',
    severity: 'warning',
    state: 'open',
    subject: { pool: 'lab', vm: { uuid: 'vm', name: 'web-1', tags: [] } },
    title: `${id} exited`,
    occurrences: 1,
    changes: [ALERT_AT],
    firstAt: ALERT_AT,
    lastAt: ALERT_AT,
    notifiedAt: ALERT_AT,
  }
}
