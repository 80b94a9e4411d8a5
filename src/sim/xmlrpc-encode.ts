/**
 * XAPI's XML-RPC wire format, response side: formatting `methodResponse` documents (requests are
 * parsed in xmlrpc-parse.ts).
 *
 * Responses are written by hand, type-directed the way real xapi does it: int64 travels as a plain
 * string, floats as `<double>`, strings/enums/refs as bare text inside `<value>`, sets as arrays and
 * maps/records as structs. The output has no whitespace between tags, because Xen Orchestra's
 * client parses with `trim: false` and takes the first child of a `<value>` as its content.
 */
import type { TypeLookup, XapiType } from './xapi-type.js'

/**
 * Escapes text for XML element content: `& < > "` become entities, CR becomes `&#13;` (a literal
 * CR would be normalised to LF by the reader), and characters XML 1.0 cannot carry at all (C0
 * controls other than TAB/LF/CR, unpaired surrogates, U+FFFE/U+FFFF) become U+FFFD.
 */
export function escapeXmlText(text: string): string {
  let out = ''
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    let replacement: string | undefined
    if (code === 0x26) replacement = '&amp;'
    else if (code === 0x3c) replacement = '&lt;'
    else if (code === 0x3e) replacement = '&gt;'
    else if (code === 0x22) replacement = '&quot;'
    else if (code === 0x0d) replacement = '&#13;'
    else if (code < 0x20 && code !== 0x09 && code !== 0x0a) replacement = '\uFFFD'
    else if (code === 0xfffe || code === 0xffff) replacement = '\uFFFD'
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++ // a well-formed surrogate pair
        continue
      }
      replacement = '\uFFFD'
    } else if (code >= 0xdc00 && code <= 0xdfff) replacement = '\uFFFD'
    if (replacement !== undefined) {
      out += text.slice(start, i) + replacement
      start = i + 1
    }
  }
  return start === 0 ? text : out + text.slice(start)
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

/** A double's text form that Python's float() and JS parseFloat/Number accept; never NaN/Infinity. */
function formatDouble(n: number): string {
  if (!Number.isFinite(n)) return '0.0'
  const text = String(n)
  return /^-?[0-9]+$/.test(text) ? `${text}.0` : text
}

/** xapi's dateTime form, e.g. `20240101T13:20:11Z`. */
function formatDate(date: Date): string {
  const time = date.getTime()
  const iso = new Date(Number.isNaN(time) ? 0 : time).toISOString()
  return iso.replace(/-/g, '').replace(/\.[0-9]+Z$/, 'Z')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** What nested encoding needs: the datamodel lookup, and the class of `<class> record` values. */
interface EncodeContext {
  lookup: TypeLookup
  recordClass: string | undefined
}

function encodeStruct(
  entries: Iterable<readonly [string, unknown]>,
  typeOf: (key: string) => XapiType | undefined,
  ctx: EncodeContext | undefined,
): string {
  let members = ''
  for (const [key, member] of entries) {
    if (member === undefined) continue
    members += `<member><name>${escapeXmlText(key)}</name><value>${encodeContent(member, typeOf(key), ctx)}</value></member>`
  }
  return `<struct>${members}</struct>`
}

function encodeArray(
  items: readonly unknown[],
  itemType: XapiType | undefined,
  ctx: EncodeContext | undefined,
): string {
  return `<array><data>${items.map((item) => `<value>${encodeContent(item, itemType, ctx)}</value>`).join('')}</data></array>`
}

const untyped = (): undefined => undefined

/** The datamodel's prose result type of `event.from`. */
const EVENT_BATCH = 'an event batch'
const SNAPSHOT: XapiType = { kind: 'record', cls: '<class>' }

/**
 * `event.from`'s batch: each event's snapshot is a record of the event's own class, encoded with that
 * class's field types (int64 as strings) as xapi does; the other members go by shape.
 */
function encodeEventBatch(batch: Record<string, unknown>, ctx: EncodeContext): string {
  const { events, ...rest } = batch
  if (!Array.isArray(events)) return encodeStruct(Object.entries(batch), untyped, undefined)
  const encoded = events.map((event) => {
    if (!isPlainObject(event)) return `<value>${encodeUntyped(event)}</value>`
    const eventCtx = { ...ctx, recordClass: typeof event.class === 'string' ? event.class : undefined }
    return `<value>${encodeStruct(Object.entries(event), (key) => (key === 'snapshot' ? SNAPSHOT : undefined), eventCtx)}</value>`
  })
  const others = encodeStruct(Object.entries(rest), untyped, undefined).slice('<struct>'.length, -'</struct>'.length)
  return `<struct><member><name>events</name><value><array><data>${encoded.join('')}</data></array></value></member>${others}</struct>`
}

/** Encodes by the value's JS shape (no datamodel type known). */
function encodeUntyped(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return escapeXmlText(value)
    case 'boolean':
      return `<boolean>${value ? 1 : 0}</boolean>`
    case 'number':
      if (Number.isSafeInteger(value)) {
        return value >= INT32_MIN && value <= INT32_MAX ? `<int>${value}</int>` : String(value)
      }
      if (Number.isInteger(value)) return BigInt(value).toString()
      return `<double>${formatDouble(value)}</double>`
    case 'bigint':
      return value >= INT32_MIN && value <= INT32_MAX ? `<int>${value}</int>` : value.toString()
    case 'object':
      if (value === null) return ''
      if (Array.isArray(value)) return encodeArray(value, undefined, undefined)
      if (value instanceof Date) return `<dateTime.iso8601>${formatDate(value)}</dateTime.iso8601>`
      if (value instanceof Map) return encodeStruct(mapEntries(value), untyped, undefined)
      if (value instanceof Set) return encodeArray([...value], undefined, undefined)
      return encodeStruct(Object.entries(value), untyped, undefined)
    default:
      return '' // undefined, functions, symbols
  }
}

function mapKey(key: unknown): string {
  if (typeof key === 'string') return key
  if (typeof key === 'number' && Number.isFinite(key)) return BigInt(Math.trunc(key)).toString()
  return String(key)
}

function* mapEntries(map: ReadonlyMap<unknown, unknown>): Generator<readonly [string, unknown]> {
  for (const [key, value] of map) yield [mapKey(key), value]
}

/**
 * The content of a `<value>` element, type-directed. A value whose JS shape does not fit its
 * declared type is encoded by shape instead, so nothing is invented or dropped (null and
 * undefined become the empty string). Without a context (inside untyped data) everything is by shape.
 */
function encodeContent(value: unknown, type: XapiType | undefined, ctx: EncodeContext | undefined): string {
  if (type === undefined || ctx === undefined) return encodeUntyped(value)
  switch (type.kind) {
    case 'void':
      return ''
    case 'opaque':
      return type.text === EVENT_BATCH && isPlainObject(value) ? encodeEventBatch(value, ctx) : encodeUntyped(value)
    case 'option':
      return encodeContent(value, type.of, ctx)
    case 'string':
    case 'enum':
    case 'ref':
      return typeof value === 'string' ? escapeXmlText(value) : encodeUntyped(value)
    case 'int':
      // int64 travels as a string of decimal digits.
      if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value)).toString()
      if (typeof value === 'bigint') return value.toString()
      if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return value
      return encodeUntyped(value)
    case 'float':
      if (typeof value === 'number') return `<double>${formatDouble(value)}</double>`
      if (typeof value === 'bigint') return `<double>${formatDouble(Number(value))}</double>`
      return encodeUntyped(value)
    case 'bool':
      return typeof value === 'boolean' ? `<boolean>${value ? 1 : 0}</boolean>` : encodeUntyped(value)
    case 'datetime':
      if (typeof value === 'string') return `<dateTime.iso8601>${escapeXmlText(value)}</dateTime.iso8601>`
      if (value instanceof Date) return `<dateTime.iso8601>${formatDate(value)}</dateTime.iso8601>`
      return encodeUntyped(value)
    case 'set':
      if (Array.isArray(value)) return encodeArray(value, type.of, ctx)
      if (value instanceof Set) return encodeArray([...value], type.of, ctx)
      return encodeUntyped(value)
    case 'map': {
      const valueType = (): XapiType => type.value
      if (value instanceof Map) return encodeStruct(mapEntries(value), valueType, ctx)
      if (isPlainObject(value)) return encodeStruct(Object.entries(value), valueType, ctx)
      return encodeUntyped(value)
    }
    case 'record': {
      if (!isPlainObject(value)) return encodeUntyped(value)
      const cls = type.cls === '<class>' ? ctx.recordClass : type.cls
      if (cls === undefined) return encodeUntyped(value)
      const fields = ctx.lookup.fieldTypes(cls)
      return encodeStruct(Object.entries(value), (key) => fields?.get(key), ctx)
    }
  }
}

/**
 * Encodes one value as `<value>…</value>` following real xapi's type-directed rules. `recordClass`
 * is the class of `<class> record` values (event snapshots), which are otherwise encoded by shape.
 */
export function encodeXmlRpcValue(
  value: unknown,
  type: XapiType | undefined,
  lookup: TypeLookup,
  recordClass?: string,
): string {
  return `<value>${encodeContent(value, type, { lookup, recordClass })}</value>`
}

const RESPONSE_HEAD = '<?xml version="1.0"?><methodResponse><params><param><value><struct>'
const RESPONSE_TAIL = '</struct></value></param></params></methodResponse>'

/** A complete successful `methodResponse`: `{Status: "Success", Value: value}`. */
export function formatXmlRpcSuccess(value: unknown, type: XapiType | undefined, lookup: TypeLookup): string {
  return (
    `${RESPONSE_HEAD}<member><name>Status</name><value>Success</value></member>` +
    `<member><name>Value</name>${encodeXmlRpcValue(value, type, lookup)}</member>${RESPONSE_TAIL}`
  )
}

/** A complete failed `methodResponse`: `{Status: "Failure", ErrorDescription: [code, ...params]}`. */
export function formatXmlRpcFailure(errorDescription: readonly string[]): string {
  const items = errorDescription.map((item) => `<value>${escapeXmlText(String(item))}</value>`).join('')
  return (
    `${RESPONSE_HEAD}<member><name>Status</name><value>Failure</value></member>` +
    `<member><name>ErrorDescription</name><value><array><data>${items}</data></array></value></member>${RESPONSE_TAIL}`
  )
}

/**
 * An async task's `result` field: XAPI stores it as an XML-RPC value string (even for JSON-RPC
 * clients), e.g. `<value>OpaqueRef:…</value>`; a void result is the empty string.
 */
export function encodeTaskResult(value: unknown, type: XapiType | undefined, lookup: TypeLookup): string {
  if (type?.kind === 'void' || value === undefined) return ''
  return encodeXmlRpcValue(value, type, lookup)
}
