/**
 * A command is plain data plus functions (style rule 1): its path (`docker ps`), a summary that is
 * also its help, a zod schema for its arguments, the permission it needs, and two steps — `plan`
 * resolves the exact targets (so access is checked against the real VM, and a confirmation binds to
 * what will actually happen) and `run` does it. The dispatcher owns everything in between.
 */
import type { z } from 'zod'
import type { Log } from '../log.js'
import type { DockerSetup } from './docker-setup-port.js'
import type { Doctor } from './doctor-port.js'
import type { DockerBackend, Inventory, VmSummary } from './ports.js'
import type { Provisioning } from './provision-port.js'
import type { Action, FormSpec, Reply } from './reply.js'
import type { StatusSink } from './status-coalescer.js'
import type { ApprovalRecord, JobRecord } from './store-ports.js'
import type { Suggestions } from './suggestions.js'

export const PERMISSIONS = [
  'docker.read',
  'docker.operate',
  'docker.admin',
  'vm.create',
  'xen.read',
  'approve',
] as const
export type Permission = (typeof PERMISSIONS)[number]

/**
 * Not a permission but the absence of one, for the only kind of command everyone may run: help, which
 * shows nothing beyond what the asker may run. Deny-by-default holds for everything else: no role can
 * hold it (it is not in PERMISSIONS), and the dispatcher refuses to register a mutating command with it.
 */
export const ANYONE = 'anyone'
export type CommandPermission = Permission | typeof ANYONE

/** Who is asking, as the adapter identifies them. */
export interface Actor {
  readonly platform: string
  readonly id: string
  /** Display name, for replies and the audit log. */
  readonly name: string
  /** Platform groups or roles the adapter knows (Slack user groups, Discord roles). */
  readonly groups?: readonly string[] | undefined
}

/** What a command acts on, for scoped permissions: the pool, and the VM when there is one. */
export interface Target {
  readonly pool: string
  readonly vm?: { readonly name: string; readonly tags: readonly string[] } | undefined
}

export interface Plan {
  readonly target?: Target | undefined
  /** One line saying what will happen, shown on confirmation cards: "restart nginx-front in web-1". */
  readonly summary?: string | undefined
}

export interface CommandRecords {
  /** The asker's recent jobs, newest first. */
  recentJobs(): Promise<readonly JobRecord[]>
  /** Requests waiting for an approval. */
  pendingApprovals(): Promise<readonly ApprovalRecord[]>
}

export interface CommandContext {
  readonly actor: Actor
  readonly requestId: string
  readonly log: Log
  readonly inventory: Inventory
  /** The Docker backend serving a VM (UserError when none does). */
  docker(vm: VmSummary): DockerBackend
  /** Live status: the adapter shows the card and edits it in place on later calls (see StatusSink). */
  readonly status: StatusSink
  /** The commands this actor may run, for help. */
  visibleCommands(): readonly AnyCommand[]
  /** Whether the actor holds `permission` on `target`: listings show only what the actor may see. */
  allows(permission: Permission, target: Target): boolean
  /**
   * Throws the standard denial unless the actor holds `permission` on `target`. For plans that must
   * look inside a VM (its containers) before they can finish: the dispatcher's own check on the target
   * comes after the plan, too late to keep a "no such container" answer from listing what is inside.
   */
  require(permission: Permission, target: Target): void
  /**
   * One named step of a mutating command: inside a job it is audited, shown on the live card and
   * stored; outside one it simply runs. `progress` sets the step's detail while it runs (a task's
   * percentage); the last detail stays on the card once the step is done.
   */
  step<T>(label: string, fn: (progress: (detail: string) => void) => Promise<T>): Promise<T>
  /** The job running this command, when it runs as one. */
  readonly jobId?: string | undefined
  /** Durable records the `/xen jobs` and `/xen approvals` commands read; absent without a store. */
  readonly records?: CommandRecords | undefined
  /** Names the actor may mean (completion, "did you mean"), scoped to what the actor may read. */
  readonly suggest?: Suggestions | undefined
  /** The pools' health check (`/xen doctor`); absent when the bot was built without it. */
  readonly doctor?: Doctor | undefined
  /** Making VMs Docker-managed and the bot's SSH trust; absent when the bot was built without SSH. */
  readonly dockerSetup?: DockerSetup | undefined
  /** New Docker-ready VMs (`/coreos create`); absent when the bot was built without it. */
  readonly provisioning?: Provisioning | undefined
  /**
   * A button that runs `line` (`/docker ps <uuid>`) when pressed, as whoever presses it: their rights,
   * the approval policy and the audit apply as if they had typed the line.
   */
  button(label: string, line: string, style?: Action['style']): Action
  /**
   * The value behind a secret form input's handle, once (a second read, an expired value or a restart
   * since the form was submitted is a UserError saying to run the command again).
   */
  secret(handle: string): string
}

export interface CommandDefinition<Args extends z.ZodObject, P extends Plan> {
  /** Words after the slash: `docker ps`. The first word is the chat command (`/docker`). */
  readonly path: string
  readonly summary: string
  readonly args: Args
  /** Argument names filled by position, in order (`/docker ps web-1` → vm). */
  readonly positional?: readonly (keyof z.infer<Args> & string)[] | undefined
  readonly permission: CommandPermission
  /** Changes something: audited, and asks for confirmation when `confirm` is set. */
  readonly mutating: boolean
  /** Ask the user to press Confirm before running (destructive actions, until approvals land). */
  readonly confirm?: boolean | undefined
  readonly examples?: readonly string[] | undefined
  /**
   * Asks for the arguments with a form (a modal) when they are missing or invalid: `given` holds what was
   * typed with the command, to prefill. Submitted values are validated by `args`; input ids are arg names.
   */
  readonly form?:
    | ((ctx: CommandContext, given: Readonly<Record<string, unknown>>) => FormSpec | Promise<FormSpec>)
    | undefined
  /** Step labels a job shows as pending from the start (mutating commands). */
  readonly steps?: ((plan: P) => readonly string[]) | undefined
  plan(ctx: CommandContext, args: z.infer<Args>): P | Promise<P>
  run(ctx: CommandContext, args: z.infer<Args>, plan: P): Promise<Reply>
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds commands of every argument shape.
export type AnyCommand = CommandDefinition<any, any>

/** Identity function that lets TypeScript infer `run`'s argument types from the schema. */
export function defineCommand<Args extends z.ZodObject, P extends Plan>(
  command: CommandDefinition<Args, P>,
): CommandDefinition<Args, P> {
  return command
}
