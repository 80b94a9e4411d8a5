/**
 * Fault injection as a client sees it over HTTP: per-method latency, hung calls, connections reset
 * without an answer, sessions dropped under a client's feet, and a login sent to a pool member
 * instead of the master.
 */
import { describe, expect, it } from 'vitest'
import { call, errorOf, jsonRpc, login, startSim } from '../helpers/sim.js'

const elapsed = async <T>(promise: Promise<T>): Promise<{ ms: number; value: T }> => {
  const start = performance.now()
  const value = await promise
  return { ms: performance.now() - start, value }
}

/** Resolves 'pending' if `promise` has not settled within `ms`. */
const stateAfter = (promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> =>
  Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ])

const xmlLogin = (user: string, password: string) =>
  `<?xml version="1.0"?><methodCall><methodName>session.login_with_password</methodName><params>` +
  `<param><value>${user}</value></param><param><value>${password}</value></param></params></methodCall>`

describe('fault injection over HTTP', () => {
  it('delays only the method given latency', async () => {
    const sim = await startSim()
    const { url, pool } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const [vm] = await call<string[]>(url, 'VM.get_by_name_label', session, 'web-1')
    pool.faults.latency.set('VM.get_record', 150)

    const slow = await elapsed(call<Record<string, unknown>>(url, 'VM.get_record', session, vm))
    expect(slow.ms).toBeGreaterThanOrEqual(140)
    expect(slow.value.name_label).toBe('web-1')

    const fast = await elapsed(call(url, 'VM.get_name_label', session, vm))
    expect(fast.ms).toBeLessThan(120)
    expect(fast.value).toBe('web-1')

    pool.faults.latency.delete('VM.get_record')
    expect((await elapsed(call(url, 'VM.get_record', session, vm))).ms).toBeLessThan(120)
  })

  it('holds a hung method until it is released, then answers it', async () => {
    const sim = await startSim()
    const { url, pool } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    pool.faults.hang('VM.get_all')

    const pending = call<string[]>(url, 'VM.get_all', session)
    expect(await stateAfter(pending, 150)).toBe('pending')
    // Other methods are not held.
    expect(await call(url, 'pool.get_all', session)).toHaveLength(1)
    expect(await stateAfter(pending, 0)).toBe('pending')

    pool.faults.release('VM.get_all')
    const vms = await pending
    expect(vms).toHaveLength(6) // two control domains, one template, three VMs
    // Released for good: the next call answers at once.
    expect(await call(url, 'VM.get_all', session)).toHaveLength(6)
  })

  it('resets the connection of the next request without answering, then serves again', async () => {
    const sim = await startSim()
    const { url, pool, server } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    pool.faults.resetConnections = 1
    const before = server.requests

    const failed = await fetch(`${url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'VM.get_all', params: [session], id: 1 }),
    }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failed).toBeInstanceOf(TypeError)
    expect((failed as TypeError).message).toBe('fetch failed')
    expect(pool.faults.resetConnections).toBe(0)

    expect(await call(url, 'VM.get_all', session)).toHaveLength(6)
    expect(server.requests - before).toBe(2)
  })

  it('runs a call whose answer it then drops with the connection: the effect happened, unseen', async () => {
    const sim = await startSim()
    const { url, pool } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const [vm] = await call<string[]>(url, 'VM.get_by_name_label', session, 'web-1')
    pool.faults.dropAnswers('VM.set_name_description')

    const lost = await call(url, 'VM.set_name_description', session, vm, 'changed').then(
      () => undefined,
      (error: unknown) => error,
    )
    expect((lost as TypeError).message).toBe('fetch failed')
    // The write was made although no answer came back; the next call is answered again.
    expect(await call(url, 'VM.get_name_description', session, vm)).toBe('changed')
    expect(await call(url, 'VM.set_name_description', session, vm, 'again')).toBe('')
    expect(pool.faults.takeDroppedAnswer('VM.set_name_description')).toBe(false)
  })

  it('answers SESSION_INVALID with the old ref after all sessions are dropped', async () => {
    const sim = await startSim()
    const { url, pool } = sim.pools[0] ?? expect.fail('no pool')
    const first = await login(sim)
    const second = await login(sim)
    expect(pool.sessions.dropAll()).toBe(2)

    expect(await errorOf(call(url, 'VM.get_all', first))).toEqual(['SESSION_INVALID', first])
    expect(await errorOf(call(url, 'pool.get_all', second))).toEqual(['SESSION_INVALID', second])
    const v1 = await jsonRpc(url, 'VM.get_all', [first], { v1: true, id: 4 })
    expect(v1.body).toEqual({ result: null, error: ['SESSION_INVALID', first], id: 4 })

    // A new login works and the new session is valid.
    const fresh = await login(sim)
    expect(await call(url, 'VM.get_all', fresh)).toHaveLength(6)
  })

  it('answers a pending event.from with SESSION_INVALID when sessions are dropped', async () => {
    const sim = await startSim()
    const { url, pool } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const { token } = await call<{ token: string }>(url, 'event.from', session, ['VM'], '', 0.0)
    const pending = call(url, 'event.from', session, ['VM'], token, 30.0)
    expect(await stateAfter(pending, 100)).toBe('pending')

    const dropped = await elapsed(
      (async () => {
        pool.sessions.dropAll()
        return errorOf(pending)
      })(),
    )
    expect(dropped.value).toEqual(['SESSION_INVALID', session])
    expect(dropped.ms).toBeLessThan(1000)
  })

  it('answers HOST_IS_SLAVE with the master address on a pool member, on both transports', async () => {
    const sim = await startSim()
    const running = sim.pools[0] ?? expect.fail('no pool')
    const member = running.members[0] ?? expect.fail('no member')
    expect(member.host).toBe('lab-host-2')
    expect(new URL(member.url).hostname).toBe('127.0.0.2')
    expect(new URL(member.url).port).toBe(new URL(running.url).port)

    expect(await errorOf(call(member.url, 'session.login_with_password', running.username, running.password))).toEqual([
      'HOST_IS_SLAVE',
      '127.0.0.1',
    ])
    const v2 = await jsonRpc(member.url, 'session.login_with_password', [running.username, running.password], {
      id: 11,
    })
    expect(v2.status).toBe(200)
    expect(v2.body).toEqual({
      jsonrpc: '2.0',
      error: { code: 1, message: 'HOST_IS_SLAVE', data: ['127.0.0.1'] },
      id: 11,
    })

    const xml = await fetch(`${member.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xmlLogin(running.username, running.password),
    })
    expect(xml.status).toBe(200)
    expect(await xml.text()).toBe(
      '<?xml version="1.0"?><methodResponse><params><param><value><struct>' +
        '<member><name>Status</name><value>Failure</value></member>' +
        '<member><name>ErrorDescription</name><value><array><data><value>HOST_IS_SLAVE</value>' +
        '<value>127.0.0.1</value></data></array></value></member>' +
        '</struct></value></param></params></methodResponse>',
    )

    // The member never created a session; the master did not see the attempt either.
    expect(running.pool.store.refs('session')).toHaveLength(0)
    expect(await login(sim)).toMatch(/^OpaqueRef:/)
  })
})
