/**
 * `Async.*` calls: each creates a `task` record at once and completes it in the background, as xapi
 * does. The result is stored as an XML-RPC `<value>` string even for JSON-RPC clients (xen-api parses
 * it that way and stalls if it is not), and failures land in `error_info`.
 */
import type { Datamodel } from './datamodel.js'
import type { FaultController } from './faults.js'
import type { ObjectStore } from './object-store.js'
import { fault, XapiFault } from './xapi-fault.js'
import { toXapiDate } from './xapi-time.js'
import type { XapiType } from './xapi-type.js'
import { encodeTaskResult } from './xmlrpc-encode.js'

export interface TaskControl {
  readonly ref: string
  /** Moves the task's `progress` (0..1): clients watching the task see it advance. */
  progress(fraction: number): void
  /** Throws TASK_CANCELLED once `task.cancel` was called; long operations call it between steps. */
  checkCancelled(): void
}

export class TaskRunner {
  readonly #store: ObjectStore
  readonly #model: Datamodel
  readonly #faults: FaultController
  readonly #now: () => number
  readonly #hostRef: () => string
  readonly #cancelled = new Set<string>()
  readonly #running = new Set<Promise<void>>()

  constructor(store: ObjectStore, model: Datamodel, faults: FaultController, now: () => number, hostRef: () => string) {
    this.#store = store
    this.#model = model
    this.#faults = faults
    this.#now = now
    this.#hostRef = hostRef
  }

  /** Creates a pending task for `kind` (e.g. `VM.clone`) and runs `work` in the background. */
  start(kind: string, resultType: XapiType, work: (task: TaskControl) => Promise<unknown>): string {
    const ref = this.create(`Async.${kind}`, '')
    this.#store.update('task', ref, { allowed_operations: ['cancel'] })
    const control: TaskControl = {
      ref,
      progress: (fraction) => {
        if (this.#store.has('task', ref)) this.#store.update('task', ref, { progress: clamp(fraction) })
      },
      checkCancelled: () => {
        if (this.#cancelled.has(ref)) throw fault('TASK_CANCELLED', ref)
      },
    }
    const injected = this.#faults.takeTaskFailure(kind)
    const run = (async () => {
      try {
        if (injected) throw new XapiFault(injected[0] ?? 'INTERNAL_ERROR', injected.slice(1))
        const value = await work(control)
        this.#finish(ref, 'success', { result: encodeTaskResult(value, resultType, this.#model) })
      } catch (error) {
        const f = error instanceof XapiFault ? error : new XapiFault('INTERNAL_ERROR', [String(error)])
        this.#finish(ref, f.code === 'TASK_CANCELLED' ? 'cancelled' : 'failure', { error_info: f.errorDescription })
      }
    })()
    this.#running.add(run)
    void run.finally(() => this.#running.delete(run))
    return ref
  }

  /** `task.create(label, description)`: a task a client drives itself (xen-api's createTask). */
  create(label: string, description: string): string {
    return this.#store.create('task', {
      name_label: label,
      name_description: description,
      status: 'pending',
      progress: 0,
      created: toXapiDate(this.#now()),
      resident_on: this.#hostRef(),
    })
  }

  cancel(ref: string): void {
    const task = this.#store.get('task', ref)
    if (task.status !== 'pending') return
    this.#cancelled.add(ref)
    this.#store.update('task', ref, { status: 'cancelling' })
  }

  destroy(ref: string): void {
    this.#store.get('task', ref)
    this.#cancelled.delete(ref)
    this.#store.destroy('task', ref)
  }

  /** Waits for tasks still running (used by a clean shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#running])
  }

  #finish(ref: string, status: string, fields: Record<string, unknown>): void {
    this.#cancelled.delete(ref)
    // The client may have destroyed the task already; its outcome then has nowhere to go.
    if (!this.#store.has('task', ref)) return
    this.#store.update('task', ref, {
      ...fields,
      status,
      progress: 1,
      finished: toXapiDate(this.#now()),
      allowed_operations: [],
    })
  }
}

const clamp = (x: number) => Math.min(1, Math.max(0, x))
