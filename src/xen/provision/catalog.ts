/**
 * What a pool offers a new Docker VM, from the client's cache: the templates that can become one (the
 * pool's `CoreOS` template — Xen Orchestra's own test is the name — and templates tagged `docker-ready`
 * or named in the configuration), the ISOs, the SRs a disk can go on, and the networks guests use.
 */
import type { Xapi, XapiObject } from 'xen-api'
import type { CatalogItem, CatalogTemplate, PoolCatalog } from '../../core/provision-port.js'

export const COREOS_TEMPLATE = 'CoreOS'
export const DOCKER_READY_TAG = 'docker-ready'
/** The host-internal management network's bridge: guests never get a VIF on it from us. */
const HIMN_BRIDGE = 'xenapi'

const byName = (a: CatalogItem, b: CatalogItem) => a.name.localeCompare(b.name)

const ofType = (xapi: Xapi, type: string): XapiObject[] =>
  Object.values(xapi.objects.indexes.type[type] ?? {}) as XapiObject[]

const item = (o: XapiObject): CatalogItem => ({ uuid: String(o.uuid), name: String(o.name_label) })

export function templateOf(o: XapiObject, configured: readonly string[]): CatalogTemplate | undefined {
  if (o.is_a_template !== true || o.is_a_snapshot === true) return undefined
  const name = String(o.name_label)
  if (name === COREOS_TEMPLATE) {
    return { ...item(o), route: 'xscontainer', needsIso: true, why: "the pool's CoreOS template (xscontainer)" }
  }
  const tags = (o.tags ?? []) as readonly string[]
  if (tags.includes(DOCKER_READY_TAG))
    return { ...item(o), route: 'cidata', needsIso: false, why: 'tagged docker-ready' }
  if (configured.includes(name)) {
    return { ...item(o), route: 'cidata', needsIso: false, why: 'listed in the configuration' }
  }
  return undefined
}

export function catalogOf(pool: string, xapi: Xapi, configured: readonly string[]): PoolCatalog {
  const templates = ofType(xapi, 'VM')
    .map((o) => templateOf(o, configured))
    .filter((t): t is CatalogTemplate => t !== undefined)
    .sort(byName)
  const srs = ofType(xapi, 'SR')
  const isoSrs = new Set(srs.filter((s) => s.content_type === 'iso').map((s) => s.$ref))
  const isos = ofType(xapi, 'VDI')
    .filter((v) => isoSrs.has(String(v.SR)) && v.is_a_snapshot !== true)
    .map(item)
    .sort(byName)
  const defaultSr = String(xapi.pool.default_SR)
  const diskSrs = srs
    .filter((s) => s.content_type === 'user' && ((s.PBDs ?? []) as unknown[]).length > 0)
    .map((s) => ({ ...item(s), default: s.$ref === defaultSr }))
    .sort((a, b) => Number(b.default) - Number(a.default) || byName(a, b))
  // The first network is the form's default: the one on eth0 (xenbr0) where there is one.
  const networks = ofType(xapi, 'network')
    .filter((n) => n.bridge !== HIMN_BRIDGE && ((n.PIFs ?? []) as unknown[]).length > 0)
    .sort((a, b) => Number(b.bridge === 'xenbr0') - Number(a.bridge === 'xenbr0') || byName(item(a), item(b)))
    .map(item)
  return { pool, templates, isos, srs: diskSrs, networks }
}
