/**
 * `xen-chatops audit verify|export`: checks the audit chain of a data directory, or writes it out as
 * JSON lines for another tool to keep or re-check. Opens the database read-only, so it can run beside
 * the bot and never creates or migrates anything.
 */
import type { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { loadConfig } from './config.js'
import { openConfiguredStore } from './store/open-configured-store.js'
import { openStore, type Store } from './store/open-store.js'

export const AUDIT_USAGE = `usage: xen-chatops audit <command> [options]

commands:
  verify [--data-dir <dir> | --config <file>]
      check the audit log's hash chain; exit 1 and name the first broken entry if it is not intact
  export --jsonl [--data-dir <dir> | --config <file>]
      write every audit entry as one JSON object per line (the last hash goes to standard error)

--data-dir defaults to ./data; --config reads the bot's config file and opens its store (store.postgres
when several replicas share one PostgreSQL, else store.dataDir)
`

export interface AuditCommandIo {
  readonly stdout: Writable
  readonly stderr: Writable
}

/** Writes, waiting for 'drain' when the stream's buffer is full (an export can be large). */
function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    stream.once('error', onError)
    const done = () => {
      stream.off('error', onError)
      resolve()
    }
    if (stream.write(text)) done()
    else stream.once('drain', done)
  })
}

export async function runAuditCommand(args: string[], io: AuditCommandIo): Promise<number> {
  const [command, ...rest] = args
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    await write(command === undefined ? io.stderr : io.stdout, AUDIT_USAGE)
    return command === undefined ? 2 : 0
  }
  if (command !== 'verify' && command !== 'export') {
    await write(io.stderr, `xen-chatops audit: unknown command "${command}"\n\n${AUDIT_USAGE}`)
    return 2
  }
  let values: { 'data-dir'?: string | undefined; config?: string | undefined; jsonl?: boolean | undefined }
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      options: { 'data-dir': { type: 'string' }, config: { type: 'string' }, jsonl: { type: 'boolean' } },
    }).values
    if (values['data-dir'] !== undefined && values.config !== undefined)
      throw new Error('give --data-dir or --config, not both')
  } catch (error) {
    await write(io.stderr, `xen-chatops audit ${command}: ${(error as Error).message}\n`)
    return 2
  }
  if (command === 'export' && values.jsonl !== true) {
    await write(io.stderr, 'xen-chatops audit export: say the format: --jsonl (the only one for now)\n')
    return 2
  }
  if (command === 'verify' && values.jsonl !== undefined) {
    await write(io.stderr, 'xen-chatops audit verify: --jsonl is an export option\n')
    return 2
  }
  let store: Store
  try {
    store = values.config
      ? await openConfiguredStore(loadConfig(values.config).store, { readOnly: true })
      : openStore({ dataDir: values['data-dir'] ?? 'data', readOnly: true })
  } catch (error) {
    await write(io.stderr, `xen-chatops audit ${command}: ${(error as Error).message}\n`)
    return 1
  }
  try {
    return command === 'verify' ? await verify(store, io) : await exportJsonl(store, io)
  } catch (error) {
    await write(io.stderr, `xen-chatops audit ${command}: ${(error as Error).message}\n`)
    return 1
  } finally {
    await store.close()
  }
}

async function verify(store: Store, io: AuditCommandIo): Promise<number> {
  const verdict = await store.audit.verify()
  if (verdict.ok) {
    await write(io.stdout, `audit log ok: ${verdict.entries} entries\n`)
    return 0
  }
  await write(io.stdout, `audit log broken at entry ${verdict.seq}: ${verdict.problem} — ${verdict.message}\n`)
  return 1
}

async function exportJsonl(store: Store, io: AuditCommandIo): Promise<number> {
  let count = 0
  let last: string | undefined
  for await (const entry of store.audit.entries()) {
    await write(io.stdout, `${JSON.stringify(entry)}\n`)
    count++
    last = entry.hash
  }
  await write(io.stderr, `exported ${count} entries${last ? `; last hash ${last}` : ''}\n`)
  return 0
}
