/**
 * The XAPI datamodel's type language, as written in xenapi.json ("VM ref set",
 * "(string -> string) map", "enum vm_power_state", "<class> record", …), parsed into a tree.
 * The simulator uses it to fill default records, coerce incoming parameters, and encode XML-RPC
 * (where int64 travels as a string and floats as <double>, so the wire form depends on the type).
 */
export type XapiType =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'float' }
  | { kind: 'bool' }
  | { kind: 'datetime' }
  | { kind: 'enum'; name: string }
  | { kind: 'ref'; cls: string }
  | { kind: 'set'; of: XapiType }
  | { kind: 'map'; key: XapiType; value: XapiType }
  /** `<class> record` has cls `<class>` (the event snapshot: its class is only known at run time). */
  | { kind: 'record'; cls: string }
  | { kind: 'option'; of: XapiType }
  | { kind: 'void' }
  /** Anything the datamodel describes in prose ("an event batch"): encoded by the value's JS shape. */
  | { kind: 'opaque'; text: string }

/** What a codec needs to know about the datamodel to encode records by their field types. */
export interface TypeLookup {
  /** Field name → type for a class (case as in the datamodel, e.g. `VM`, `host`), or undefined. */
  fieldTypes(cls: string): ReadonlyMap<string, XapiType> | undefined
  /** Enum name → allowed values. */
  enumValues(name: string): readonly string[] | undefined
}

const NULL_REF = 'OpaqueRef:NULL'
const EPOCH = '19700101T00:00:00Z'
const DATETIME = /^\d{8}T\d{2}:\d{2}:\d{2}Z$/
const IDENT = /^(?:[A-Za-z_][A-Za-z0-9_]*|<class>)$/
const INT = /^-?\d+$/
// OCaml prints floats with a trailing dot (`1.`, `-1.`), which Number() accepts but JSON would not.
const FLOAT = /^-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?$/

/**
 * Splits at `sep` occurring outside quotes, parentheses and braces; both the type grammar
 * (`(VM ref -> (string -> string) map) map`) and default literals (`{"k" -> "a, b"}`) nest.
 */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === '"') quoted = false
    } else if (c === '"') quoted = true
    else if (c === '(' || c === '{') depth++
    else if (c === ')' || c === '}') depth--
    else if (depth === 0 && text.startsWith(sep, i)) {
      parts.push(text.slice(start, i))
      start = i + sep.length
      i += sep.length - 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

// Parsed types are shared between callers through the cache, so they are frozen.
const typeCache = new Map<string, XapiType>()

export function parseXapiType(text: string): XapiType {
  let type = typeCache.get(text)
  if (type === undefined) {
    type = Object.freeze(parseUncached(text.trim(), text))
    typeCache.set(text, type)
  }
  return type
}

function parseUncached(t: string, original: string): XapiType {
  const opaque: XapiType = { kind: 'opaque', text: original }
  if (t === 'string' || t === 'int' || t === 'float' || t === 'bool' || t === 'datetime' || t === 'void') {
    return { kind: t }
  }
  const enumMatch = /^enum (\S+)$/.exec(t)
  if (enumMatch?.[1] !== undefined) return { kind: 'enum', name: enumMatch[1] }
  const suffix = /^(.+) (ref|record|set|option|map)$/.exec(t)
  const [, body = '', kind] = suffix ?? []
  if ((kind === 'ref' || kind === 'record') && IDENT.test(body)) return { kind, cls: body }
  if (kind === 'set' || kind === 'option') {
    const of = parseXapiType(body)
    return of.kind === 'opaque' ? opaque : { kind, of }
  }
  if (kind === 'map' && body.startsWith('(') && body.endsWith(')')) {
    const sides = splitTop(body.slice(1, -1), ' -> ')
    if (sides.length !== 2) return opaque
    const key = parseXapiType(sides[0] ?? '')
    const value = parseXapiType(sides[1] ?? '')
    return key.kind === 'opaque' || value.kind === 'opaque' ? opaque : { kind: 'map', key, value }
  }
  return opaque
}

/** Renders a type back in the datamodel's spelling, for messages. */
export function formatXapiType(t: XapiType): string {
  if (t.kind === 'enum') return `enum ${t.name}`
  if (t.kind === 'ref' || t.kind === 'record') return `${t.cls} ${t.kind}`
  if (t.kind === 'set' || t.kind === 'option') return `${formatXapiType(t.of)} ${t.kind}`
  if (t.kind === 'map') return `(${formatXapiType(t.key)} -> ${formatXapiType(t.value)}) map`
  return t.kind === 'opaque' ? t.text : t.kind
}

type EnumValues = (name: string) => readonly string[] | undefined

export function defaultValue(type: XapiType, defaultText: string | undefined, enumValues: EnumValues): unknown {
  const literal = defaultText === undefined ? undefined : parseLiteral(type, defaultText.trim(), enumValues)
  return literal === undefined ? emptyValue(type, enumValues) : literal.value
}

const SCALAR_EMPTY: Record<string, unknown> = { int: 0, float: 0, bool: false, datetime: EPOCH, ref: NULL_REF }

// Containers are built per call: callers store defaults in records and may mutate them.
function emptyValue(type: XapiType, enumValues: EnumValues): unknown {
  if (type.kind === 'enum') return enumValues(type.name)?.[0] ?? ''
  if (type.kind === 'set') return []
  if (type.kind === 'map' || type.kind === 'record') return {}
  // '' stands for None; only object-shaped payloads get {} so the value still checks as the inner type.
  if (type.kind === 'option') return type.of.kind === 'record' || type.of.kind === 'map' ? {} : ''
  return SCALAR_EMPTY[type.kind] ?? ''
}

function unquote(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return undefined
  // OCaml's String.escaped: \n, \t, \\, \" and three-digit decimal codes.
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b' }
  return text
    .slice(1, -1)
    .replace(/\\(\d{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : (escapes[e] ?? e)))
}

/** The value a datamodel default literal denotes, or undefined when the literal is not understood. */
function parseLiteral(type: XapiType, text: string, enumValues: EnumValues): { value: unknown } | undefined {
  switch (type.kind) {
    case 'string': {
      const s = unquote(text)
      return s === undefined ? undefined : { value: s }
    }
    case 'int':
      return INT.test(text) ? { value: Number(text) } : undefined
    case 'float':
      return FLOAT.test(text) ? { value: Number(text) } : undefined
    case 'bool':
      return text === 'true' || text === 'false' ? { value: text === 'true' } : undefined
    case 'datetime':
      return DATETIME.test(text) ? { value: text } : undefined
    case 'enum': {
      const values = enumValues(type.name)
      const name = unquote(text) ?? text
      return values?.includes(name) ? { value: name } : undefined
    }
    case 'ref':
      // A fresh database holds none of the objects a concrete default ref names (the datamodel's
      // `{OpaqueRef:0165f154-…}` on subject.roles is a role of the real pool), so only NULL survives.
      return text === 'Null' || text.startsWith('OpaqueRef:') ? { value: NULL_REF } : undefined
    case 'set': {
      const items = braced(text)
      if (items === undefined) return undefined
      if (type.of.kind === 'ref') return { value: [] }
      const values = items.map((item) => parseLiteral(type.of, item, enumValues))
      return values.every((v) => v !== undefined) ? { value: values.map((v) => v?.value) } : undefined
    }
    case 'map': {
      const entries = braced(text)
      if (entries === undefined) return undefined
      const out: Record<string, unknown> = {}
      for (const entry of entries) {
        const [k, v, ...rest] = splitTop(entry, ' -> ').map((s) => s.trim())
        const key = k === undefined ? undefined : parseLiteral(type.key, k, enumValues)
        const value = v === undefined ? undefined : parseLiteral(type.value, v, enumValues)
        if (key === undefined || value === undefined || rest.length > 0) return undefined
        out[String(key.value)] = value.value
      }
      return { value: out }
    }
    case 'record':
      return text === '{}' ? { value: {} } : undefined
    case 'option':
      return parseLiteral(type.of, text, enumValues)
    default:
      return undefined
  }
}

/** `{a, b}` → ['a', 'b'], `{}` → []; undefined when not brace-delimited. */
function braced(text: string): string[] | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined
  const inner = text.slice(1, -1).trim()
  return inner === '' ? [] : splitTop(inner, ',').map((s) => s.trim())
}

export interface CheckContext {
  enumValues(name: string): readonly string[] | undefined
  /** Class of a live object's ref, or undefined when no such object exists. */
  classOfRef(ref: string): string | undefined
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (Array.isArray(value)) return 'array'
  return value === null ? 'null' : typeof value === 'object' ? 'object' : String(value)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

const SHAPES: Partial<Record<XapiType['kind'], (v: unknown) => boolean>> = {
  string: (v) => typeof v === 'string',
  int: Number.isInteger,
  float: Number.isFinite,
  bool: (v) => typeof v === 'boolean',
  datetime: (v) => typeof v === 'string' && DATETIME.test(v),
  record: isPlainObject,
  void: (v) => v === '',
}

/** Problems with a JSON-RPC wire value against a datamodel type; empty when it conforms. */
export function checkValue(value: unknown, type: XapiType, ctx: CheckContext, path = '$'): string[] {
  const fail = (): string[] => [`${path}: expected ${formatXapiType(type)}, got ${describe(value)}`]
  const shape = SHAPES[type.kind]
  if (shape) return shape(value) ? [] : fail()
  switch (type.kind) {
    case 'enum': {
      const values = ctx.enumValues(type.name)
      if (values === undefined) return [`${path}: unknown enum ${type.name}`]
      return typeof value === 'string' && values.includes(value) ? [] : fail()
    }
    case 'ref': {
      if (value === NULL_REF) return []
      if (typeof value !== 'string' || !value.startsWith('OpaqueRef:')) return fail()
      const cls = ctx.classOfRef(value)
      if (cls === undefined) return [`${path}: expected ${type.cls} ref, got dangling ${value}`]
      return cls.toLowerCase() === type.cls.toLowerCase()
        ? []
        : [`${path}: expected ${type.cls} ref, got ${value} of class ${cls}`]
    }
    case 'set':
      return Array.isArray(value) ? value.flatMap((item, i) => checkValue(item, type.of, ctx, `${path}[${i}]`)) : fail()
    case 'map': {
      if (!isPlainObject(value)) return fail()
      const { key, value: of } = type
      return Object.entries(value).flatMap(([k, v]) => {
        const at = childPath(path, k)
        // JSON object keys are always strings: an int key travels as its decimal text, and only
        // ref and enum keys carry a constraint beyond that.
        let keyProblems: string[] = []
        if (key.kind === 'int' && !INT.test(k)) keyProblems = [`${at}: expected int key, got ${describe(k)}`]
        if (key.kind === 'ref' || key.kind === 'enum') keyProblems = checkValue(k, key, ctx, `${at} (key)`)
        return [...keyProblems, ...checkValue(v, of, ctx, at)]
      })
    }
    case 'option':
      return value === '' || value === undefined ? [] : checkValue(value, type.of, ctx, path)
    default:
      return []
  }
}
