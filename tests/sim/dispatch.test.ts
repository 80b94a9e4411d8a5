/**
 * Method dispatch as xapi's generated server does it (xapi-project/xen-api:
 * ocaml/idl/ocaml_backend/gen_server.ml, ocaml/xapi/server_helpers.ml): unknown methods, parameter
 * counts (reported without the session), defaults of login_with_password, session checks,
 * alternative wire names, system.listMethods, and parameter coercion to the declared types.
 */
import { describe, expect, it } from 'vitest'
import { call, errorOf, jsonRpc, login, startSim } from '../helpers/sim.js'

async function setup() {
  const sim = await startSim()
  const running = sim.pools[0] ?? expect.fail('no pool')
  const session = await login(sim)
  const { url, username, password } = running
  const vmByName = async (name: string) =>
    (await call<string[]>(url, 'VM.get_by_name_label', session, name))[0] ?? expect.fail(`no VM ${name}`)
  return { sim, url, username, password, pool: running.pool, session, vmByName }
}

async function defaultSr(url: string, session: string): Promise<string> {
  const poolRef = (await call<string[]>(url, 'pool.get_all', session))[0]
  return call<string>(url, 'pool.get_default_SR', session, poolRef)
}

const vdiRecord = (sr: string, virtualSize: unknown) => ({
  name_label: 'coerced',
  name_description: '',
  SR: sr,
  virtual_size: virtualSize,
  type: 'user',
  sharable: false,
  read_only: false,
  other_config: {},
})

describe('method resolution', () => {
  it('answers MESSAGE_METHOD_UNKNOWN [method] for a method the datamodel does not have', async () => {
    const { url, session } = await setup()
    expect(await errorOf(call(url, 'VM.frobnicate', session))).toEqual(['MESSAGE_METHOD_UNKNOWN', 'VM.frobnicate'])
    expect(await errorOf(call(url, 'Nothing.get_all', session))).toEqual(['MESSAGE_METHOD_UNKNOWN', 'Nothing.get_all'])
    // xapi strips `Async.` before looking the call up, and reports the stripped name.
    expect(await errorOf(call(url, 'Async.VM.frobnicate', session))).toEqual([
      'MESSAGE_METHOD_UNKNOWN',
      'VM.frobnicate',
    ])
  })

  it('accepts the alternative wire names Class_method, with the longest matching class', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    expect(await call(url, 'VM_get_record', session, vm)).toEqual(await call(url, 'VM.get_record', session, vm))
    // `VM_guest_metrics_get_all` is VM_guest_metrics.get_all, not VM.guest_metrics_get_all.
    const metrics = await call<string[]>(url, 'VM_guest_metrics_get_all', session)
    expect(metrics).toEqual(await call(url, 'VM_guest_metrics.get_all', session))
    expect(metrics.length).toBeGreaterThan(0)
    // Python's XenAPI spells event.from as event_from (`from` is a keyword).
    const batch = await call<{ events: unknown[]; token: string }>(url, 'event_from', session, ['pool'], '', 0)
    expect(batch.events).toHaveLength(1)
    expect(batch.token).toMatch(/^\d{20},\d{20}$/)
  })

  it('runs both Async.Class.method and the alternative Async_Class_method as tasks', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    const task = await call<string>(url, 'Async.VM.clone', session, vm, 'async clone')
    expect(task).toMatch(/^OpaqueRef:[0-9a-f-]{36}$/)
    expect(await call(url, 'task.get_name_label', session, task)).toBe('Async.VM.clone')
    // Issue #2 asks for both spellings (datamodel_utils.ml's alternative wire name).
    const underscored = await call<string>(url, 'Async_VM_clone', session, vm, 'underscored')
    expect(await call(url, 'task.get_name_label', session, underscored)).toBe('Async.VM.clone')
    expect(await errorOf(call(url, 'Async_VM_frobnicate', session, vm))).toEqual([
      'MESSAGE_METHOD_UNKNOWN',
      'VM_frobnicate',
    ])
  })

  it('lists every message in system.listMethods, which takes no session', async () => {
    const { url } = await setup()
    const methods = await call<string[]>(url, 'system.listMethods')
    for (const m of [
      'VM.get_all_records',
      'task.get_all_records',
      'pool.get_all_records',
      'host.get_all_records',
      'event.from',
      'session.login_with_password',
    ]) {
      expect(methods).toContain(m)
    }
    expect(methods.filter((m) => m.startsWith('Async.'))).toEqual([])
  })
})

describe('parameter counts', () => {
  it('answers MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected, received] without counting the session', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    expect(await errorOf(call(url, 'VM.get_record', session))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.get_record',
      '1',
      '0',
    ])
    expect(await errorOf(call(url, 'VM.get_record', session, vm, 'extra'))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.get_record',
      '1',
      '2',
    ])
    expect(await errorOf(call(url, 'VM.clone', session, vm))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.clone',
      '2',
      '1',
    ])
    // The name is the one the client sent, without `Async.`.
    expect(await errorOf(call(url, 'Async.VM.clone', session, vm))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.clone',
      '2',
      '1',
    ])
    expect(await errorOf(call(url, 'VM_get_record', session))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM_get_record',
      '1',
      '0',
    ])
  })

  it('checks the parameter count before the session', async () => {
    const { url } = await setup()
    expect(await errorOf(call(url, 'VM.get_record', 'OpaqueRef:bad'))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.get_record',
      '1',
      '0',
    ])
  })

  it('logs in with 2, 3 or 4 arguments (version and originator have defaults), not with 1 or 5', async () => {
    const { url, username, password, session } = await setup()
    const sessions = [
      await call<string>(url, 'session.login_with_password', username, password),
      await call<string>(url, 'session.login_with_password', username, password, '1.0'),
      await call<string>(url, 'session.login_with_password', username, password, '1.0', 'dispatch-test'),
    ]
    for (const s of sessions) expect(s).toMatch(/^OpaqueRef:[0-9a-f-]{36}$/)
    expect(new Set([session, ...sessions]).size).toBe(4)
    expect(await call(url, 'session.get_originator', sessions[0], sessions[2])).toBe('dispatch-test')

    expect(await errorOf(call(url, 'session.login_with_password', username))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'session.login_with_password',
      '2',
      '1',
    ])
    expect(await errorOf(call(url, 'session.login_with_password', username, password, '1.0', 'x', 'y'))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'session.login_with_password',
      '2',
      '5',
    ])
  })
})

describe('sessions', () => {
  it('answers SESSION_INVALID [ref] for an unknown or logged-out session', async () => {
    const { sim, url } = await setup()
    expect(await errorOf(call(url, 'VM.get_all', 'OpaqueRef:bad'))).toEqual(['SESSION_INVALID', 'OpaqueRef:bad'])
    expect(await errorOf(call(url, 'VM.get_all', ''))).toEqual(['SESSION_INVALID', ''])

    const s = await login(sim)
    expect(await call(url, 'session.logout', s)).toBe('')
    expect(await errorOf(call(url, 'pool.get_all', s))).toEqual(['SESSION_INVALID', s])
  })

  it('sends the error in the JSON-RPC v2 envelope xapi uses', async () => {
    const { url } = await setup()
    const reply = await jsonRpc(url, 'VM.get_all', ['OpaqueRef:bad'], { id: 3 })
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({
      jsonrpc: '2.0',
      error: { code: 1, message: 'SESSION_INVALID', data: ['OpaqueRef:bad'] },
      id: 3,
    })
  })
})

describe('parameter coercion', () => {
  it('coerces XML-RPC style int strings to numbers, inside records too', async () => {
    const { url, session } = await setup()
    const sr = await defaultSr(url, session)
    const vdi = await call<string>(url, 'VDI.create', session, vdiRecord(sr, '1048576'))
    expect(await call(url, 'VDI.get_virtual_size', session, vdi)).toBe(1048576)
    const { body } = await jsonRpc(url, 'VDI.get_record', [session, vdi])
    expect((body.result as Record<string, unknown>).virtual_size).toBe(1048576)

    // A float parameter accepts an integer JSON number.
    const batch = await call<{ events: unknown[] }>(url, 'event.from', session, ['pool'], '', 0)
    expect(batch.events).toHaveLength(1)
  })

  it('answers FIELD_TYPE_ERROR [field] for a non-numeric int', async () => {
    const { url, session } = await setup()
    const sr = await defaultSr(url, session)
    const before = await call<string[]>(url, 'VDI.get_all', session)
    expect(await errorOf(call(url, 'VDI.create', session, vdiRecord(sr, 'one MiB')))).toEqual([
      'FIELD_TYPE_ERROR',
      'virtual_size',
    ])
    expect(await errorOf(call(url, 'VDI.create', session, vdiRecord(sr, 1.5)))).toEqual([
      'FIELD_TYPE_ERROR',
      'virtual_size',
    ])
    expect(await call(url, 'VDI.get_all', session)).toEqual(before)
  })
})
