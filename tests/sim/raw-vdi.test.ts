/**
 * Raw VDI import and export over HTTP (`PUT /import_raw_vdi`, `GET /export_raw_vdi`), the way the
 * bot writes a config drive: a VDI made with VDI.create, bytes uploaded, the same bytes read back
 * as the whole virtual disk.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Simulator } from '../../src/sim/simulator.js'
import { call, login, startSim } from '../helpers/sim.js'

const MiB = 1024 * 1024

interface Disk {
  url: string
  session: string
  vdi: string
}

/** Logs in and creates a 2 MiB VDI on the default SR over JSON-RPC. */
async function twoMiBDisk(sim: Simulator): Promise<Disk> {
  const { url } = sim.pools[0] ?? expect.fail('no pool')
  const session = await login(sim)
  const [sr] = await call<string[]>(url, 'SR.get_by_name_label', session, 'Local storage')
  const vdi = await call<string>(url, 'VDI.create', session, {
    name_label: 'config drive',
    name_description: '',
    SR: sr,
    virtual_size: 2 * MiB,
    type: 'user',
    sharable: false,
    read_only: false,
    other_config: {},
    xenstore_data: {},
    sm_config: {},
    tags: [],
  })
  return { url, session, vdi }
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

function put(url: string, params: Record<string, string>, body: Uint8Array) {
  return fetch(`${url}/import_raw_vdi?${query(params)}`, { method: 'PUT', body })
}

async function get(url: string, params: Record<string, string>) {
  const res = await fetch(`${url}/export_raw_vdi?${query(params)}`)
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  }
}

/** Some recognisable bytes, not all zero, not all the same. */
function pattern(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) % 251))
}

describe('raw VDI import and export', () => {
  it('stores uploaded bytes and exports them zero-padded to the virtual size', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    expect(await call(url, 'VDI.get_virtual_size', session, vdi)).toBe(2 * MiB)

    const data = pattern(70_000)
    const res = await put(url, { session_id: session, vdi, format: 'raw' }, data)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    expect(await call(url, 'VDI.get_physical_utilisation', session, vdi)).toBe(70_000)

    const exported = await get(url, { session_id: session, vdi, format: 'raw' })
    expect(exported.status).toBe(200)
    expect(exported.contentType).toBe('application/octet-stream')
    expect(exported.body.length).toBe(2 * MiB)
    expect(exported.body.subarray(0, data.length).equals(data)).toBe(true)
    expect(exported.body.subarray(data.length).equals(Buffer.alloc(2 * MiB - data.length))).toBe(true)

    // format defaults to raw on export, as xapi's does.
    const noFormat = await get(url, { session_id: session, vdi })
    expect(noFormat.body.equals(exported.body)).toBe(true)
  })

  it('exports a VDI nothing was written to as zeros', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    const exported = await get(url, { session_id: session, vdi, format: 'raw' })
    expect(exported.status).toBe(200)
    expect(exported.body.equals(Buffer.alloc(2 * MiB))).toBe(true)
  })

  it('accepts an image exactly the size of the VDI', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    const data = pattern(2 * MiB)
    expect((await put(url, { session_id: session, vdi, format: 'raw' }, data)).status).toBe(200)
    const exported = await get(url, { session_id: session, vdi, format: 'raw' })
    expect(exported.body.equals(data)).toBe(true)
  })

  it('answers 401 for a bad session, on import and export', async () => {
    const sim = await startSim()
    const { url, vdi } = await twoMiBDisk(sim)
    const res = await put(url, { session_id: 'OpaqueRef:bad', vdi, format: 'raw' }, pattern(10))
    expect(res.status).toBe(401)
    expect(await res.text()).toBe('SESSION_INVALID\n')
    expect(sim.pools[0]?.pool.vdiData.has(vdi)).toBe(false)
    const exported = await get(url, { vdi, format: 'raw' })
    expect(exported.status).toBe(401)
    expect(exported.body.toString()).toBe('SESSION_INVALID\n')
  })

  it('answers 401 for a session that was logged out', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    await call(url, 'session.logout', session)
    const res = await put(url, { session_id: session, vdi, format: 'raw' }, pattern(10))
    expect(res.status).toBe(401)
    await res.body?.cancel()
  })

  it('answers 404 for a VDI that does not exist', async () => {
    const sim = await startSim()
    const { url, session } = await twoMiBDisk(sim)
    const res = await put(url, { session_id: session, vdi: 'OpaqueRef:nope', format: 'raw' }, pattern(10))
    expect(res.status).toBe(404)
    expect(await res.text()).toBe('HANDLE_INVALID VDI OpaqueRef:nope\n')
    const exported = await get(url, { session_id: session, vdi: 'OpaqueRef:nope', format: 'raw' })
    expect(exported.status).toBe(404)
    const missing = await get(url, { session_id: session, format: 'raw' })
    expect(missing.status).toBe(404)
  })

  it('answers 400 for a format other than raw', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    const res = await put(url, { session_id: session, vdi, format: 'vhd' }, pattern(10))
    expect(res.status).toBe(400)
    expect(await res.text()).toBe('the simulator only handles format=raw, not vhd\n')
    expect(sim.pools[0]?.pool.vdiData.has(vdi)).toBe(false)
    expect((await get(url, { session_id: session, vdi, format: 'vhd' })).status).toBe(400)
  })

  it('refuses an image larger than the VDI with 400 and keeps what was there', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    const first = pattern(1000)
    expect((await put(url, { session_id: session, vdi, format: 'raw' }, first)).status).toBe(200)

    const res = await put(url, { session_id: session, vdi, format: 'raw' }, Buffer.alloc(2 * MiB + 1, 0xff))
    expect(res.status).toBe(400)
    expect(await res.text()).toBe(`image larger than the VDI (${2 * MiB} bytes)\n`)

    expect(await call(url, 'VDI.get_physical_utilisation', session, vdi)).toBe(1000)
    expect(sim.pools[0]?.pool.vdiData.get(vdi)?.equals(first)).toBe(true)
    const exported = await get(url, { session_id: session, vdi, format: 'raw' })
    expect(exported.body.subarray(0, 1000).equals(first)).toBe(true)
    expect(exported.body.subarray(1000).equals(Buffer.alloc(2 * MiB - 1000))).toBe(true)

    // The server is still healthy for the next upload.
    expect((await put(url, { session_id: session, vdi, format: 'raw' }, pattern(5))).status).toBe(200)
  })

  it('stores nothing when the client disconnects mid-upload, and still closes promptly', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write(
      `PUT /import_raw_vdi?${query({ session_id: session, vdi, format: 'raw' })} HTTP/1.1\r\n` +
        `host: ${hostname}\r\ncontent-length: 100000\r\n\r\n`,
    )
    socket.write(pattern(1000))
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(sim.pools[0]?.pool.vdiData.has(vdi)).toBe(false)
    expect(await call(url, 'VDI.get_physical_utilisation', session, vdi)).toBe(0)
    const start = performance.now()
    await sim.close()
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('forgets the contents when the VDI is destroyed', async () => {
    const sim = await startSim()
    const { url, session, vdi } = await twoMiBDisk(sim)
    expect((await put(url, { session_id: session, vdi, format: 'raw' }, pattern(100))).status).toBe(200)
    await call(url, 'VDI.destroy', session, vdi)
    expect(sim.pools[0]?.pool.vdiData.has(vdi)).toBe(false)
    expect((await get(url, { session_id: session, vdi, format: 'raw' })).status).toBe(404)
  })
})
