/**
 * event.from / event.inject over JSON-RPC, against xapi's semantics (xapi-project/xen-api:
 * ocaml/xapi/xapi_event.ml): `%020d,%020d` tokens, long-polling, one coalesced event per object,
 * `del` without a snapshot, lower-case classes and valid_ref_counts, subscriptions, and the errors.
 */
import { describe, expect, it } from 'vitest'
import { call, errorOf, login, startSim } from '../helpers/sim.js'

interface XapiEvent {
  id: string
  timestamp: string
  class: string
  operation: 'add' | 'mod' | 'del'
  ref: string
  snapshot?: Record<string, unknown>
}

interface EventBatch {
  events: XapiEvent[]
  valid_ref_counts: Record<string, number>
  token: string
}

const TOKEN = /^\d{20},\d{20}$/
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function setup() {
  const sim = await startSim()
  const running = sim.pools[0] ?? expect.fail('no pool')
  const session = await login(sim)
  const { url } = running
  const from = (classes: string[], token: string, timeout: number, s = session) =>
    call<EventBatch>(url, 'event.from', s, classes, token, timeout)
  const vmByName = async (name: string) =>
    (await call<string[]>(url, 'VM.get_by_name_label', session, name))[0] ?? expect.fail(`no VM ${name}`)
  /** The current token, without consuming anything: an empty batch of a class nothing writes to. */
  const freshToken = async () => (await from(['VM'], '', 0)).token
  return { sim, url, pool: running.pool, session, from, vmByName, freshToken }
}

/** A VDI on the default SR, for tests that need an object to destroy. */
async function createVdi(url: string, session: string, name: string): Promise<string> {
  const poolRef = (await call<string[]>(url, 'pool.get_all', session))[0]
  const sr = await call<string>(url, 'pool.get_default_SR', session, poolRef)
  return call<string>(url, 'VDI.create', session, {
    name_label: name,
    name_description: '',
    SR: sr,
    virtual_size: 1048576,
    type: 'user',
    sharable: false,
    read_only: false,
    other_config: {},
  })
}

describe('event.from', () => {
  it('with an empty token returns every object of the subscribed classes as `add`, with its record', async () => {
    const { url, session, from } = await setup()
    const vms = await call<Record<string, Record<string, unknown>>>(url, 'VM.get_all_records', session)
    const hosts = await call<string[]>(url, 'host.get_all', session)
    expect(hosts).toHaveLength(2)

    const batch = await from(['VM', 'host'], '', 0)

    expect(batch.token).toMatch(TOKEN)
    expect(batch.events).toHaveLength(Object.keys(vms).length + 2)
    expect(new Set(batch.events.map((e) => e.operation))).toEqual(new Set(['add']))
    const vmEvents = batch.events.filter((e) => e.class === 'vm')
    expect(vmEvents.map((e) => e.ref).sort()).toEqual(Object.keys(vms).sort())
    expect(
      batch.events
        .filter((e) => e.class === 'host')
        .map((e) => e.ref)
        .sort(),
    ).toEqual([...hosts].sort())
    for (const e of vmEvents) expect(e.snapshot).toEqual(vms[e.ref])
  })

  it('answers tokens in xapi format `%020d,%020d`, growing with each change', async () => {
    const { url, session, from, vmByName } = await setup()
    const first = await from(['VM'], '', 0)
    expect(first.token).toMatch(TOKEN)
    expect(first.token.endsWith(`,${'0'.repeat(20)}`)).toBe(true)

    await call(url, 'VM.set_name_description', session, await vmByName('db-1'), 'touched')
    const second = await from(['VM'], first.token, 0)
    expect(second.token).toMatch(TOKEN)
    // Zero-padding makes tokens comparable as strings, as xapi intends.
    expect(second.token > first.token).toBe(true)
    expect(second.events).toHaveLength(1)
  })

  it('long-polls: a call with a fresh token waits for a change and returns promptly with exactly that event', async () => {
    const { url, session, from, vmByName, freshToken } = await setup()
    const vm = await vmByName('db-1')
    const token = await freshToken()

    const started = Date.now()
    let settled = false
    const pending = from(['VM'], token, 5.0).finally(() => {
      settled = true
    })
    await sleep(50)
    expect(settled).toBe(false)

    await call(url, 'VM.set_name_description', session, vm, 'changed while polling')
    const batch = await pending
    expect(Date.now() - started).toBeLessThan(1000)
    expect(batch.events).toHaveLength(1)
    expect(batch.events[0]).toMatchObject({ class: 'vm', operation: 'mod', ref: vm })
    expect(batch.events[0]?.snapshot?.name_description).toBe('changed while polling')
    expect(batch.token > token).toBe(true)
  })

  it('returns an empty batch when the timeout passes without a change', async () => {
    const { url, session, from, freshToken } = await setup()
    const token = await freshToken()
    const vmCount = (await call<string[]>(url, 'VM.get_all', session)).length

    const started = Date.now()
    const batch = await from(['VM'], token, 0.2)
    const elapsed = Date.now() - started

    expect(elapsed).toBeGreaterThanOrEqual(190)
    expect(elapsed).toBeLessThan(1500)
    expect(batch.events).toEqual([])
    expect(batch.valid_ref_counts.vm).toBe(vmCount)
    expect(batch.token).toMatch(TOKEN)
  })

  it('coalesces several writes to one object into one `mod` carrying the latest snapshot', async () => {
    const { url, session, from, vmByName, freshToken } = await setup()
    const vm = await vmByName('db-1')
    const token = await freshToken()

    await call(url, 'VM.set_name_description', session, vm, 'first')
    await call(url, 'VM.add_to_other_config', session, vm, 'owner', 'ops')
    await call(url, 'VM.set_name_description', session, vm, 'third')

    const batch = await from(['VM'], token, 5.0)
    expect(batch.events).toHaveLength(1)
    const [event] = batch.events
    expect(event).toMatchObject({ class: 'vm', operation: 'mod', ref: vm })
    expect(event?.snapshot?.name_description).toBe('third')
    expect(event?.snapshot?.other_config).toMatchObject({ owner: 'ops' })
    expect(event?.snapshot).toEqual(await call(url, 'VM.get_record', session, vm))
  })

  it('sends `del` without a snapshot', async () => {
    const { url, session, from } = await setup()
    const vdi = await createVdi(url, session, 'doomed')
    const token = (await from(['VDI'], '', 0)).token

    await call(url, 'VDI.destroy', session, vdi)
    const batch = await from(['VDI'], token, 5.0)

    expect(batch.events).toEqual([
      { id: expect.stringMatching(/^\d+$/), timestamp: expect.any(String), class: 'vdi', operation: 'del', ref: vdi },
    ])
    expect(Object.hasOwn(batch.events[0] ?? {}, 'snapshot')).toBe(false)
  })

  it('does not report an object created and destroyed since the token (xapi skips it)', async () => {
    const { url, session, from } = await setup()
    const token = (await from(['VDI'], '', 0)).token
    const before = await call<string[]>(url, 'VDI.get_all', session)

    const vdi = await createVdi(url, session, 'ephemeral')
    await call(url, 'VDI.destroy', session, vdi)

    expect((await from(['VDI'], token, 0.2)).events).toEqual([])
    // Nor from the beginning: a fresh reader sees the live objects only.
    const all = await from(['VDI'], '', 0)
    expect(all.events.map((e) => e.ref).sort()).toEqual([...before].sort())
    expect(all.events.every((e) => e.operation === 'add')).toBe(true)
  })

  it('reports valid_ref_counts under lower-case keys for each subscribed class, task included', async () => {
    const { url, session, from } = await setup()
    await call(url, 'task.create', session, 'watched', 'a client-driven task')
    const vms = (await call<string[]>(url, 'VM.get_all', session)).length
    const srs = (await call<string[]>(url, 'SR.get_all', session)).length

    const batch = await from(['VM', 'task', 'SR', 'host'], '', 0)
    expect(batch.valid_ref_counts).toMatchObject({ vm: vms, task: 1, sr: srs, host: 2 })
    expect(Object.keys(batch.valid_ref_counts).every((k) => k === k.toLowerCase())).toBe(true)

    // With `*` the task count is there too (xen-api's event loop crashes without it).
    const everything = await from(['*'], '', 0)
    expect(everything.valid_ref_counts).toMatchObject({ vm: vms, task: 1, pool: 1, host: 2 })
  })

  it('subscribes to every class with `*`, and sends class names in lower case', async () => {
    const { from } = await setup()
    const batch = await from(['*'], '', 0)
    const classes = new Set(batch.events.map((e) => e.class))
    for (const cls of ['pool', 'host', 'vm', 'vm_metrics', 'vm_guest_metrics', 'sr', 'vdi', 'vbd', 'vif', 'session']) {
      expect(classes).toContain(cls)
    }
    for (const cls of classes) expect(cls).toBe(cls.toLowerCase())
  })

  it('matches class subscriptions without regard to case', async () => {
    const { from } = await setup()
    const refsOf = async (cls: string) => (await from([cls], '', 0)).events.map((e) => `${e.class}:${e.ref}`).sort()
    const upper = await refsOf('VM')
    expect(upper.length).toBeGreaterThan(0)
    expect(upper.every((r) => r.startsWith('vm:'))).toBe(true)
    expect(await refsOf('vm')).toEqual(upper)
    expect(await refsOf('Vm')).toEqual(upper)
  })

  it('with `vm/<ref>` reports only that object', async () => {
    const { url, session, from, vmByName, freshToken } = await setup()
    const watched = await vmByName('db-1')
    const other = await vmByName('web-1')

    const initial = await from([`vm/${watched}`], '', 0)
    expect(initial.events.map((e) => e.ref)).toEqual([watched])

    const token = await freshToken()
    await call(url, 'VM.set_name_description', session, other, 'not watched')
    await call(url, 'VM.set_name_description', session, watched, 'watched')
    const batch = await from([`vm/${watched}`], token, 5.0)
    expect(batch.events.map((e) => [e.operation, e.ref])).toEqual([['mod', watched]])
    expect(batch.valid_ref_counts.vm).toBe((await call<string[]>(url, 'VM.get_all', session)).length)
  })

  it('rejects an unknown class with EVENT_SUBSCRIPTION_PARSE_FAILURE [subscription]', async () => {
    const { from } = await setup()
    expect(await errorOf(from(['VM', 'no_such_class'], '', 0))).toEqual([
      'EVENT_SUBSCRIPTION_PARSE_FAILURE',
      'no_such_class',
    ])
  })

  it('rejects a malformed token with EVENT_FROM_TOKEN_PARSE_FAILURE [token]', async () => {
    const { from } = await setup()
    for (const token of ['garbage', '12,ab', '42']) {
      expect(await errorOf(from(['VM'], token, 0))).toEqual(['EVENT_FROM_TOKEN_PARSE_FAILURE', token])
    }
  })

  it('answers EVENTS_LOST once when the fault is set, then works normally', async () => {
    const { pool, from, freshToken } = await setup()
    const token = await freshToken()
    pool.faults.eventsLost = true

    expect(await errorOf(from(['VM'], token, 0))).toEqual(['EVENTS_LOST'])
    expect(pool.faults.eventsLost).toBe(false)
    const again = await from(['VM'], token, 0)
    expect(again.events).toEqual([])
    expect(again.token).toMatch(TOKEN)
  })

  it('wakes a pending call with SESSION_INVALID [session] when its session logs out', async () => {
    const { sim, url, from } = await setup()
    const doomed = await login(sim)
    const token = (await from(['VM'], '', 0, doomed)).token

    const started = Date.now()
    const pending = errorOf(from(['VM'], token, 5.0, doomed))
    await sleep(50)
    await call(url, 'session.logout', doomed)

    expect(await pending).toEqual(['SESSION_INVALID', doomed])
    expect(Date.now() - started).toBeLessThan(1000)
  })
})

describe('event.inject', () => {
  it('returns a token whose next event.from answers at once with the pool', async () => {
    const { url, session, from } = await setup()
    const poolRef = (await call<string[]>(url, 'pool.get_all', session))[0] ?? expect.fail('no pool')

    const token = await call<string>(url, 'event.inject', session, 'pool', poolRef)
    expect(token).toMatch(TOKEN)

    const started = Date.now()
    const batch = await from(['pool'], token, 5.0)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(batch.events).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        timestamp: expect.any(String),
        class: 'pool',
        operation: 'mod',
        ref: poolRef,
        snapshot: await call(url, 'pool.get_record', session, poolRef),
      },
    ])
    expect(batch.valid_ref_counts.pool).toBe(1)
  })

  it('answers HANDLE_INVALID [class, ref] for a ref that is not an object of that class', async () => {
    const { url, session, vmByName } = await setup()
    expect(await errorOf(call(url, 'event.inject', session, 'pool', 'OpaqueRef:bad'))).toEqual([
      'HANDLE_INVALID',
      'pool',
      'OpaqueRef:bad',
    ])
    const vm = await vmByName('db-1')
    expect(await errorOf(call(url, 'event.inject', session, 'pool', vm))).toEqual(['HANDLE_INVALID', 'pool', vm])
  })
})
