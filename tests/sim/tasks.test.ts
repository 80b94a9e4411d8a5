/**
 * `Async.*` calls as xapi runs them: a task ref at once, a `task` record going pending → success /
 * failure / cancelled, `result` as an XML-RPC `<value>` string ('' for void), `error_info` as the
 * synchronous error would be, progress while a long operation runs, injected failures, cancel and
 * destroy. Long operations run on a ManualClock so the test decides when simulated time passes.
 */
import { describe, expect, it } from 'vitest'
import { call, errorOf, login, ManualClock, startSim } from '../helpers/sim.js'

type XapiRecord = Record<string, unknown>

const REF = /^OpaqueRef:[0-9a-f-]{36}$/
const NULL_REF = 'OpaqueRef:NULL'

async function setup(clock?: ManualClock) {
  const sim = await startSim(clock ? { clock } : {})
  const running = sim.pools[0] ?? expect.fail('no pool')
  const session = await login(sim)
  const { url } = running
  const vmByName = async (name: string) =>
    (await call<string[]>(url, 'VM.get_by_name_label', session, name))[0] ?? expect.fail(`no VM ${name}`)
  const task = (ref: string) => call<XapiRecord>(url, 'task.get_record', session, ref)
  const vmNames = async () =>
    Object.values(await call<Record<string, XapiRecord>>(url, 'VM.get_all_records', session))
      .map((r) => r.name_label as string)
      .sort()
  /** Waits (in real time, the clock being sped up) until the task leaves `pending`. */
  const settled = async (ref: string): Promise<XapiRecord> => {
    const deadline = Date.now() + 5000
    for (;;) {
      const record = await task(ref)
      if (record.status !== 'pending' && record.status !== 'cancelling') return record
      if (Date.now() > deadline) throw new Error(`task ${ref} still ${String(record.status)}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  return { sim, url, pool: running.pool, session, vmByName, task, vmNames, settled }
}

describe('Async tasks', () => {
  it('Async.VM.clone returns a task that goes pending → success with the new VM as an XML-RPC value', async () => {
    const clock = new ManualClock()
    const { url, session, vmByName, task } = await setup(clock)
    const vm = await vmByName('db-1')

    const ref = await call<string>(url, 'Async.VM.clone', session, vm, 'db-1 clone')
    expect(ref).toMatch(REF)
    expect(await call(url, 'task.get_all', session)).toEqual([ref])
    expect(await task(ref)).toMatchObject({
      name_label: 'Async.VM.clone',
      status: 'pending',
      progress: 0,
      result: '',
      error_info: [],
      allowed_operations: ['cancel'],
    })

    await clock.advance(2000)
    const done = await task(ref)
    expect(done).toMatchObject({ status: 'success', progress: 1, error_info: [], allowed_operations: [] })
    const match = /^<value>(OpaqueRef:[0-9a-f-]{36})<\/value>$/.exec(String(done.result))
    const clone = match?.[1] ?? expect.fail(`result ${String(done.result)} is not <value>OpaqueRef:…</value>`)
    expect(clone).not.toBe(vm)
    expect(await call(url, 'VM.get_name_label', session, clone)).toBe('db-1 clone')
    expect(await call(url, 'VM.get_by_name_label', session, 'db-1 clone')).toEqual([clone])
    // ManualClock starts at 2026-01-01T00:00:00Z; the clone took 2 simulated seconds.
    expect([done.created, done.finished]).toEqual(['20260101T00:00:00Z', '20260101T00:00:02Z'])
  })

  it('shows progress between 0 and 1 while Async.VM.copy runs its 10 simulated seconds', async () => {
    const clock = new ManualClock()
    const { url, session, vmByName, task } = await setup(clock)
    const vm = await vmByName('db-1')
    const ref = await call<string>(url, 'Async.VM.copy', session, vm, 'db-1 copy', NULL_REF)

    const seen: number[] = []
    for (let elapsed = 2500; elapsed < 10_000; elapsed += 2500) {
      await clock.advance(2500)
      const record = await task(ref)
      expect(record.status).toBe('pending')
      seen.push(record.progress as number)
    }
    expect(seen).toEqual([0.25, 0.5, 0.75])
    // While it runs the VM lists the copy in current_operations.
    expect(Object.values(await call<Record<string, string>>(url, 'VM.get_current_operations', session, vm))).toEqual([
      'copy',
    ])

    await clock.advance(2500)
    expect(await task(ref)).toMatchObject({ status: 'success', progress: 1 })
    expect(await call(url, 'VM.get_current_operations', session, vm)).toEqual({})
    expect(await call(url, 'VM.get_by_name_label', session, 'db-1 copy')).toHaveLength(1)
  })

  it('fails the task with the error the synchronous call would raise', async () => {
    const { url, session, vmByName, settled } = await setup()
    const vm = await vmByName('web-1')
    expect(await call(url, 'VM.get_power_state', session, vm)).toBe('Running')

    const ref = await call<string>(url, 'Async.VM.start', session, vm, false, false)
    expect(ref).toMatch(REF)
    const done = await settled(ref)
    expect(done).toMatchObject({
      status: 'failure',
      result: '',
      error_info: ['VM_BAD_POWER_STATE', vm, 'halted', 'running'],
    })
    expect(await errorOf(call(url, 'VM.start', session, vm, false, false))).toEqual(done.error_info as string[])
  })

  it('fails the next task of a kind with an injected error, and only that one', async () => {
    const { url, pool, session, vmByName, vmNames, settled } = await setup()
    const vm = await vmByName('db-1')
    const names = await vmNames()
    pool.faults.failNextTask('VM.clone', ['SR_FULL', '1', '2'])

    const failed = await settled(await call<string>(url, 'Async.VM.clone', session, vm, 'doomed clone'))
    expect(failed).toMatchObject({ status: 'failure', result: '', error_info: ['SR_FULL', '1', '2'] })
    expect(await vmNames()).toEqual(names)

    const ok = await settled(await call<string>(url, 'Async.VM.clone', session, vm, 'second clone'))
    expect(ok).toMatchObject({ status: 'success', error_info: [] })
    expect(ok.result).toMatch(/^<value>OpaqueRef:[0-9a-f-]{36}<\/value>$/)
    expect(await vmNames()).toEqual([...names, 'second clone'].sort())
  })

  it('task.cancel during Async.VM.copy ends the task cancelled, with no VM created', async () => {
    const clock = new ManualClock()
    const { url, session, vmByName, task, vmNames } = await setup(clock)
    const vm = await vmByName('db-1')
    const names = await vmNames()
    const ref = await call<string>(url, 'Async.VM.copy', session, vm, 'cancelled copy', NULL_REF)

    await clock.advance(2500)
    expect(await task(ref)).toMatchObject({ status: 'pending', progress: 0.25 })
    expect(await call(url, 'task.cancel', session, ref)).toBe('')
    expect((await task(ref)).status).toBe('cancelling')

    await clock.advance(2500)
    expect(await task(ref)).toMatchObject({
      status: 'cancelled',
      result: '',
      error_info: ['TASK_CANCELLED', ref],
      allowed_operations: [],
    })
    expect(await vmNames()).toEqual(names)
    expect(await call(url, 'VM.get_current_operations', session, vm)).toEqual({})
    // Nothing is left scheduled for the abandoned copy.
    await clock.advance(10_000)
    expect(await vmNames()).toEqual(names)
  })

  it('task.destroy removes the record', async () => {
    const { url, session, vmByName, settled } = await setup()
    const ref = await call<string>(url, 'Async.VM.clone', session, await vmByName('db-1'), 'short-lived')
    await settled(ref)
    expect(await call(url, 'task.get_all', session)).toEqual([ref])

    expect(await call(url, 'task.destroy', session, ref)).toBe('')
    expect(await call(url, 'task.get_all', session)).toEqual([])
    expect(await errorOf(call(url, 'task.get_record', session, ref))).toEqual(['HANDLE_INVALID', 'task', ref])
    expect(await errorOf(call(url, 'task.destroy', session, ref))).toEqual(['HANDLE_INVALID', 'task', ref])
  })

  it('gives an Async call of a void message the result ""', async () => {
    const { url, session, vmByName, settled } = await setup()
    const vm = await vmByName('db-1')
    const done = await settled(await call<string>(url, 'Async.VM.start', session, vm, false, false))
    expect(done).toMatchObject({ status: 'success', result: '', error_info: [], progress: 1 })
    expect(await call(url, 'VM.get_power_state', session, vm)).toBe('Running')
  })
})
