/**
 * Long operations on one object (a VM start, a copy) as xapi runs them: the object lists the
 * operation in `current_operations` while it runs, a second operation is refused with
 * OTHER_OPERATION_IN_PROGRESS, the enclosing task's progress moves in steps, a cancel between steps
 * abandons the operation before it changes anything, and only the last step applies the change.
 */
import { newRef, type ObjectStore } from '../object-store.js'
import type { CallContext } from '../sim-pool.js'
import { fault } from '../xapi-fault.js'

const STEPS = 4

/** VM operations xapi lets run side by side (xapi_vm_lifecycle.ml `is_allowed_concurrently`). */
const LONG_COPIES = ['clone', 'copy', 'export']

function allowedConcurrently(cls: string, op: string, current: readonly string[]): boolean {
  if (cls !== 'VM') return false
  // Several copies of one halted VM may run at once.
  if (LONG_COPIES.includes(op) && current.every((o) => LONG_COPIES.includes(o))) return true
  // A hard shutdown may interrupt anything (a stuck clean shutdown) except another hard shutdown.
  if (op === 'hard_shutdown') return !current.includes('hard_shutdown')
  return false
}

/** OTHER_OPERATION_IN_PROGRESS [class, ref, op, op ref] when `op` may not start now. */
export function assertNoConflict(store: ObjectStore, cls: string, ref: string, op: string): void {
  const current = Object.entries(store.get(cls, ref).current_operations as Record<string, string>)
  const busy = current[0]
  if (
    busy &&
    !allowedConcurrently(
      cls,
      op,
      current.map(([, o]) => o),
    )
  ) {
    throw fault('OTHER_OPERATION_IN_PROGRESS', cls, ref, busy[1], busy[0])
  }
}

export async function runOperation<T>(
  ctx: CallContext,
  cls: string,
  ref: string,
  op: string,
  simulatedSeconds: number,
  apply: () => T,
): Promise<T> {
  const { store } = ctx.pool
  assertNoConflict(store, cls, ref, op)
  // [Deviation] xapi keys the entry by the task that runs the operation (message_forwarding.ml
  // `with_vm_operation` uses Context.get_task_id), so for an Async call it is the task ref; the call
  // context does not carry the task ref, so the key is a fresh ref of its own.
  // xapi keys the operation by the task that runs it (message_forwarding.ml with_vm_operation); a
  // synchronous call has no task, so it gets a ref of its own.
  const opRef = ctx.taskRef ?? newRef()
  store.mutate(cls, ref, (r) => {
    r.current_operations = { ...(r.current_operations as object), [opRef]: op }
  })
  try {
    for (let step = 1; step <= STEPS; step++) {
      await ctx.pool.clock.sleep((simulatedSeconds * 1000) / STEPS)
      ctx.checkCancelled()
      if (step < STEPS) ctx.progress(step / STEPS)
    }
    return apply()
  } finally {
    if (store.has(cls, ref)) {
      store.mutate(cls, ref, (r) => {
        const { [opRef]: _done, ...rest } = r.current_operations as Record<string, string>
        r.current_operations = rest
      })
    }
  }
}
