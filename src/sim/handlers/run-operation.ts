/**
 * Long operations on one object (a VM start, a copy) as xapi runs them: the object lists the
 * operation in `current_operations` while it runs, a second operation is refused with
 * OTHER_OPERATION_IN_PROGRESS, the enclosing task's progress moves in steps, a cancel between steps
 * abandons the operation before it changes anything, and only the last step applies the change.
 */
import { newRef } from '../object-store.js'
import type { CallContext } from '../sim-pool.js'
import { fault } from '../xapi-fault.js'

const STEPS = 4

export async function runOperation<T>(
  ctx: CallContext,
  cls: string,
  ref: string,
  op: string,
  simulatedSeconds: number,
  apply: () => T,
): Promise<T> {
  const { store } = ctx.pool
  const current = store.get(cls, ref).current_operations as Record<string, string>
  const busy = Object.entries(current)[0]
  if (busy) throw fault('OTHER_OPERATION_IN_PROGRESS', cls, ref, busy[1], busy[0])
  const opRef = newRef()
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
