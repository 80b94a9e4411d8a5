/**
 * `event.from(classes, token, timeout)` and `event.inject(class, ref)` with xapi's semantics:
 * tokens `%020d,%020d`, an empty token meaning "from the beginning", subscriptions `vm`, `VM`, `*`
 * and `vm/OpaqueRef:…`, a long poll that returns as soon as something matches, one coalesced event
 * per object, `del` without a snapshot, and `valid_ref_counts` for every subscribed class (xen-api
 * compares the `task` count with its own cache and crashes its event loop when the key is missing).
 */
import type { SimPool } from './sim-pool.js'
import { fault } from './xapi-fault.js'

interface Subscription {
  readonly all: boolean
  readonly classes: ReadonlySet<string>
  readonly refs: ReadonlySet<string>
}

export function formatToken(generation: number): string {
  return `${String(generation).padStart(20, '0')},${'0'.padStart(20, '0')}`
}

export function parseToken(token: string): number {
  if (token === '') return 0
  // xapi's Token.of_string splits on ',' and wants exactly two integers: a bare "123" is rejected.
  const match = /^(\d+),(\d+)$/.exec(token)
  if (!match?.[1]) throw fault('EVENT_FROM_TOKEN_PARSE_FAILURE', token)
  return Number(match[1])
}

function parseSubscriptions(pool: SimPool, specs: readonly string[]): Subscription {
  const classes = new Set<string>()
  const refs = new Set<string>()
  let all = false
  for (const spec of specs) {
    if (spec === '*') {
      all = true
      continue
    }
    const [clsName, ref] = spec.split('/', 2)
    const cls = pool.model.findClass(clsName ?? '')
    // [Deviation] xapi's Subscription.of_string accepts any class name (it only lower-cases it) and
    // such a subscription simply never matches; the simulator rejects names the datamodel does not
    // know, so a misspelt subscription fails loudly instead of waiting for events that never come.
    if (!cls) throw fault('EVENT_SUBSCRIPTION_PARSE_FAILURE', spec)
    if (ref) refs.add(ref)
    else classes.add(cls.name)
    // The class of a single-object subscription is still counted in valid_ref_counts.
    if (ref) classes.add(cls.name)
  }
  return { all, classes, refs: refs }
}

function matches(sub: Subscription, cls: string, ref: string, classWide: ReadonlySet<string>): boolean {
  return sub.all || classWide.has(cls) || sub.refs.has(ref)
}

export async function eventFrom(
  pool: SimPool,
  sessionRef: string,
  specs: readonly string[],
  token: string,
  timeoutSeconds: number,
): Promise<unknown> {
  const sub = parseSubscriptions(pool, specs)
  // Classes subscribed as a whole (not only through `cls/ref`).
  const classWide = new Set(
    specs.filter((s) => !s.includes('/') && s !== '*').map((s) => pool.model.findClass(s)?.name ?? s),
  )
  const since = parseToken(token)
  if (pool.faults.takeEventsLost() || (since > 0 && since < pool.events.horizon)) throw fault('EVENTS_LOST')
  const deadline = Date.now() + Math.max(0, timeoutSeconds) * 1000

  for (;;) {
    pool.sessions.assertValid(sessionRef)
    const events = []
    for (const change of pool.events.changesSince(since)) {
      if (!matches(sub, change.cls, change.ref, classWide)) continue
      events.push({
        // xapi's event record has `id: string` (xapi-types/event_types.ml): the generation as text.
        id: String(change.changedGen),
        // [UNVERIFIED] xapi sends the event time as seconds with a fraction; no client we know reads it.
        timestamp: (change.timestamp / 1000).toFixed(6),
        class: change.cls.toLowerCase(),
        operation: change.op,
        ref: change.ref,
        ...(change.op === 'del' ? {} : { snapshot: pool.store.snapshot(change.cls, change.ref) }),
      })
    }
    const remaining = deadline - Date.now()
    if (events.length > 0 || remaining <= 0) {
      return { events, valid_ref_counts: refCounts(pool, sub), token: formatToken(pool.events.generation) }
    }
    await waitForChange(pool, remaining)
  }
}

function refCounts(pool: SimPool, sub: Subscription): Record<string, number> {
  const names = sub.all ? [...pool.model.classes.values()].filter((c) => c.listable).map((c) => c.name) : sub.classes
  return Object.fromEntries([...names].map((name) => [name.toLowerCase(), pool.store.count(name)]))
}

/** Resolves on the next change of any object (sessions included, so a logout wakes its poll) or at the timeout. */
function waitForChange(pool: SimPool, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    const unsubscribe = pool.events.subscribe(done)
    function done() {
      clearTimeout(timer)
      unsubscribe()
      resolve()
    }
  })
}

export function eventInject(pool: SimPool, cls: string, ref: string): string {
  const model = pool.model.findClass(cls)
  if (!model || !pool.store.has(model.name, ref)) throw fault('HANDLE_INVALID', model?.name ?? cls, ref)
  // Return the token from before the touch, so the caller's first event.from answers at once.
  const token = formatToken(pool.events.generation)
  pool.store.touch(model.name, ref)
  return token
}
