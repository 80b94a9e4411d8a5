/**
 * The doctor port (issue #12): a health check of every configured pool, as platform-neutral data.
 * Implemented in src/xen/doctor.ts; `/xen doctor` renders it. Each line is a check with a state: `ok`,
 * `problem` (something to fix, with the fix, and the exact command where one exists) or `info` (worth
 * knowing, nothing to do).
 */
import type { PoolStatus } from './ports.js'

export type CheckState = 'ok' | 'problem' | 'info'

export interface DoctorCheck {
  /** What was checked: `pool`, a host name, a VM name. */
  readonly subject: string
  /** Which check: `connection`, `xscontainer pack`, `templates`, `backend`… */
  readonly check: string
  readonly state: CheckState
  /** What was found, in words. */
  readonly detail: string
  /** For problems: what to do, with the exact command where there is one. */
  readonly fix?: string | undefined
  /** For checks about a VM: the VM as access rules see it, so listings show only what the asker may see. */
  readonly vm?: { readonly name: string; readonly tags: readonly string[] } | undefined
}

export interface DoctorPoolReport {
  readonly pool: string
  readonly state: PoolStatus['state']
  readonly reason?: string | undefined
  /** The pool master's name, when connected. */
  readonly master?: string | undefined
  readonly checks: readonly DoctorCheck[]
}

export interface DoctorReport {
  readonly pools: readonly DoctorPoolReport[]
}

export interface Doctor {
  /** Checks every pool, or only `pool`; probes run concurrently, each bounded by its own timeout. */
  run(options: { readonly pool?: string | undefined }): Promise<DoctorReport>
}

/** How many problems a report (or one pool of it) holds. */
export const problemCount = (pools: readonly DoctorPoolReport[]) =>
  pools.reduce((n, p) => n + p.checks.filter((c) => c.state === 'problem').length, 0)
