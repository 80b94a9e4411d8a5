/**
 * Brings incoming parameters to their JSON-RPC shape according to the message's declared types.
 * XML-RPC clients send int64 as strings (xen-api's `_prepareXmlRpcParams`) and Python sends ints as
 * <int>; handlers should see one form whatever the transport.
 */

import { fault } from './xapi-fault.js'
import type { TypeLookup, XapiType } from './xapi-type.js'

export function coerceParam(value: unknown, type: XapiType, lookup: TypeLookup, name: string): unknown {
  const bad = () => fault('FIELD_TYPE_ERROR', name)
  switch (type.kind) {
    case 'int': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value
      if (typeof n !== 'number' || !Number.isInteger(n)) throw bad()
      return n
    }
    case 'float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad()
      return n
    }
    case 'bool':
      if (typeof value !== 'boolean') throw bad()
      return value
    case 'string':
    case 'enum':
    case 'ref':
    case 'datetime':
      if (typeof value !== 'string') throw bad()
      return value
    case 'set':
      if (!Array.isArray(value)) throw bad()
      return value.map((v, i) => coerceParam(v, type.of, lookup, `${name}[${i}]`))
    case 'map':
      if (!isPlainObject(value)) throw bad()
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, coerceParam(v, type.value, lookup, `${name}.${k}`)]),
      )
    case 'record': {
      if (!isPlainObject(value)) throw bad()
      const fields = lookup.fieldTypes(type.cls)
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          const ft = fields?.get(k)
          return [k, ft ? coerceParam(v, ft, lookup, k) : v]
        }),
      )
    }
    default:
      return value
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
