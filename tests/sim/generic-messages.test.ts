/**
 * The messages xapi generates from each class's fields (get_all, get_record, get_by_uuid,
 * get_<field>, set_<field>, add_to_<map>, add_<set>, …), their errors, NOT_IMPLEMENTED for datamodel
 * messages the simulator does not model, and the inverse link sets (VM.VBDs, VDI.VBDs) kept in step.
 */
import { describe, expect, it } from 'vitest'
import { call, errorOf, login, startSim } from '../helpers/sim.js'

type XapiRecord = Record<string, unknown>

async function setup() {
  const sim = await startSim()
  const { url } = sim.pools[0] ?? expect.fail('no pool')
  const session = await login(sim)
  const vmByName = async (name: string) =>
    (await call<string[]>(url, 'VM.get_by_name_label', session, name))[0] ?? expect.fail(`no VM ${name}`)
  const record = (cls: string, ref: string) => call<XapiRecord>(url, `${cls}.get_record`, session, ref)
  return { sim, url, session, vmByName, record }
}

describe('generic getters', () => {
  it('get_all and get_all_records list the same objects, each with its full record', async () => {
    const { url, session } = await setup()
    const refs = await call<string[]>(url, 'VM.get_all', session)
    const records = await call<Record<string, XapiRecord>>(url, 'VM.get_all_records', session)

    expect(Object.keys(records).sort()).toEqual([...refs].sort())
    // lab: web-1, db-1, appliance-no-tools, one template and a control domain per host.
    expect(refs).toHaveLength(6)
    const names = Object.values(records)
      .filter((r) => r.is_a_template === false && r.is_control_domain === false)
      .map((r) => r.name_label)
      .sort()
    expect(names).toEqual(['appliance-no-tools', 'db-1', 'web-1'])
    // Every record has the full, identical field set (xen-api builds its record class from the first).
    const keySets = new Set(Object.values(records).map((r) => Object.keys(r).sort().join(',')))
    expect(keySets.size).toBe(1)
  })

  it('get_record returns the record get_all_records has for that ref', async () => {
    const { url, session, vmByName, record } = await setup()
    const vm = await vmByName('web-1')
    const all = await call<Record<string, XapiRecord>>(url, 'VM.get_all_records', session)
    const rec = await record('VM', vm)
    expect(rec).toEqual(all[vm])
    expect(rec).toMatchObject({ name_label: 'web-1', power_state: 'Running', is_a_template: false })
  })

  it('get_record of an unknown ref answers HANDLE_INVALID [class, ref]', async () => {
    const { url, session } = await setup()
    expect(await errorOf(call(url, 'VM.get_record', session, 'OpaqueRef:bad'))).toEqual([
      'HANDLE_INVALID',
      'VM',
      'OpaqueRef:bad',
    ])
    expect(await errorOf(call(url, 'VM.get_name_label', session, 'OpaqueRef:bad'))).toEqual([
      'HANDLE_INVALID',
      'VM',
      'OpaqueRef:bad',
    ])
  })

  it('get_by_uuid finds the object, and answers UUID_INVALID [class, uuid] on a miss', async () => {
    const { url, session, vmByName, record } = await setup()
    const vm = await vmByName('db-1')
    const uuid = (await record('VM', vm)).uuid as string
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

    expect(await call(url, 'VM.get_by_uuid', session, uuid)).toBe(vm)
    const missing = '00000000-0000-0000-0000-000000000000'
    expect(await errorOf(call(url, 'VM.get_by_uuid', session, missing))).toEqual(['UUID_INVALID', 'VM', missing])
    // The uuid of a VM is not the uuid of an SR.
    expect(await errorOf(call(url, 'SR.get_by_uuid', session, uuid))).toEqual(['UUID_INVALID', 'SR', uuid])
  })

  it('get_by_name_label returns every match, and an empty set for none', async () => {
    const { url, session, record } = await setup()
    const refs = await call<string[]>(url, 'VM.get_by_name_label', session, 'db-1')
    expect(refs).toHaveLength(1)
    expect((await record('VM', refs[0] ?? '')).name_label).toBe('db-1')
    expect(await call(url, 'VM.get_by_name_label', session, 'no such VM')).toEqual([])
  })

  it('get_<field> returns the field value', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    expect(await call(url, 'VM.get_name_label', session, vm)).toBe('db-1')
    expect(await call(url, 'VM.get_power_state', session, vm)).toBe('Halted')
    expect(await call(url, 'VM.get_is_a_template', session, vm)).toBe(false)
  })
})

describe('generic setters', () => {
  it('set_<field> on an RW field writes it and returns ""', async () => {
    const { url, session, vmByName, record } = await setup()
    const vm = await vmByName('db-1')
    expect(await call(url, 'VM.set_name_description', session, vm, 'the database')).toBe('')
    expect(await call(url, 'VM.get_name_description', session, vm)).toBe('the database')
    expect((await record('VM', vm)).name_description).toBe('the database')
  })

  it('answers NOT_IMPLEMENTED [message] for datamodel messages the simulator does not model', async () => {
    const { url, session, vmByName, record } = await setup()
    const vm = await vmByName('db-1')
    const before = await record('VM', vm)
    expect(await errorOf(call(url, 'VM.set_memory_limits', session, vm, 1, 2, 3, 4))).toEqual([
      'NOT_IMPLEMENTED',
      'VM.set_memory_limits',
    ])
    expect(await errorOf(call(url, 'VM.snapshot', session, vm, 'snap', []))).toEqual(['NOT_IMPLEMENTED', 'VM.snapshot'])
    expect(await record('VM', vm)).toEqual(before)
  })

  it('add_to_<map> adds a key, and a duplicate answers MAP_DUPLICATE_KEY [class, field, ref, key]', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    const otherConfig = () => call<Record<string, string>>(url, 'VM.get_other_config', session, vm)
    expect(await otherConfig()).not.toHaveProperty('xscontainer-monitor')

    expect(await call(url, 'VM.add_to_other_config', session, vm, 'xscontainer-monitor', 'True')).toBe('')
    expect((await otherConfig())['xscontainer-monitor']).toBe('True')

    expect(await errorOf(call(url, 'VM.add_to_other_config', session, vm, 'xscontainer-monitor', 'False'))).toEqual([
      'MAP_DUPLICATE_KEY',
      'VM',
      'other_config',
      vm,
      'xscontainer-monitor',
    ])
    expect((await otherConfig())['xscontainer-monitor']).toBe('True')
  })

  it('remove_from_<map> removes a key, and succeeds for an absent key', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    const otherConfig = () => call<Record<string, string>>(url, 'VM.get_other_config', session, vm)
    await call(url, 'VM.add_to_other_config', session, vm, 'docker_ps', '<docker_ps/>')
    const withKey = await otherConfig()

    expect(await call(url, 'VM.remove_from_other_config', session, vm, 'never-set')).toBe('')
    expect(await otherConfig()).toEqual(withKey)

    expect(await call(url, 'VM.remove_from_other_config', session, vm, 'docker_ps')).toBe('')
    const { docker_ps: _removed, ...rest } = withKey
    expect(await otherConfig()).toEqual(rest)
  })

  it('add_<set> and remove_<set> keep set semantics', async () => {
    const { url, session, vmByName } = await setup()
    const vm = await vmByName('db-1')
    const tags = () => call<string[]>(url, 'VM.get_tags', session, vm)
    expect(await tags()).toEqual([])

    expect(await call(url, 'VM.add_tags', session, vm, 'docker')).toBe('')
    await call(url, 'VM.add_tags', session, vm, 'prod')
    await call(url, 'VM.add_tags', session, vm, 'docker')
    expect((await tags()).sort()).toEqual(['docker', 'prod'])

    expect(await call(url, 'VM.remove_tags', session, vm, 'docker')).toBe('')
    await call(url, 'VM.remove_tags', session, vm, 'absent')
    expect(await tags()).toEqual(['prod'])
  })
})

describe('inverse link sets', () => {
  it('VBD.create adds the VBD to VM.VBDs and VDI.VBDs, and VBD.destroy removes it', async () => {
    const { url, session, vmByName, record } = await setup()
    const vm = await vmByName('db-1')
    const poolRef = (await call<string[]>(url, 'pool.get_all', session))[0]
    const sr = await call<string>(url, 'pool.get_default_SR', session, poolRef)
    const vmVbdsBefore = (await record('VM', vm)).VBDs as string[]

    const vdi = await call<string>(url, 'VDI.create', session, {
      name_label: 'data disk',
      name_description: '',
      SR: sr,
      virtual_size: 1048576,
      type: 'user',
      sharable: false,
      read_only: false,
      other_config: {},
    })
    expect((await record('SR', sr)).VDIs).toContain(vdi)
    expect((await record('VDI', vdi)).VBDs).toEqual([])

    const vbd = await call<string>(url, 'VBD.create', session, {
      VM: vm,
      VDI: vdi,
      userdevice: '5',
      bootable: false,
      mode: 'RW',
      type: 'Disk',
      unpluggable: true,
      empty: false,
      other_config: {},
      qos_algorithm_type: '',
      qos_algorithm_params: {},
    })
    expect(await record('VBD', vbd)).toMatchObject({ VM: vm, VDI: vdi, userdevice: '5' })
    expect((await record('VM', vm)).VBDs).toEqual([...vmVbdsBefore, vbd])
    expect((await record('VDI', vdi)).VBDs).toEqual([vbd])

    await call(url, 'VBD.destroy', session, vbd)
    expect((await record('VM', vm)).VBDs).toEqual(vmVbdsBefore)
    expect((await record('VDI', vdi)).VBDs).toEqual([])

    await call(url, 'VDI.destroy', session, vdi)
    expect((await record('SR', sr)).VDIs).not.toContain(vdi)
  })
})
