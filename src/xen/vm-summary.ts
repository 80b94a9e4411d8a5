/**
 * From cached XAPI objects to the core's VmSummary. Parsing the docker_* XML is the only real work, so
 * it waits until a field that needs it is read, and is kept per VM on the raw text: a change event
 * that leaves docker_ps alone re-parses nothing (docker-docs.ts).
 */
import type { DockerFacts, PowerState, VmSummary } from '../core/ports.js'
import { chooseBackend, dockerMonitor } from './backend-choice.js'
import {
  DOC_KEYS,
  type DockerDocs,
  DockerXmlCache,
  NO_DOCS,
  parsedValue,
  problemsOf,
  type XsDoc,
} from './docker-docs.js'
import { mainIp } from './main-ip.js'

export { DockerXmlCache }

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

/**
 * The documents of each summary that has any, so two summaries can be compared without parsing what
 * did not change. A summary without an entry has none.
 */
const docsOfFacts = new WeakMap<DockerFacts, DockerDocs>()
const docsOf = (facts: DockerFacts): DockerDocs => docsOfFacts.get(facts) ?? NO_DOCS

function dockerFacts(vm: CachedVm, cache: DockerXmlCache, preference: 'auto' | 'ssh'): DockerFacts {
  const monitor = dockerMonitor(vm.other_config)
  const backend = chooseBackend(monitor, vm.tags, preference)
  const sshUser = vm.other_config['xscontainer-username']
  const docs = cache.docsOf(vm.$ref, vm.other_config)
  if (docs === NO_DOCS) {
    return {
      monitor,
      backend,
      containers: undefined,
      info: undefined,
      version: undefined,
      unreadable: undefined,
      sshUser,
    }
  }
  // Own enumerable getters, in the order the fields always had: spreads, JSON and deep equality see
  // plain values, and the XML is parsed only when one of them is read (docker-docs.ts).
  const facts = { monitor, backend } as { -readonly [K in keyof DockerFacts]: DockerFacts[K] }
  Object.defineProperties(facts, LAZY_FIELDS)
  facts.sshUser = sshUser
  docsOfFacts.set(facts, docs)
  return facts
}

/** The getters of the parsed fields, shared by every summary (they find its documents by `this`). */
const LAZY_FIELDS: PropertyDescriptorMap = {
  containers: lazyField((docs) => parsedValue(docs.docker_ps)),
  info: lazyField((docs) => parsedValue(docs.docker_info)),
  version: lazyField((docs) => parsedValue(docs.docker_version)),
  unreadable: lazyField(problemsOf),
}

function lazyField(read: (docs: DockerDocs) => unknown): PropertyDescriptor {
  return {
    enumerable: true,
    get(this: DockerFacts) {
      return read(docsOf(this))
    },
  }
}

/**
 * Whether two summaries read the same, as `JSON.stringify` would say, parsing only the documents whose
 * text differs: the same text is the same parse.
 */
export function sameSummary(a: VmSummary, b: VmSummary): boolean {
  if (JSON.stringify(withoutDocs(a)) !== JSON.stringify(withoutDocs(b))) return false
  const docsA = docsOf(a.docker)
  const docsB = docsOf(b.docker)
  return DOC_KEYS.every((key) => sameDoc(docsA[key], docsB[key]))
}

/** Whether `docker_ps` is the same text in both summaries (so the containers are the same). */
export const sameContainerText = (a: VmSummary, b: VmSummary) =>
  docsOf(a.docker).docker_ps?.raw === docsOf(b.docker).docker_ps?.raw

/** A document's parse decides its fields (the value, or the reason in `unreadable`): equal parses, equal fields. */
function sameDoc(a: XsDoc<unknown> | undefined, b: XsDoc<unknown> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.raw === b.raw || JSON.stringify(a.result) === JSON.stringify(b.result)
}

/** The summary without the fields its documents decide. */
const withoutDocs = (vm: VmSummary) => ({
  ...vm,
  docker: { monitor: vm.docker.monitor, backend: vm.docker.backend, sshUser: vm.docker.sshUser },
})

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
