import type { AuditEntry, AuditLog } from '../../src/core/store-ports.js'

/** Every audit entry, in seq order, as an array (the port reads them as an async iterable, in pages). */
export async function allEntries(audit: Pick<AuditLog, 'entries'>): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  for await (const entry of audit.entries()) entries.push(entry)
  return entries
}
