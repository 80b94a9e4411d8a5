/**
 * From a wire method name and its parameters to a handler's answer, with xapi's checks in xapi's
 * order: the method must exist in the datamodel (MESSAGE_METHOD_UNKNOWN), the parameter count must
 * match (MESSAGE_PARAMETER_COUNT_MISMATCH), the session must be valid (SESSION_INVALID), and a
 * message the simulator does not implement says so (NOT_IMPLEMENTED) instead of pretending.
 */
import { coerceParam } from './coerce-params.js'
import type { Datamodel, MessageModel } from './datamodel.js'
import { genericHandler } from './generic-messages.js'
import type { CallContext, SimPool } from './sim-pool.js'
import type { TaskControl } from './tasks.js'
import { fault } from './xapi-fault.js'
import type { XapiType } from './xapi-type.js'

export interface CallResult {
  readonly value: unknown
  readonly type: XapiType | undefined
}

/** Messages whose trailing parameters have defaults in xapi, so shorter calls are valid. */
const MIN_PARAMS: Record<string, number> = {
  'session.login_with_password': 2,
}

const TASK_REF: XapiType = { kind: 'ref', cls: 'task' }
const STRING_SET: XapiType = { kind: 'set', of: { kind: 'string' } }

export interface ResolvedMethod {
  readonly message: MessageModel
  readonly async: boolean
}

/**
 * Accepts `VM.get_record`, `Async.VM.clone` and xapi's alternative wire names `VM_get_record`,
 * `Async_VM_clone` (Python's XenAPI uses `event_from` because `from` is a keyword). With underscores
 * the class boundary is ambiguous (`VM_guest_metrics_get_record`), so the longest class that has
 * the message wins.
 */
export function resolveMethod(model: Datamodel, wireName: string): ResolvedMethod | undefined {
  let name = wireName
  let async = false
  if (name.startsWith('Async.') || name.startsWith('Async_')) {
    async = true
    name = name.slice(6)
  }
  const dot = name.indexOf('.')
  if (dot > 0) {
    const message = model.message(name.slice(0, dot), name.slice(dot + 1))
    return message ? { message, async } : undefined
  }
  for (let i = name.lastIndexOf('_'); i > 0; i = name.lastIndexOf('_', i - 1)) {
    const message = model.message(name.slice(0, i), name.slice(i + 1))
    if (message) return { message, async }
  }
  return undefined
}

export async function dispatch(pool: SimPool, wireName: string, params: readonly unknown[]): Promise<CallResult> {
  if (wireName === 'system.listMethods') {
    return { value: listMethods(pool.model), type: STRING_SET }
  }
  const resolved = resolveMethod(pool.model, wireName)
  if (!resolved) throw fault('MESSAGE_METHOD_UNKNOWN', wireName)
  const { message, async } = resolved
  const expected = message.params.length
  const min = MIN_PARAMS[message.wireName] ?? expected
  if (params.length < min || params.length > expected) {
    throw fault('MESSAGE_PARAMETER_COUNT_MISMATCH', wireName, expected, params.length)
  }
  const sessionRef = message.takesSession ? params[0] : undefined
  if (message.takesSession) pool.sessions.assertValid(sessionRef)
  const args = params.map((value, i) => {
    const param = message.params[i]
    return param ? coerceParam(value, param.type, pool.model, param.name) : value
  })
  const handler = pool.handlers.get(message.wireName) ?? genericHandler(pool, message)
  if (!handler) throw fault('NOT_IMPLEMENTED', message.wireName)
  await pool.faults.beforeCall(message.wireName)

  const callArgs = message.takesSession ? args.slice(1) : args
  const context = (task: TaskControl | undefined): CallContext => ({
    pool,
    sessionRef: typeof sessionRef === 'string' ? sessionRef : undefined,
    message,
    progress: (fraction) => task?.progress(fraction),
    checkCancelled: () => task?.checkCancelled(),
  })
  if (async) {
    const taskRef = pool.tasks.start(message.wireName, message.result, async (task) =>
      handler(context(task), ...callArgs),
    )
    return { value: taskRef, type: TASK_REF }
  }
  return { value: await handler(context(undefined), ...callArgs), type: message.result }
}

function listMethods(model: Datamodel): string[] {
  const names = ['system.listMethods']
  for (const cls of model.classes.values()) for (const m of cls.messages.values()) names.push(m.wireName)
  return names
}
