/**
 * The simulated pool database: one table per XAPI class, records with the datamodel's full field set,
 * refs and uuids, inverse link sets, and a change log for `event.from`. Everything that mutates the
 * pool goes through here so that no change can escape the event stream.
 */
import { randomUUID } from 'node:crypto'
import type { Datamodel } from './datamodel.js'
import type { EventLog } from './event-log.js'
import { relationsOf } from './relations.js'
import { fault } from './xapi-fault.js'
import { defaultValue } from './xapi-type.js'

export type XapiRecord = Record<string, unknown>
export const NULL_REF = 'OpaqueRef:NULL'

export const newRef = () => `OpaqueRef:${randomUUID()}`

export class ObjectStore {
  readonly model: Datamodel
  readonly events: EventLog
  readonly #tables = new Map<string, Map<string, XapiRecord>>()
  readonly #classOf = new Map<string, string>()
  readonly #byUuid = new Map<string, string>()
  readonly #defaults = new Map<string, XapiRecord>()

  constructor(model: Datamodel, events: EventLog) {
    this.model = model
    this.events = events
  }

  /** Creates a record with every datamodel field, overridden by `init`; returns its ref. */
  create(clsName: string, init: XapiRecord = {}, ref = newRef()): string {
    const cls = this.#canonical(clsName)
    this.#assertFields(cls, init)
    const record: XapiRecord = { ...structuredClone(this.#defaultRecord(cls)), ...structuredClone(init) }
    if ('uuid' in record && !record.uuid) record.uuid = randomUUID()
    this.#table(cls).set(ref, record)
    this.#classOf.set(ref, cls)
    if (typeof record.uuid === 'string') this.#byUuid.set(`${cls}/${record.uuid}`, ref)
    for (const rel of relationsOf(cls)) this.#link(rel.parent, rel.setField, record[rel.field], ref, 'add')
    this.events.record(cls, ref, 'add')
    return ref
  }

  classOf(ref: string): string | undefined {
    return this.#classOf.get(ref)
  }

  has(cls: string, ref: unknown): ref is string {
    return typeof ref === 'string' && this.#classOf.get(ref) === this.#canonical(cls)
  }

  /** The live record (callers must not mutate it; use update/mutate). HANDLE_INVALID if absent. */
  get(clsName: string, ref: unknown): Readonly<XapiRecord> {
    const cls = this.#canonical(clsName)
    const record = typeof ref === 'string' ? this.#tables.get(cls)?.get(ref) : undefined
    if (!record) throw fault('HANDLE_INVALID', cls, String(ref))
    return record
  }

  /** A deep copy, safe to hand to a client or keep as an event snapshot. */
  snapshot(cls: string, ref: string): XapiRecord {
    return structuredClone(this.get(cls, ref)) as XapiRecord
  }

  refs(clsName: string): string[] {
    return [...(this.#tables.get(this.#canonical(clsName))?.keys() ?? [])]
  }

  *records(clsName: string): Generator<[string, Readonly<XapiRecord>]> {
    yield* this.#tables.get(this.#canonical(clsName))?.entries() ?? []
  }

  count(clsName: string): number {
    return this.#tables.get(this.#canonical(clsName))?.size ?? 0
  }

  byUuid(clsName: string, uuid: unknown): string {
    const cls = this.#canonical(clsName)
    const ref = typeof uuid === 'string' ? this.#byUuid.get(`${cls}/${uuid}`) : undefined
    if (!ref) throw fault('UUID_INVALID', cls, String(uuid))
    return ref
  }

  /** Finds records whose fields match; for the scenario builder and handlers, not for clients. */
  find(clsName: string, match: (r: Readonly<XapiRecord>) => boolean): string[] {
    return [...this.records(clsName)].filter(([, r]) => match(r)).map(([ref]) => ref)
  }

  update(cls: string, ref: string, patch: XapiRecord): void {
    this.mutate(cls, ref, (r) => Object.assign(r, structuredClone(patch)))
  }

  /** Applies `fn` to the record, keeps link sets right, and emits one `mod` event. */
  mutate(clsName: string, ref: string, fn: (r: XapiRecord) => void): void {
    const cls = this.#canonical(clsName)
    const record = this.get(cls, ref) as XapiRecord
    const before = relationsOf(cls).map((rel) => record[rel.field])
    fn(record)
    this.#assertFields(cls, record)
    relationsOf(cls).forEach((rel, i) => {
      if (before[i] === record[rel.field]) return
      this.#link(rel.parent, rel.setField, before[i], ref, 'remove')
      this.#link(rel.parent, rel.setField, record[rel.field], ref, 'add')
    })
    this.events.record(cls, ref, 'mod')
  }

  /** Emits a `mod` event without changing anything (event.inject). */
  touch(cls: string, ref: string): void {
    this.get(cls, ref)
    this.events.record(this.#canonical(cls), ref, 'mod')
  }

  destroy(clsName: string, ref: string): void {
    const cls = this.#canonical(clsName)
    const record = this.get(cls, ref)
    for (const rel of relationsOf(cls)) this.#link(rel.parent, rel.setField, record[rel.field], ref, 'remove')
    this.#tables.get(cls)?.delete(ref)
    this.#classOf.delete(ref)
    if (typeof record.uuid === 'string') this.#byUuid.delete(`${cls}/${record.uuid}`)
    this.events.record(cls, ref, 'del')
  }

  #link(parentCls: string, setField: string, parentRef: unknown, childRef: string, op: 'add' | 'remove'): void {
    if (typeof parentRef !== 'string' || parentRef === NULL_REF || !this.has(parentCls, parentRef)) return
    this.mutate(parentCls, parentRef, (parent) => {
      const set = (parent[setField] as string[] | undefined) ?? []
      parent[setField] =
        op === 'add' ? [...set.filter((r) => r !== childRef), childRef] : set.filter((r) => r !== childRef)
    })
  }

  /**
   * Records must keep exactly the datamodel's field set: a stray field (a removed one such as
   * host_metrics.memory_free, or a typo) would reach clients and break xen-api's one-shape-per-class
   * record wrapper. This is a simulator bug, so it throws a plain Error, not a XAPI fault.
   */
  #assertFields(cls: string, record: XapiRecord): void {
    const fields = this.model.classes.get(cls)?.fieldTypes
    for (const key of Object.keys(record)) {
      if (!fields?.has(key)) throw new Error(`${cls} has no field ${key} in the datamodel`)
    }
  }

  #canonical(cls: string): string {
    const found = this.model.findClass(cls)
    if (!found) throw new Error(`the datamodel has no class ${cls}`)
    return found.name
  }

  #table(cls: string): Map<string, XapiRecord> {
    let table = this.#tables.get(cls)
    if (!table) {
      table = new Map()
      this.#tables.set(cls, table)
    }
    return table
  }

  #defaultRecord(cls: string): XapiRecord {
    let record = this.#defaults.get(cls)
    if (!record) {
      const model = this.model.classes.get(cls)
      record = Object.fromEntries(
        (model?.fields ?? []).map((f) => [
          f.name,
          defaultValue(f.type, f.defaultText, (name) => this.model.enumValues(name)),
        ]),
      )
      this.#defaults.set(cls, record)
    }
    return record
  }
}
