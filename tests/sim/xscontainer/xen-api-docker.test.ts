/**
 * The xscontainer layer end to end through the real `xen-api` client (Xen Orchestra's): docker_ps read
 * from the client's object cache, a container stopped with host.call_plugin, the monitor's rewrite
 * arriving through event.from (xscontainer.md §7.5: every monitor write is a VM `mod` event), and the
 * keys wiped when the VM halts (§2.1).
 */
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import type { XapiObject } from 'xen-api'
import { startSim } from '../../helpers/sim.js'
import { cachedByName, nextUpdate, testClient } from '../../helpers/xen-api-client.js'

const parser = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, parseAttributeValue: false })

interface PsEntry {
  names: string
  state: string
  status: string
  container: string
}

const otherConfig = (vm: XapiObject) => vm.other_config as Record<string, string>

function psEntries(xml: string | undefined): PsEntry[] {
  if (xml === undefined) return []
  const { item } = (parser.parse(xml) as { docker_ps: { item: unknown } }).docker_ps
  return (Array.isArray(item) ? item : [item]).map((i) => (i as { entry: PsEntry }).entry)
}

const statusOf = (vm: XapiObject, name: string) =>
  psEntries(otherConfig(vm).docker_ps).find((e) => e.names === name)?.status

describe('xscontainer through the xen-api client', () => {
  it('stops a container with host.call_plugin, sees docker_ps change in its cache, then the keys go with the VM', async () => {
    const sim = await startSim({ scenario: 'demo' })
    const legacy = sim.pool('lab-legacy')
    const xapi = testClient(legacy.url, legacy.username, legacy.password)
    await xapi.connect()
    await xapi.objectsFetched

    const web = cachedByName(xapi, 'VM', 'web-1')
    expect(otherConfig(web)['xscontainer-monitor']).toBe('True')
    const nginx = psEntries(otherConfig(web).docker_ps).find((e) => e.names === 'nginx-front')
    expect(nginx).toMatchObject({ state: 'running', status: 'Up', container: expect.stringMatching(/^[0-9a-f]{10}$/) })
    const host = web.$resident_on as XapiObject
    expect(host.name_label).toBe('xs76-a')

    const stopped = nextUpdate(xapi, (o) => o.$ref === web.$ref && statusOf(o, 'nginx-front') === 'Exited (0)')
    const result = await xapi.call('host.call_plugin', host.$ref, 'xscontainer', 'stop', {
      vmuuid: web.uuid,
      container: nginx?.container,
    })
    expect(result).toBe('True')
    const updated = await stopped
    expect(psEntries(otherConfig(updated).docker_ps).find((e) => e.names === 'nginx-front')).toMatchObject({
      state: 'exited',
      status: 'Exited (0)',
    })
    // The client's cache holds the new record.
    expect(statusOf(cachedByName(xapi, 'VM', 'web-1'), 'nginx-front')).toBe('Exited (0)')

    const wiped = nextUpdate(
      xapi,
      (o) =>
        o.$ref === web.$ref &&
        o.power_state === 'Halted' &&
        !['docker_ps', 'docker_info', 'docker_version'].some((k) => k in otherConfig(o)),
    )
    await xapi.callAsync('VM.hard_shutdown', web.$ref)
    await wiped
    const halted = cachedByName(xapi, 'VM', 'web-1')
    expect(halted.power_state).toBe('Halted')
    expect(Object.keys(otherConfig(halted))).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^docker_(ps|info|version)$/)]),
    )
    expect(otherConfig(halted)).not.toHaveProperty('docker_ps')
    expect(otherConfig(halted)).not.toHaveProperty('docker_info')
    expect(otherConfig(halted)).not.toHaveProperty('docker_version')
    // Registration survives the shutdown.
    expect(otherConfig(halted)['xscontainer-monitor']).toBe('True')
  })

  it('sees the plugin errors as XapiError: an upper-case container name and a missing plugin', async () => {
    const sim = await startSim({ scenario: 'demo' })
    const legacy = sim.pool('lab-legacy')
    const xapi = testClient(legacy.url, legacy.username, legacy.password)
    await xapi.connect()
    await xapi.objectsFetched
    const web = cachedByName(xapi, 'VM', 'web-1')
    const host = web.$resident_on as XapiObject
    await expect(
      xapi.call('host.call_plugin', host.$ref, 'xscontainer', 'stop', { vmuuid: web.uuid, container: 'WebAPI' }),
    ).rejects.toMatchObject({
      code: 'XENAPI_PLUGIN_FAILURE',
      params: ['stop', 'XSContainerException', 'Invalid container'],
    })
    const noPack = cachedByName(xapi, 'host', 'xs76-c')
    await expect(
      xapi.call('host.call_plugin', noPack.$ref, 'xscontainer', 'get_top', { vmuuid: web.uuid, object: 'x' }),
    ).rejects.toMatchObject({ code: 'XENAPI_MISSING_PLUGIN', params: ['xscontainer'] })
  })
})
