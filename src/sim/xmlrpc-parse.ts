/**
 * XAPI's XML-RPC wire format, request side: parsing `methodCall` documents into a method name and
 * params. Parsing uses fast-xml-parser (document order kept, no value conversion, no trimming) with
 * strict entity decoding, then interprets the tree as XML-RPC values. Responses: xmlrpc-encode.ts.
 */
import { type EntityDecoderOptions, XMLParser, XMLValidator } from 'fast-xml-parser'

export interface XmlRpcCall {
  method: string
  params: unknown[]
}

export class XmlRpcParseError extends Error {
  override name = 'XmlRpcParseError'
}

interface XmlElement {
  name: string
  children: XmlChild[]
}
type XmlChild = XmlElement | string

const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
])

/** Whether a code point is a legal XML 1.0 character. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  )
}

/** Decodes XML's predefined entities and character references; anything else is an error. */
function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&([^;&<]*)(;?)/g, (_match, ref: string, semicolon: string) => {
    const shown = `&${ref.slice(0, 20)}${semicolon}`
    if (semicolon !== ';') throw new XmlRpcParseError(`unterminated entity reference '${shown}'`)
    const named = PREDEFINED_ENTITIES.get(ref)
    if (named !== undefined) return named
    let code: number
    if (/^#x[0-9A-Fa-f]{1,8}$/.test(ref)) code = Number.parseInt(ref.slice(2), 16)
    else if (/^#[0-9]{1,10}$/.test(ref)) code = Number.parseInt(ref.slice(1), 10)
    else throw new XmlRpcParseError(`unknown entity '${shown}'`)
    if (!isXmlChar(code)) throw new XmlRpcParseError(`character reference '${shown}' is not a legal XML character`)
    return String.fromCodePoint(code)
  })
}

/**
 * Strict XML entity decoding for fast-xml-parser: only the five predefined entities and numeric
 * character references. Entities declared in a DOCTYPE are ignored, so referencing one fails.
 */
const entityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: decodeXmlEntities,
}

const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Values stay strings ("007" and "1e3" are strings unless typed) and whitespace is kept:
  // whitespace inside a <string> is data, whitespace between elements is dropped below.
  parseTagValue: false,
  trimValues: false,
  entityDecoder,
  maxNestedTags: 1000,
})

/** fast-xml-parser's order-preserving output → a small typed tree. */
function toTree(raw: unknown): XmlChild[] {
  if (!Array.isArray(raw)) throw new XmlRpcParseError('unexpected XML parser output')
  const out: XmlChild[] = []
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) throw new XmlRpcParseError('unexpected XML parser output')
    const record = item as Record<string, unknown>
    if (Object.hasOwn(record, '#text')) {
      const text = record['#text']
      if (text !== undefined && text !== null && text !== '') out.push(String(text))
      continue
    }
    const name = Object.keys(record).find((key) => key !== ':@')
    if (name === undefined) throw new XmlRpcParseError('unexpected XML parser output')
    out.push({ name, children: toTree(record[name]) })
  }
  return out
}

function isWhitespace(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text)
}

/** The element children of a container element; non-whitespace text in it is an error. */
function elementsOf(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = []
  for (const child of element.children) {
    if (typeof child !== 'string') out.push(child)
    else if (!isWhitespace(child)) throw new XmlRpcParseError(`unexpected text inside <${element.name}>`)
  }
  return out
}

/** The text content of a leaf element; nested elements are an error. */
function textOf(element: XmlElement): string {
  let text = ''
  for (const child of element.children) {
    if (typeof child !== 'string') {
      throw new XmlRpcParseError(`unexpected element <${child.name}> inside <${element.name}>`)
    }
    text += child
  }
  return text
}

function onlyChild(element: XmlElement, name: string): XmlElement {
  const children = elementsOf(element)
  const [first] = children
  if (children.length !== 1 || first === undefined || first.name !== name) {
    throw new XmlRpcParseError(`<${element.name}> must contain exactly one <${name}>`)
  }
  return first
}

function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty rather than assignment, so a member named "__proto__" is an ordinary own property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function decodeInteger(element: XmlElement): number {
  const text = textOf(element).trim()
  if (!/^[+-]?[0-9]+$/.test(text)) throw new XmlRpcParseError(`<${element.name}> is not an integer: '${text}'`)
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new XmlRpcParseError(`<${element.name}> is out of range: '${text}'`)
  return n === 0 ? 0 : n // no -0
}

function decodeDouble(element: XmlElement): number {
  const text = textOf(element).trim()
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) {
    throw new XmlRpcParseError(`<double> is not a number: '${text}'`)
  }
  return Number(text)
}

function decodeBase64(element: XmlElement): string {
  const text = textOf(element).replace(/[ \t\r\n]+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new XmlRpcParseError('<base64> is not valid base64')
  }
  return Buffer.from(text, 'base64').toString('utf8')
}

function decodeStruct(element: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const member of elementsOf(element)) {
    if (member.name !== 'member') throw new XmlRpcParseError(`unexpected <${member.name}> inside <struct>`)
    let name: string | undefined
    let valueElement: XmlElement | undefined
    for (const part of elementsOf(member)) {
      if (part.name === 'name' && name === undefined) name = textOf(part)
      else if (part.name === 'value' && valueElement === undefined) valueElement = part
      else throw new XmlRpcParseError(`unexpected <${part.name}> inside <member>`)
    }
    if (name === undefined || valueElement === undefined) {
      throw new XmlRpcParseError('<member> must contain one <name> and one <value>')
    }
    defineMember(out, name, decodeValue(valueElement))
  }
  return out
}

function decodeArray(element: XmlElement): unknown[] {
  const children = elementsOf(element)
  if (children.length === 0) return []
  const [data] = children
  if (children.length !== 1 || data === undefined || data.name !== 'data') {
    throw new XmlRpcParseError('<array> must contain one <data>')
  }
  return elementsOf(data).map((item) => {
    if (item.name !== 'value') throw new XmlRpcParseError(`unexpected <${item.name}> inside <data>`)
    return decodeValue(item)
  })
}

function decodeValue(value: XmlElement): unknown {
  const elements = value.children.filter((child): child is XmlElement => typeof child !== 'string')
  // No typed element: the (possibly empty, possibly all-whitespace) text is a string.
  if (elements.length === 0) return textOf(value)
  const typed = onlyChild(value, elements[0]?.name ?? '')
  switch (typed.name) {
    case 'string':
      return textOf(typed)
    case 'int':
    case 'i4':
    case 'i8':
      return decodeInteger(typed)
    case 'double':
      return decodeDouble(typed)
    case 'boolean': {
      const text = textOf(typed).trim()
      if (text === '1') return true
      if (text === '0') return false
      throw new XmlRpcParseError(`<boolean> must be 0 or 1, not '${text}'`)
    }
    case 'dateTime.iso8601':
      return textOf(typed).trim()
    case 'base64':
      return decodeBase64(typed)
    case 'nil':
      if (!isWhitespace(textOf(typed))) throw new XmlRpcParseError('<nil> must be empty')
      return null
    case 'struct':
      return decodeStruct(typed)
    case 'array':
      return decodeArray(typed)
    default:
      throw new XmlRpcParseError(`unknown XML-RPC value type <${typed.name}>`)
  }
}

/** Parses an XML-RPC `methodCall` document; throws XmlRpcParseError on anything malformed. */
export function parseXmlRpcCall(body: string): XmlRpcCall {
  const xml = body.startsWith('\uFEFF') ? body.slice(1) : body
  const validation = XMLValidator.validate(xml)
  if (validation !== true) {
    const { msg, line, col } = validation.err
    throw new XmlRpcParseError(`malformed XML: ${msg} (line ${line}, column ${col})`)
  }
  let roots: XmlChild[]
  try {
    roots = toTree(xmlParser.parse(xml))
  } catch (error) {
    if (error instanceof XmlRpcParseError) throw error
    throw new XmlRpcParseError(`malformed XML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const root = onlyChild({ name: '#document', children: roots }, 'methodCall')

  let method: string | undefined
  let params: unknown[] | undefined
  for (const child of elementsOf(root)) {
    if (child.name === 'methodName' && method === undefined) {
      method = textOf(child).trim()
    } else if (child.name === 'params' && params === undefined) {
      params = elementsOf(child).map((param) => {
        if (param.name !== 'param') throw new XmlRpcParseError(`unexpected <${param.name}> inside <params>`)
        return decodeValue(onlyChild(param, 'value'))
      })
    } else {
      throw new XmlRpcParseError(`unexpected <${child.name}> inside <methodCall>`)
    }
  }
  if (method === undefined || method === '') throw new XmlRpcParseError('<methodCall> has no <methodName>')
  return { method, params: params ?? [] }
}
