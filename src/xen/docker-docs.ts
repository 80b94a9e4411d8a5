/**
 * A VM's three xscontainer documents (`docker_ps`, `docker_info`, `docker_version`), parsed on first
 * read rather than when the VM is summarised. Parsing them was most of a cold sync's CPU time (2,000
 * Docker VMs are 6,000 documents; see the cold-sync benchmark), and most are never read: a command
 * reads one VM's, an alert the VMs that change. A document's parse is kept for as long as its text is
 * unchanged, so successive summaries of one VM share it and an unrelated change parses nothing.
 */
import type { Container } from '../core/ports.js'
import { type ParsedXml, parseDockerPs, parseXsRecord, type XmlValue } from './docker-xml.js'

/** One document's raw text and, once read, its parse. */
export class XsDoc<T> {
  readonly raw: string
  readonly #parse: (xml: string) => ParsedXml<T>
  readonly #counter: { parses: number }
  #result: ParsedXml<T> | undefined

  constructor(raw: string, parse: (xml: string) => ParsedXml<T>, counter: { parses: number }) {
    this.raw = raw
    this.#parse = parse
    this.#counter = counter
  }

  get result(): ParsedXml<T> {
    if (this.#result === undefined) {
      this.#counter.parses++
      this.#result = this.#parse(this.raw)
    }
    return this.#result
  }
}

export interface DockerDocs {
  readonly docker_ps?: XsDoc<Container[]> | undefined
  readonly docker_info?: XsDoc<Record<string, XmlValue>> | undefined
  readonly docker_version?: XsDoc<Record<string, XmlValue>> | undefined
}

export const DOC_KEYS = ['docker_ps', 'docker_info', 'docker_version'] as const

const PARSERS = {
  docker_ps: parseDockerPs,
  docker_info: (xml: string) => parseXsRecord(xml, 'docker_info'),
  docker_version: (xml: string) => parseXsRecord(xml, 'docker_version'),
}

/** What a VM without any of the three keys has (the same object every time). */
export const NO_DOCS: DockerDocs = Object.freeze({})

/** Per-VM memo of the documents last seen, so an unchanged text keeps its parse. */
export class DockerXmlCache {
  readonly #docs = new Map<string, DockerDocs>()
  /** How many documents were actually parsed (tests check that unrelated changes parse nothing). */
  parses = 0

  /** The VM's documents as `otherConfig` now holds them; those whose text is unchanged are the same objects. */
  docsOf(vmRef: string, otherConfig: Readonly<Record<string, string>>): DockerDocs {
    const ps = otherConfig.docker_ps
    const info = otherConfig.docker_info
    const version = otherConfig.docker_version
    if (ps === undefined && info === undefined && version === undefined) {
      this.#docs.delete(vmRef)
      return NO_DOCS
    }
    const known = this.#docs.get(vmRef) ?? NO_DOCS
    if (known.docker_ps?.raw === ps && known.docker_info?.raw === info && known.docker_version?.raw === version) {
      return known
    }
    const docs: DockerDocs = {
      docker_ps: this.#doc(known.docker_ps, ps, PARSERS.docker_ps),
      docker_info: this.#doc(known.docker_info, info, PARSERS.docker_info),
      docker_version: this.#doc(known.docker_version, version, PARSERS.docker_version),
    }
    this.#docs.set(vmRef, docs)
    return docs
  }

  forget(vmRef: string): void {
    this.#docs.delete(vmRef)
  }

  #doc<T>(
    known: XsDoc<T> | undefined,
    raw: string | undefined,
    parse: (xml: string) => ParsedXml<T>,
  ): XsDoc<T> | undefined {
    if (raw === undefined) return undefined
    return known?.raw === raw ? known : new XsDoc(raw, parse, this)
  }
}

/** The parsed value of a document, undefined when it is absent or unreadable. */
export function parsedValue<T>(doc: XsDoc<T> | undefined): T | undefined {
  const result = doc?.result
  return result?.ok ? result.value : undefined
}

/** The parser's reasons, one per unreadable document, as `docker_ps: <reason>; …`; undefined when none. */
export function problemsOf(docs: DockerDocs): string | undefined {
  const problems: string[] = []
  for (const key of DOC_KEYS) {
    const result = docs[key]?.result
    if (result && !result.ok) problems.push(`${key}: ${result.reason}`)
  }
  return problems.length > 0 ? problems.join('; ') : undefined
}
