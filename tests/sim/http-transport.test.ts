/**
 * The simulator's HTTP face as a client sees it on the wire: JSON-RPC envelopes (v1 and v2) on
 * POST /jsonrpc, XML-RPC on POST /, /RPC2 and /xmlrpc, the same XAPI errors on both transports, and
 * the HTTP-level answers to requests that are not XAPI calls at all. Raw `fetch` only, so every
 * header and every envelope key is visible.
 */
import { X509Certificate } from 'node:crypto'
import { request as httpsRequest } from 'node:https'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { createClient } from 'xen-api'
import { loadScenario } from '../../src/sim/scenario.js'
import { startSimulator } from '../../src/sim/simulator.js'
import { call, jsonRpc, login, startSim } from '../helpers/sim.js'

// --- raw requests ----------------------------------------------------------------------------

interface RawReply {
  status: number
  contentType: string | null
  text: string
}

async function post(url: string, body: string, contentType: string): Promise<RawReply> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() }
}

const postJson = (base: string, body: unknown) => post(`${base}/jsonrpc`, JSON.stringify(body), 'application/json')

// --- XML-RPC: hand-built calls, responses decoded with fast-xml-parser --------------------------

const str = (s: string) => `<value>${s}</value>`
const xmlCall = (method: string, ...params: string[]) =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param>${p}</param>`)
    .join('')}</params></methodCall>`

type XmlNode = Record<string, unknown>
const parser = new XMLParser({ preserveOrder: true, parseTagValue: false, trimValues: false, ignoreDeclaration: true })

const tagOf = (node: XmlNode): string => Object.keys(node).find((k) => k !== ':@') ?? ''
const childrenOf = (node: XmlNode): XmlNode[] => (node[tagOf(node)] as XmlNode[] | undefined) ?? []
const elements = (nodes: XmlNode[]) => nodes.filter((n) => tagOf(n) !== '#text')
const text = (nodes: XmlNode[]) => nodes.map((n) => String(n['#text'] ?? '')).join('')

function child(nodes: XmlNode[], tag: string): XmlNode {
  const found = elements(nodes).filter((n) => tagOf(n) === tag)
  if (found.length !== 1) throw new Error(`expected one <${tag}>`)
  return found[0] as XmlNode
}

function only(nodes: XmlNode[], tag: string): XmlNode {
  const found = elements(nodes)
  if (found.length !== 1 || tagOf(found[0] as XmlNode) !== tag) throw new Error(`expected one <${tag}>`)
  return found[0] as XmlNode
}

/** Decodes the children of a `<value>`; dateTime values come back as `{ dateTime: text }`. */
function decodeValue(children: XmlNode[]): unknown {
  const typed = elements(children)
  if (typed.length === 0) return text(children)
  const [element] = typed as [XmlNode]
  const inner = childrenOf(element)
  switch (tagOf(element)) {
    case 'string':
      return text(inner)
    case 'int':
    case 'i4':
      return Number.parseInt(text(inner), 10)
    case 'double':
      return Number.parseFloat(text(inner))
    case 'boolean':
      return text(inner) === '1'
    case 'dateTime.iso8601':
      return { dateTime: text(inner) }
    case 'array':
      return elements(childrenOf(only(inner, 'data'))).map((v) => decodeValue(childrenOf(v)))
    case 'struct':
      return Object.fromEntries(
        elements(inner).map((member) => {
          const parts = childrenOf(member)
          return [text(childrenOf(child(parts, 'name'))), decodeValue(childrenOf(child(parts, 'value')))]
        }),
      )
    default:
      throw new Error(`unexpected <${tagOf(element)}>`)
  }
}

interface XmlRpcReply extends RawReply {
  response: { Status?: unknown; Value?: unknown; ErrorDescription?: unknown }
}

async function xmlRpc(url: string, body: string): Promise<XmlRpcReply> {
  const raw = await post(url, body, 'text/xml')
  const doc = parser.parse(raw.text) as XmlNode[]
  const value = only(
    childrenOf(only(childrenOf(only(childrenOf(only(doc, 'methodResponse')), 'params')), 'param')),
    'value',
  )
  return { ...raw, response: decodeValue(childrenOf(value)) as XmlRpcReply['response'] }
}

/** The `<value>` content of a struct member in the raw XML (the sim writes no whitespace). */
function rawMember(xml: string, name: string): string | undefined {
  const match = new RegExp(`<member><name>${name}</name><value>(.*?)</value></member>`).exec(xml)
  return match?.[1]
}

// --- JSON-RPC -----------------------------------------------------------------------------------

describe('JSON-RPC on POST /jsonrpc', () => {
  it('answers a v2 success with exactly jsonrpc, result and the echoed id, as application/json', async () => {
    const sim = await startSim()
    const { url, username, password } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await postJson(url, {
      jsonrpc: '2.0',
      method: 'session.login_with_password',
      params: [username, password],
      id: 42,
    })
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('application/json')
    const body = JSON.parse(reply.text) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['id', 'jsonrpc', 'result'])
    expect(body).toEqual({ jsonrpc: '2.0', result: expect.stringMatching(/^OpaqueRef:[0-9a-f-]{36}$/), id: 42 })

    // String ids are echoed as they came.
    const again = await postJson(url, { jsonrpc: '2.0', method: 'VM.get_all', params: [body.result], id: 'abc-1' })
    const second = JSON.parse(again.text) as Record<string, unknown>
    expect(second.id).toBe('abc-1')
    expect('error' in second).toBe(false)
    expect(Array.isArray(second.result)).toBe(true)
  })

  it('answers a v1 success as {result, error: null, id}', async () => {
    const sim = await startSim()
    const { url, username, password } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await jsonRpc(url, 'session.login_with_password', [username, password], { v1: true, id: 7 })
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('application/json')
    expect(Object.keys(reply.body).sort()).toEqual(['error', 'id', 'result'])
    expect(reply.body).toEqual({ result: expect.stringMatching(/^OpaqueRef:/), error: null, id: 7 })
  })

  it('answers a v2 failure with HTTP 200 and {code: 1, message: CODE, data: params}', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await postJson(url, {
      jsonrpc: '2.0',
      method: 'session.login_with_password',
      params: ['root', 'wrong'],
      id: 3,
    })
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('application/json')
    expect(JSON.parse(reply.text)).toEqual({
      jsonrpc: '2.0',
      error: { code: 1, message: 'SESSION_AUTHENTICATION_FAILED', data: ['root', 'Authentication failure'] },
      id: 3,
    })
  })

  it('answers a v1 failure as {result: null, error: [CODE, ...params], id}', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await jsonRpc(url, 'session.login_with_password', ['root', 'wrong'], { v1: true, id: 9 })
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('application/json')
    expect(reply.body).toEqual({
      result: null,
      error: ['SESSION_AUTHENTICATION_FAILED', 'root', 'Authentication failure'],
      id: 9,
    })
  })

  it('reports the XAPI errors xapi reports (wrong password, bad ref, parameter count, unknown method)', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const errorOfV2 = async (method: string, params: unknown[]) => {
      const { body } = await jsonRpc(url, method, params)
      const error = body.error as { code: number; message: string; data: string[] }
      expect(error.code).toBe(1)
      return [error.message, ...error.data]
    }
    expect(await errorOfV2('session.login_with_password', ['root', 'nope'])).toEqual([
      'SESSION_AUTHENTICATION_FAILED',
      'root',
      'Authentication failure',
    ])
    expect(await errorOfV2('VM.get_record', [session, 'OpaqueRef:bad'])).toEqual([
      'HANDLE_INVALID',
      'VM',
      'OpaqueRef:bad',
    ])
    // xapi's generated dispatcher (gen_server.ml) counts without the session: VM.get_record takes one
    // mandatory parameter, and session + 2 arguments is 2 received.
    expect(await errorOfV2('VM.get_record', [session, 'OpaqueRef:bad', 'extra'])).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.get_record',
      '1',
      '2',
    ])
    expect(await errorOfV2('VM.get_record', [session])).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.get_record',
      '1',
      '0',
    ])
    expect(await errorOfV2('VM.frobnicate', [session])).toEqual(['MESSAGE_METHOD_UNKNOWN', 'VM.frobnicate'])
  })

  it('carries int64 as JSON numbers and datetimes as xapi strings', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const [vm] = await call<string[]>(url, 'VM.get_by_name_label', session, 'web-1')
    const record = await call<Record<string, unknown>>(url, 'VM.get_record', session, vm)
    expect(record.memory_static_max).toBe(2 * 1024 ** 3)
    expect(record.is_a_template).toBe(false)
    expect(record.HVM_shadow_multiplier).toBe(1)
    expect(record.snapshot_time).toBe('19700101T00:00:00Z')
  })

  it('answers JSON that does not parse with a JSON-RPC parse error', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await post(`${url}/jsonrpc`, '{"jsonrpc":"2.0","method":', 'application/json')
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('application/json')
    expect(JSON.parse(reply.text)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    })
  })

  it('answers a request without a method name with a JSON-RPC invalid request', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await postJson(url, { jsonrpc: '2.0', params: [], id: 5 })
    expect(JSON.parse(reply.text)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: 5,
    })
  })
})

// --- XML-RPC ------------------------------------------------------------------------------------

describe('XML-RPC on POST /, /RPC2 and /xmlrpc', () => {
  it.each(['/', '/RPC2', '/xmlrpc'])('logs in on %s and answers text/xml {Status: Success, Value}', async (path) => {
    const sim = await startSim()
    const { url, username, password } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await xmlRpc(`${url}${path}`, xmlCall('session.login_with_password', str(username), str(password)))
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('text/xml')
    expect(reply.response).toEqual({ Status: 'Success', Value: expect.stringMatching(/^OpaqueRef:[0-9a-f-]{36}$/) })
    // The session works on the other transport too: one pool, one session table.
    expect(await call(url, 'session.get_this_host', reply.response.Value, reply.response.Value)).toMatch(/^OpaqueRef:/)
  })

  it('reports the same XAPI errors as JSON-RPC, as {Status: Failure, ErrorDescription}', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const failure = async (body: string) => {
      const reply = await xmlRpc(`${url}/`, body)
      expect(reply.status).toBe(200)
      expect(reply.contentType).toBe('text/xml')
      expect(Object.keys(reply.response).sort()).toEqual(['ErrorDescription', 'Status'])
      expect(reply.response.Status).toBe('Failure')
      return reply.response.ErrorDescription
    }
    expect(await failure(xmlCall('session.login_with_password', str('root'), str('nope')))).toEqual([
      'SESSION_AUTHENTICATION_FAILED',
      'root',
      'Authentication failure',
    ])
    expect(await failure(xmlCall('VM.get_record', str(session), str('OpaqueRef:bad')))).toEqual([
      'HANDLE_INVALID',
      'VM',
      'OpaqueRef:bad',
    ])
    expect(await failure(xmlCall('VM.get_record', str(session), str('OpaqueRef:bad'), str('extra')))).toEqual([
      'MESSAGE_PARAMETER_COUNT_MISMATCH',
      'VM.get_record',
      '1',
      '2',
    ])
    expect(await failure(xmlCall('VM.frobnicate', str(session)))).toEqual(['MESSAGE_METHOD_UNKNOWN', 'VM.frobnicate'])
  })

  it('encodes values type-directed: int64 as plain strings, floats as <double>, bools, dateTime', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const [vm] = await call<string[]>(url, 'VM.get_by_name_label', session, 'web-1')
    const reply = await xmlRpc(`${url}/RPC2`, xmlCall('VM.get_record', str(session), str(vm ?? '')))
    expect(reply.response.Status).toBe('Success')

    // On the wire: exactly xapi's forms.
    expect(rawMember(reply.text, 'memory_static_max')).toBe('2147483648')
    expect(rawMember(reply.text, 'VCPUs_max')).toBe('2')
    expect(rawMember(reply.text, 'domid')).toMatch(/^[0-9]+$/)
    expect(rawMember(reply.text, 'HVM_shadow_multiplier')).toBe('<double>1.0</double>')
    expect(rawMember(reply.text, 'is_a_template')).toBe('<boolean>0</boolean>')
    expect(rawMember(reply.text, 'is_control_domain')).toBe('<boolean>0</boolean>')
    expect(rawMember(reply.text, 'snapshot_time')).toBe('<dateTime.iso8601>19700101T00:00:00Z</dateTime.iso8601>')
    expect(rawMember(reply.text, 'name_label')).toBe('web-1')
    expect(reply.text).not.toContain('<int>')

    // And decoded by a generic XML-RPC reader.
    const record = reply.response.Value as Record<string, unknown>
    expect(record.memory_static_max).toBe('2147483648')
    expect(record.power_state).toBe('Running')
    expect(record.is_a_template).toBe(false)
    expect(record.HVM_shadow_multiplier).toBe(1)
    expect(record.snapshot_time).toEqual({ dateTime: '19700101T00:00:00Z' })
    expect(record.other_config).toEqual({})
    expect(record.VBDs).toEqual([expect.stringMatching(/^OpaqueRef:/)])

    const sessionRecord = await xmlRpc(`${url}/xmlrpc`, xmlCall('session.get_record', str(session), str(session)))
    expect(rawMember(sessionRecord.text, 'last_active')).toMatch(
      /^<dateTime\.iso8601>[0-9]{8}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z<\/dateTime\.iso8601>$/,
    )
    expect(rawMember(sessionRecord.text, 'is_local_superuser')).toBe('<boolean>1</boolean>')
  })

  it('accepts int64 parameters sent as strings, as xen-api sends them', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const session = await login(sim)
    const [vm] = await call<string[]>(url, 'VM.get_by_name_label', session, 'db-1')
    const set = await xmlRpc(`${url}/`, xmlCall('VM.set_user_version', str(session), str(vm ?? ''), '<value>5</value>'))
    expect(set.response).toEqual({ Status: 'Success', Value: '' })
    expect(await call(url, 'VM.get_user_version', session, vm)).toBe(5)
    const over = await xmlRpc(`${url}/`, xmlCall('VM.get_user_version', str(session), str(vm ?? '')))
    expect(over.text).toContain('<member><name>Value</name><value>5</value></member>')
  })

  it('answers malformed XML with HTTP 400', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const reply = await post(`${url}/`, '<methodCall><methodName>VM.get_all</methodName><params>', 'text/xml')
    expect(reply.status).toBe(400)
    expect(reply.text).toMatch(/^bad XML-RPC request: malformed XML/)
    const notACall = await post(`${url}/RPC2`, '<?xml version="1.0"?><foo/>', 'text/xml')
    expect(notACall.status).toBe(400)
    expect(notACall.text).toBe('bad XML-RPC request: <#document> must contain exactly one <methodCall>\n')
  })
})

describe('HTTP', () => {
  it('answers 404 on paths and methods it does not serve', async () => {
    const sim = await startSim()
    const { url } = sim.pools[0] ?? expect.fail('no pool')
    const get = await fetch(`${url}/nope`)
    expect(get.status).toBe(404)
    expect(await get.text()).toBe('no handler for GET /nope\n')
    const getRpc = await fetch(`${url}/jsonrpc`)
    expect(getRpc.status).toBe(404)
    await getRpc.body?.cancel()
    const postElsewhere = await post(`${url}/api/jsonrpc`, '{}', 'application/json')
    expect(postElsewhere.status).toBe(404)
    expect(postElsewhere.text).toBe('no handler for POST /api/jsonrpc\n')
  })

  it('fails to start when a member address is taken, and leaves nothing listening', async () => {
    // Someone else holds 127.0.0.2:P; the master on 127.0.0.1:P starts first, then the member fails.
    // The port comes from 127.0.0.1, where the master must be able to bind it: a port picked free on
    // 127.0.0.2 may be in use on 127.0.0.1 by another program (seen on a busy machine).
    const picker = createNetServer()
    await new Promise<void>((resolve) => picker.listen(0, '127.0.0.1', resolve))
    const port = (picker.address() as AddressInfo).port
    await new Promise<void>((resolve) => picker.close(() => resolve()))
    const squatter = createNetServer()
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.2', resolve))
    try {
      const error = await startSimulator({ scenario: loadScenario('lab'), port }).then(
        (sim) => sim.close().then(() => expect.fail('the simulator started')),
        (e: unknown) => e as NodeJS.ErrnoException,
      )
      expect(error.code).toBe('EADDRINUSE')
      expect(error.message).toBe(`listen EADDRINUSE: address already in use 127.0.0.2:${port}`)
      // The master's listener was closed again: the port is free on 127.0.0.1.
      const probe = createNetServer()
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject)
        probe.listen(port, '127.0.0.1', resolve)
      })
      await new Promise<void>((resolve) => probe.close(() => resolve()))
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()))
    }
  })

  it('counts the requests it answered', async () => {
    const sim = await startSim()
    const running = sim.pools[0] ?? expect.fail('no pool')
    const before = running.server.requests
    await login(sim)
    await fetch(`${running.url}/nope`).then((r) => r.text())
    expect(running.server.requests - before).toBe(2)
  })
})

// --- TLS ------------------------------------------------------------------------------------------

/** One JSON-RPC call over node:https, trusting only `ca` (or nothing but the system store). */
function httpsJsonRpc(
  url: string,
  method: string,
  params: unknown[],
  ca: string | undefined,
): Promise<{ status: number; contentType: string | undefined; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify({ jsonrpc: '2.0', method, params, id: 0 })
    const req = httpsRequest(
      `${url}/jsonrpc`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        ...(ca === undefined ? {} : { ca }),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const clientOptions = { debounce: 5, eventPollDelay: 100, callTimeout: 5000 }

describe('TLS', () => {
  it('serves https with a certificate for the master and member addresses', async () => {
    const sim = await startSim({ tls: true })
    const running = sim.pools[0] ?? expect.fail('no pool')
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:[0-9]+$/)
    expect(sim.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/)
    const cert = new X509Certificate(sim.certificate ?? '')
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1')
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.2')
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1')

    const reply = await httpsJsonRpc(
      running.url,
      'session.login_with_password',
      [running.username, running.password],
      sim.certificate,
    )
    expect(reply.status).toBe(200)
    expect(reply.contentType).toBe('application/json')
    expect(reply.body).toEqual({ jsonrpc: '2.0', result: expect.stringMatching(/^OpaqueRef:/), id: 0 })

    // The member answers over TLS too, with the same certificate.
    const member = running.members[0] ?? expect.fail('no member')
    expect(member.url).toMatch(/^https:\/\/127\.0\.0\.2:/)
    const slave = await httpsJsonRpc(member.url, 'session.login_with_password', ['root', 'xenroot'], sim.certificate)
    expect(slave.body).toEqual({
      jsonrpc: '2.0',
      error: { code: 1, message: 'HOST_IS_SLAVE', data: ['127.0.0.1'] },
      id: 0,
    })
  })

  it('is refused by a client that does not trust the self-signed certificate', async () => {
    const sim = await startSim({ tls: true })
    const running = sim.pools[0] ?? expect.fail('no pool')
    const error = await httpsJsonRpc(running.url, 'session.login_with_password', ['root', 'xenroot'], undefined).then(
      () => expect.fail('the request succeeded'),
      (e: unknown) => e as NodeJS.ErrnoException,
    )
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    const plain = await fetch(running.url.replace('https:', 'http:')).then(
      () => 'answered',
      () => 'failed',
    )
    expect(plain).toBe('failed')
  })

  it('lets the xen-api client connect with allowUnauthorized', async () => {
    const sim = await startSim({ tls: true })
    const running = sim.pools[0] ?? expect.fail('no pool')
    const xapi = createClient({
      url: running.url,
      auth: { user: running.username, password: running.password },
      allowUnauthorized: true,
      ...clientOptions,
    })
    try {
      await xapi.connect()
      expect(xapi.status).toBe('connected')
      expect(xapi.sessionId).toMatch(/^OpaqueRef:/)
      expect(xapi.pool.name_label).toBe('lab')
      expect(await xapi.call<string[]>('VM.get_all')).toHaveLength(6)
      // Let the client's cache fill before disconnecting, so none of its fetches outlive the simulator.
      await xapi.objectsFetched
      const vms = Object.values(xapi.objects.all).filter((o) => o.$type === 'VM')
      expect(vms.map((vm) => vm.name_label).sort()).toContain('web-1')
      expect(vms).toHaveLength(6)
    } finally {
      await xapi.disconnect()
    }
  })

  it('rejects the connection in the xen-api client without allowUnauthorized', async () => {
    const sim = await startSim({ tls: true })
    const running = sim.pools[0] ?? expect.fail('no pool')
    const xapi = createClient({
      url: running.url,
      auth: { user: running.username, password: running.password },
      ...clientOptions,
    })
    try {
      const error = await xapi.connect().then(
        () => expect.fail('connected'),
        (e: unknown) => e as Error & { code?: string; cause?: { code?: string } },
      )
      const described = `${error.code ?? ''} ${error.cause?.code ?? ''} ${error.message}`
      expect(described).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|self-signed|SELF_SIGNED/)
      expect(xapi.status).toBe('disconnected')
      expect(running.pool.store.refs('session')).toHaveLength(0)
    } finally {
      await xapi.disconnect()
    }
  })
})
