/**
 * Every record of every class the simulator serves, checked against XAPI's datamodel: the full field
 * set (xen-api silently drops fields of records that differ from the first one it saw) and a value of
 * the declared type in each field, refs pointing at objects of the right class.
 */
import { describe, expect, it } from 'vitest'
import { loadDatamodel } from '../../src/sim/datamodel.js'
import { checkValue } from '../../src/sim/xapi-type.js'
import { call, login, startSim } from '../helpers/sim.js'

describe('records against the datamodel', () => {
  it('serves every field of every record with a value of its declared type', async () => {
    const sim = await startSim()
    const lab = sim.pool('lab')
    const session = await login(sim)
    // Put objects in more classes than the scenario does: a started clone (guest metrics), a task,
    // a message, a secret.
    const [template] = await call<string[]>(lab.url, 'VM.get_by_name_label', session, 'Debian Bookworm 12')
    const clone = await call<string>(lab.url, 'VM.clone', session, template, 'walked')
    await call(lab.url, 'VM.provision', session, clone)
    await call(lab.url, 'VM.set_is_a_template', session, clone, false)
    await call(lab.url, 'VM.start', session, clone, false, false)
    await call(lab.url, 'task.create', session, 'walk', 'a client-driven task')
    const vmUuid = await call<string>(lab.url, 'VM.get_uuid', session, clone)
    await call(lab.url, 'message.create', session, 'TEST', 3, 'VM', vmUuid, 'body')
    await call(lab.url, 'secret.create', session, { value: 's3cret' })

    const model = loadDatamodel()
    const ctx = {
      enumValues: (name: string) => model.enumValues(name),
      classOfRef: (ref: string) => lab.pool.store.classOf(ref),
    }
    const problems: string[] = []
    const populated: string[] = []
    for (const cls of model.classes.values()) {
      if (!cls.listable) continue
      const records = await call<Record<string, Record<string, unknown>>>(
        lab.url,
        `${cls.name}.get_all_records`,
        session,
      )
      const entries = Object.entries(records)
      if (entries.length > 0) populated.push(cls.name)
      const expected = cls.fields.map((f) => f.name).sort()
      for (const [ref, record] of entries) {
        expect(lab.pool.store.classOf(ref), `${ref} is a ${cls.name}`).toBe(cls.name)
        const actual = Object.keys(record).sort()
        if (actual.join() !== expected.join()) {
          problems.push(`${cls.name} ${ref}: fields differ from the datamodel`)
          continue
        }
        for (const field of cls.fields) {
          for (const p of checkValue(record[field.name], field.type, ctx, `${cls.name}.${field.name}`)) {
            problems.push(`${ref} ${p}`)
          }
        }
      }
    }
    expect(problems).toEqual([])
    // The walk is only meaningful if it saw the classes the bot uses.
    expect(populated).toEqual(
      expect.arrayContaining([
        'pool',
        'host',
        'host_metrics',
        'VM',
        'VM_metrics',
        'VM_guest_metrics',
        'SR',
        'PBD',
        'VDI',
        'VBD',
        'network',
        'PIF',
        'VIF',
        'task',
        'message',
        'secret',
      ]),
    )
  })

  it('catches a record with a wrong-typed field (the check itself can fail)', async () => {
    const sim = await startSim()
    const lab = sim.pool('lab')
    const model = loadDatamodel()
    const [vm] = lab.pool.store.find('VM', (r) => r.name_label === 'web-1')
    lab.pool.store.update('VM', vm ?? '', { memory_static_max: '2GiB', power_state: 'running', resident_on: vm })
    const record = lab.pool.store.get('VM', vm)
    const types = model.fieldTypes('VM')
    const ctx = { enumValues: (n: string) => model.enumValues(n), classOfRef: (r: string) => lab.pool.store.classOf(r) }
    const problems = ['memory_static_max', 'power_state', 'resident_on'].flatMap((f) => {
      const type = types?.get(f)
      return type ? checkValue(record[f], type, ctx, f) : [`no type for ${f}`]
    })
    expect(problems).toHaveLength(3)
  })
})
