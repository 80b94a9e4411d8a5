/**
 * From cached XAPI objects to the core's VmSummary. Parsing the docker_* XML is the only real work, so
 * it is cached per VM on the raw text: a change event that leaves docker_ps alone re-parses nothing.
 */
import type { Container, DockerFacts, PowerState, VmSummary } from '../core/ports.js'
import { chooseBackend, dockerMonitor } from './backend-choice.js'
import { type ParsedXml, parseDockerPs, parseXsRecord, type XmlValue } from './docker-xml.js'
import { mainIp } from './main-ip.js'

/** The fields of cached XAPI objects this module reads (xen-api's records, loosely typed). */
export interface CachedVm {
  readonly $ref: string
  readonly uuid: string
  readonly name_label: string
  readonly power_state: string
  readonly resident_on: string
  readonly guest_metrics: string
  readonly other_config: Readonly<Record<string, string>>
  readonly tags: readonly string[]
  readonly is_a_template: boolean
  readonly is_control_domain: boolean
  readonly is_a_snapshot: boolean
}

export interface CachedHost {
  readonly uuid: string
  readonly name_label: string
}

const POWER: Record<string, PowerState> = {
  Running: 'running',
  Halted: 'halted',
  Paused: 'paused',
  Suspended: 'suspended',
}

/** Plain VMs only: templates, snapshots and control domains are not something to run containers in. */
export const isPlainVm = (vm: CachedVm) => !vm.is_a_template && !vm.is_control_domain && !vm.is_a_snapshot

interface ParseCacheEntry<T> {
  readonly raw: string
  readonly parsed: ParsedXml<T>
}

/** Per-VM memo of the last parse of each docker_* key. */
export class DockerXmlCache {
  readonly #entries = new Map<string, ParseCacheEntry<unknown>>()
  /** How many XML documents were actually parsed (tests check that unrelated changes parse nothing). */
  parses = 0

  get<T>(vmRef: string, key: string, raw: string, parse: (xml: string) => ParsedXml<T>): ParsedXml<T> {
    const id = `${vmRef}/${key}`
    const hit = this.#entries.get(id)
    if (hit?.raw === raw) return hit.parsed as ParsedXml<T>
    this.parses++
    const parsed = parse(raw)
    this.#entries.set(id, { raw, parsed })
    return parsed
  }

  forget(vmRef: string): void {
    for (const key of ['docker_ps', 'docker_info', 'docker_version']) this.#entries.delete(`${vmRef}/${key}`)
  }
}

function dockerFacts(vm: CachedVm, cache: DockerXmlCache, preference: 'auto' | 'ssh'): DockerFacts {
  const monitor = dockerMonitor(vm.other_config)
  const backend = chooseBackend(monitor, vm.tags, preference)
  const problems: string[] = []
  const read = <T>(key: string, parse: (xml: string) => ParsedXml<T>): T | undefined => {
    const raw = vm.other_config[key]
    if (raw === undefined) return undefined
    const parsed = cache.get(vm.$ref, key, raw, parse)
    if (parsed.ok) return parsed.value
    problems.push(`${key}: ${parsed.reason}`)
    return undefined
  }
  const containers = read<Container[]>('docker_ps', parseDockerPs)
  const info = read<Record<string, XmlValue>>('docker_info', (x) => parseXsRecord(x, 'docker_info'))
  const version = read<Record<string, XmlValue>>('docker_version', (x) => parseXsRecord(x, 'docker_version'))
  return {
    monitor,
    backend,
    containers,
    info,
    version,
    unreadable: problems.length > 0 ? problems.join('; ') : undefined,
    sshUser: vm.other_config['xscontainer-username'],
  }
}

export function summarise(
  pool: string,
  vm: CachedVm,
  host: CachedHost | undefined,
  networks: Readonly<Record<string, string>> | undefined,
  cache: DockerXmlCache,
  preference: 'auto' | 'ssh' = 'auto',
): VmSummary {
  return {
    pool,
    uuid: vm.uuid,
    name: vm.name_label,
    power: POWER[vm.power_state] ?? 'halted',
    host: host ? { name: host.name_label, uuid: host.uuid } : undefined,
    ip: mainIp(networks),
    tags: [...vm.tags],
    docker: dockerFacts(vm, cache, preference),
  }
}
