/**
 * What the dispatcher is built with, and what an adapter hands it per platform event.
 */
import type { Log } from '../log.js'
import type { AccessPolicy } from './access.js'
import type { Actor, AnyCommand } from './command.js'
import type { DispatchObserver } from './dispatch-observe.js'
import type { DockerSetup } from './docker-setup-port.js'
import type { Doctor } from './doctor-port.js'
import type { Governance } from './governance.js'
import type { DockerBackend, Inventory, VmSummary } from './ports.js'
import type { PressHandler } from './press-handler.js'
import type { Provisioning } from './provision-port.js'
import type { StatusSink } from './status-coalescer.js'
import type { ApprovalRecord, JobRecord } from './store-ports.js'
import type { Suggestions } from './suggestions.js'

export interface Invocation {
  readonly actor: Actor
  /** The chat text, with or without the leading slash: `/docker ps web-1 --all`. */
  readonly text: string
  /**
   * Where live status cards go for this invocation (the adapter edits one message), and where that
   * message is once posted (`where`, kept with a job: issue #15).
   */
  readonly status?: StatusSink | undefined
  /**
   * The platform's id for this event (Slack's trigger / action ts, Discord's interaction id): the same
   * id seen twice is a redelivery, answered without running anything.
   */
  readonly interactionId?: string | undefined
}

export interface DispatcherOptions {
  readonly commands: readonly AnyCommand[]
  readonly access: AccessPolicy
  readonly inventory: Inventory
  readonly docker: (vm: VmSummary) => DockerBackend
  readonly log: Log
  /** How long a confirm button stays valid (default 5 minutes). */
  readonly confirmTtlMs?: number | undefined
  /** How long an opened form (and a secret typed into it) stays valid (default 30 minutes). */
  readonly formTtlMs?: number | undefined
  /** Approvals, jobs and audit (issue #6). Without it, mutating commands run directly after any confirm. */
  readonly governance?: Governance | undefined
  readonly records?:
    | {
        recentJobs(actorKey: string): Promise<readonly JobRecord[]>
        pendingApprovals(): Promise<readonly ApprovalRecord[]>
      }
    | undefined
  readonly now?: (() => number) | undefined
  /** `/xen doctor`'s probes (src/xen/doctor.ts). */
  readonly doctor?: Doctor | undefined
  /** `/docker enable|disable`, `/xen key|trust` (src/xen/ssh). */
  readonly dockerSetup?: DockerSetup | undefined
  /** New Docker-ready VMs (`/coreos create`, src/xen/provision/). */
  readonly provisioning?: Provisioning | undefined
  /** How long a button that runs a command (`docker ps` under a new VM) stays valid (default 24 hours). */
  readonly buttonTtlMs?: number | undefined
  /** Ranked, scope-filtered names for "did you mean" and completion. */
  readonly suggestions?: Suggestions | undefined
  /** Told how each command ended and how long the answer took (metrics, issue #12); never throws into a command. */
  readonly observer?: DispatchObserver | undefined
  /** Other buttons' owners (issue #11: alert buttons), asked after approval votes and before confirmations. */
  readonly presses?: readonly PressHandler[] | undefined
}
