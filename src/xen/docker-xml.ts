/**
 * Reading what xscontainer writes into VM other_config (`docker_ps`, `docker_info`, `docker_version`)
 * the way Xen Orchestra does — fast-xml-parser, every value a string, attributes kept — plus the two
 * things XO leaves undone: xscontainer escapes text twice, so one more unescape restores `&`; and
 * `<SPECIAL_XS_ENCODED_ELEMENT name="80/tcp">` becomes the key `80/tcp` again. Malformed XML (a label
 * key that is not an XML name, XO issue #4617) is reported with the parser's reason, never thrown.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { Container, ContainerPort } from '../core/ports.js'

const SPECIAL = 'SPECIAL_XS_ENCODED_ELEMENT'

const parser = new XMLParser({
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // The callbacks need only the tag name: without the jPath string the parser does not build one for
  // every element (about a quarter of its work on docker_ps, measured by the alert-decisions bench).
  jPath: false,
  isArray: (name) => name === 'item' || name === SPECIAL,
})

export type XmlValue = string | XmlValue[] | { [key: string]: XmlValue }

export type ParsedXml<T> = { ok: true; value: T } | { ok: false; reason: string }

const unescapeOnce = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot|apos);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '',
  )

/** Turns the parser's tree into plain values: item lists as arrays, special elements as keys. */
function normalise(node: unknown): XmlValue {
  if (node === null || node === undefined) return ''
  if (typeof node !== 'object') return unescapeOnce(String(node))
  if (Array.isArray(node)) return node.map(normalise)
  const out: Record<string, XmlValue> = {}
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'item') return (value as unknown[]).map(normalise)
    if (key === SPECIAL) {
      for (const special of value as Record<string, unknown>[]) {
        const { name, '#text': text, ...rest } = special
        const inner = Object.keys(rest).length > 0 ? normalise(rest) : normalise(text ?? '')
        Object.defineProperty(out, String(name), { value: inner, enumerable: true, writable: true, configurable: true })
      }
      continue
    }
    if (key === '#text') return normalise(value)
    Object.defineProperty(out, key, { value: normalise(value), enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** Parses one of xscontainer's documents and returns the content of its root element. */
export function parseXsDocument(xml: string, root: string): ParsedXml<XmlValue> {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) {
    const { code, msg, line, col } = valid.err
    return { ok: false, reason: `${code}: ${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})` }
  }
  try {
    const tree = parser.parse(xml) as Record<string, unknown>
    if (!(root in tree)) return { ok: false, reason: `no <${root}> element` }
    return { ok: true, value: normalise(tree[root]) }
  } catch (error) {
    // The validator accepted it, so this is unexpected; still a reason to show, never a crash.
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

const str = (v: XmlValue | undefined): string => (typeof v === 'string' ? v : '')
const list = (v: XmlValue | undefined): XmlValue[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v])
const record = (v: XmlValue | undefined): Record<string, XmlValue> =>
  v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {}

function toPort(v: XmlValue): ContainerPort {
  const p = record(v)
  return {
    ip: str(p.IP) || undefined,
    privatePort: str(p.PrivatePort),
    publicPort: str(p.PublicPort) || undefined,
    type: str(p.Type) || 'tcp',
  }
}

function toContainer(item: XmlValue): Container {
  const e = record(record(item).entry)
  const id = str(e.id)
  return {
    id,
    key: str(e.container) || id.slice(0, 10),
    name: str(e.names).replace(/^\//, ''),
    image: str(e.image),
    command: str(e.command),
    state: str(e.state),
    status: str(e.status),
    created: str(e.created),
    ports: list(e.ports).map(toPort),
    labels: Object.fromEntries(Object.entries(record(e.labels)).map(([k, v]) => [k, str(v)])),
  }
}

/** `docker_ps` → containers; `<docker_ps/>` is an empty list. */
export function parseDockerPs(xml: string): ParsedXml<Container[]> {
  const parsed = parseXsDocument(xml, 'docker_ps')
  if (!parsed.ok) return parsed
  return { ok: true, value: list(parsed.value).map(toContainer) }
}

/** `docker_info` / `docker_version` / `docker_inspect` → a plain object of strings. */
export function parseXsRecord(xml: string, root: string): ParsedXml<Record<string, XmlValue>> {
  const parsed = parseXsDocument(xml, root)
  return parsed.ok ? { ok: true, value: record(parsed.value) } : parsed
}

/** `get_top`'s `<docker_top><item><Process><PID>…</PID>…</Process></item>…</docker_top>`. */
export function parseDockerTop(xml: string): ParsedXml<{ titles: string[]; processes: string[][] }> {
  const parsed = parseXsDocument(xml, 'docker_top')
  if (!parsed.ok) return parsed
  const rows = list(parsed.value).map((item) => record(record(item).Process))
  const titles = Object.keys(rows[0] ?? {})
  return { ok: true, value: { titles, processes: rows.map((r) => titles.map((t) => str(r[t]))) } }
}
