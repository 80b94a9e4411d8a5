/**
 * The config drive's upload: our own undici PUT to /import_raw_vdi through the pool connection's
 * dispatcher, so a pool pinned by certificate fingerprint (self-signed, as XenServer ships) accepts it
 * where a client that ignored the pin would fail verification. A refused upload is an error that says
 * what the host answered and never carries the session id.
 */
import { X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { callXapi } from '../../../src/xen/call-xapi.js'
import { UploadError, uploadRawVdi } from '../../../src/xen/provision/upload-raw-vdi.js'
import { startSim } from '../../helpers/sim.js'
import { startXen } from '../../helpers/xen.js'

async function pinnedPool() {
  const sim = await startSim({ scenario: 'demo', tls: true })
  const fingerprint = new X509Certificate(sim.certificate as string).fingerprint256
  const xen = startXen(sim, { pools: ['lab-modern'], tls: { fingerprint } })
  await xen.ready()
  const connection = xen.connections[0]
  const xapi = connection?.client
  if (!connection || !xapi) throw new Error('not connected')
  const sr = String(xapi.pool.default_SR)
  const vdi = await callXapi<string>(xapi, 'VDI.create', {
    name_label: 'upload test',
    SR: sr,
    virtual_size: 2 * 1024 * 1024,
    type: 'user',
    sharable: false,
    read_only: false,
    other_config: {},
  })
  return { sim, connection, xapi, vdi, pool: sim.pool('lab-modern').pool }
}

describe('uploadRawVdi', () => {
  it('uploads through the pinned TLS dispatcher: the pool holds exactly the bytes sent', async () => {
    const { connection, vdi, pool } = await pinnedPool()
    const image = Buffer.alloc(2 * 1024 * 1024, 7)
    image.write('cidata image', 0)
    await uploadRawVdi(connection, vdi, image)
    expect(pool.vdiData.get(vdi)?.equals(image)).toBe(true)
  })

  it('says what the host answered when it refuses the upload, without the session id', async () => {
    const { connection, vdi, xapi } = await pinnedPool()
    const tooBig = Buffer.alloc(3 * 1024 * 1024)
    const error = await uploadRawVdi(connection, vdi, tooBig).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(UploadError)
    expect((error as UploadError).message).toBe(
      'the upload of the config drive failed: HTTP 400 (image larger than the VDI (2097152 bytes))',
    )
    expect((error as UploadError).message).not.toContain(xapi.sessionId)
    const gone = await uploadRawVdi(connection, 'OpaqueRef:00000000-0000-0000-0000-000000000000', tooBig).catch(
      (e: unknown) => e,
    )
    expect((gone as UploadError).status).toBe(404)
  })
})
