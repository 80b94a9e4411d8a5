/**
 * The messages xapi generates for every class from its fields (get_record, get_<field>, set_<field>,
 * add_to_<map>, …). They are derived from the datamodel, so any served class answers them with the
 * right names and errors without a line of per-class code.
 */
import type { MessageModel } from './datamodel.js'
import type { Handler, SimPool } from './sim-pool.js'
import { fault } from './xapi-fault.js'

export function genericHandler(pool: SimPool, message: MessageModel): Handler | undefined {
  const { store } = pool
  const cls = message.cls
  const model = pool.model.classes.get(cls)
  if (!model) return undefined
  const name = message.name
  const field = (prefix: string) =>
    name.startsWith(prefix) ? model.fields.find((f) => f.name === name.slice(prefix.length)) : undefined

  switch (name) {
    case 'get_all_records':
      return () => Object.fromEntries(store.refs(cls).map((ref) => [ref, store.snapshot(cls, ref)]))
    case 'get_all':
      return () => store.refs(cls)
    case 'get_record':
      return (_ctx, self) => store.snapshot(cls, self as string)
    case 'get_by_uuid':
      return (_ctx, uuid) => store.byUuid(cls, uuid)
    case 'get_by_name_label':
      return (_ctx, label) => store.find(cls, (r) => r.name_label === label)
    case 'destroy':
      return (_ctx, self) => {
        store.destroy(cls, self as string)
        return ''
      }
    case 'create':
      return (_ctx, record) => {
        const init = Object.fromEntries(Object.entries(record as object).filter(([k]) => model.fieldTypes.has(k)))
        return store.create(cls, init)
      }
  }

  const getter = field('get_')
  if (getter) return (_ctx, self) => structuredClone(store.get(cls, self)[getter.name])

  // Only RW fields have generic setters; messages like VM.set_memory are real operations.
  const setter = field('set_')
  if (setter?.qualifier === 'RW') {
    return (_ctx, self, value) => {
      store.update(cls, self as string, { [setter.name]: value })
      return ''
    }
  }

  const mapAdd = field('add_to_')
  if (mapAdd?.type.kind === 'map') {
    return (_ctx, self, key, value) => {
      const ref = self as string
      const map = store.get(cls, ref)[mapAdd.name] as Record<string, unknown>
      // xapi names the object by its ref in this error; XO's setFieldEntry loops on it.
      if (Object.hasOwn(map, key as string)) throw fault('MAP_DUPLICATE_KEY', cls, mapAdd.name, ref, key as string)
      store.mutate(cls, ref, (r) => {
        r[mapAdd.name] = { ...(r[mapAdd.name] as object), [key as string]: value }
      })
      return ''
    }
  }

  const mapRemove = field('remove_from_')
  if (mapRemove?.type.kind === 'map') {
    return (_ctx, self, key) => {
      // Removing an absent key succeeds: XO's update_<map> relies on it.
      store.mutate(cls, self as string, (r) => {
        const { [key as string]: _gone, ...rest } = r[mapRemove.name] as Record<string, unknown>
        r[mapRemove.name] = rest
      })
      return ''
    }
  }

  const setAdd = field('add_')
  if (setAdd?.type.kind === 'set') {
    return (_ctx, self, value) => {
      store.mutate(cls, self as string, (r) => {
        const set = r[setAdd.name] as unknown[]
        if (!set.includes(value)) r[setAdd.name] = [...set, value]
      })
      return ''
    }
  }

  const setRemove = field('remove_')
  if (setRemove?.type.kind === 'set') {
    return (_ctx, self, value) => {
      store.mutate(cls, self as string, (r) => {
        r[setRemove.name] = (r[setRemove.name] as unknown[]).filter((v) => v !== value)
      })
      return ''
    }
  }
  return undefined
}
