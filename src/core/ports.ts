/**
 * The ports the command layer talks through (style rule 4): small interfaces owned by the core and
 * implemented in one folder each (src/xen for these). Types are platform-neutral: no XAPI refs, no
 * xen-api objects, nothing a chat adapter would have to understand about XenServer.
 */

export type PowerState = 'running' | 'halted' | 'paused' | 'suspended'

/** A pool connection's health, for the doctor and the alerts. */
export interface PoolStatus {
  readonly name: string
  readonly state: 'connecting' | 'synced' | 'degraded'
  /** Why the pool is degraded (or still connecting after a failure), in words. */
  readonly reason?: string | undefined
  /** When the state last changed (ms since the epoch). */
  readonly since: number
}

/** `xscontainer-monitor` in VM other_config: absent, `False`, or anything else (enabled, as XO reads it). */
export type DockerMonitor = 'absent' | 'disabled' | 'enabled'

export type BackendKind = 'xscontainer' | 'ssh' | 'none'

/** Which Docker backend serves a VM, and why: shown in every answer about the VM. */
export interface BackendChoice {
  readonly kind: BackendKind
  readonly reason: string
}

export interface ContainerPort {
  readonly ip?: string | undefined
  readonly privatePort: string
  readonly publicPort?: string | undefined
  readonly type: string
}

/** One container as the inventory knows it. Values are strings, as xscontainer's XML carries them. */
export interface Container {
  /** The full 64-hex id. */
  readonly id: string
  /** The 10-character short id xscontainer uses as its `container` key. */
  readonly key: string
  readonly name: string
  readonly image: string
  readonly command: string
  /** Docker's state word: running, exited, paused, restarting, created… (may be '' on old engines). */
  readonly state: string
  /** xscontainer's time-free status: `Up`, `Up (Paused)`, `Exited (137)`, `Restarting (1) …`. */
  readonly status: string
  readonly created: string
  readonly ports: readonly ContainerPort[]
  readonly labels: Readonly<Record<string, string>>
}

export interface HostRef {
  readonly name: string
  readonly uuid: string
}

export interface DockerFacts {
  readonly monitor: DockerMonitor
  readonly backend: BackendChoice
  /** Parsed `docker_ps`; undefined when the key is absent (not monitored, VM halted, not yet written). */
  readonly containers?: readonly Container[] | undefined
  /** Set when `docker_ps` (or info/version) exists but cannot be parsed: the parser's reason. */
  readonly unreadable?: string | undefined
  readonly info?: Readonly<Record<string, unknown>> | undefined
  readonly version?: Readonly<Record<string, unknown>> | undefined
  /** The account Docker is reached as over SSH (`xscontainer-username`); undefined: the default, `core`. */
  readonly sshUser?: string | undefined
}

export interface VmSummary {
  readonly pool: string
  readonly uuid: string
  readonly name: string
  readonly power: PowerState
  /** The host the VM runs on (undefined when halted). */
  readonly host?: HostRef | undefined
  /** Main IPv4/IPv6 address by Xen Orchestra's rule over the guest agent's networks. */
  readonly ip?: string | undefined
  readonly tags: readonly string[]
  readonly docker: DockerFacts
}

export type VmLookup =
  | { readonly kind: 'found'; readonly vm: VmSummary }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly VmSummary[] }
  | { readonly kind: 'not-found' }

/** A host of a pool, with the product it runs (`software_version`), for the alerts (issue #11). */
export interface PoolHost {
  readonly pool: string
  readonly name: string
  readonly uuid: string
  /** `product_brand` and `product_version`, `unknown` when the host does not say. */
  readonly brand: string
  readonly version: string
}

/**
 * An XAPI message: xapi's own (`VM_CRASHED`…) or one a plugin raised (xscontainer's "Container
 * Management cannot monitor VM", whose body is the monitor's diagnosis). For the alerts (issue #11).
 */
export interface PoolMessage {
  readonly pool: string
  readonly uuid: string
  readonly name: string
  readonly body: string
  /** The class of the object it is about (`VM`, `Host`…) and that object's UUID. */
  readonly cls: string
  readonly objUuid: string
  /** The VM it is about, when it is about a VM the inventory knows. */
  readonly vm?: VmSummary | undefined
}

export type InventoryChange =
  | { readonly kind: 'vm-added'; readonly vm: VmSummary }
  | { readonly kind: 'vm-removed'; readonly vm: VmSummary }
  | { readonly kind: 'vm-changed'; readonly vm: VmSummary; readonly previous: VmSummary }
  | { readonly kind: 'power-changed'; readonly vm: VmSummary; readonly from: PowerState; readonly to: PowerState }
  | { readonly kind: 'container-appeared'; readonly vm: VmSummary; readonly container: Container }
  | {
      readonly kind: 'container-changed'
      readonly vm: VmSummary
      readonly container: Container
      readonly previous: Container
    }
  | { readonly kind: 'container-vanished'; readonly vm: VmSummary; readonly container: Container }
  | { readonly kind: 'pool-status'; readonly status: PoolStatus }
  // Issue #11 (alerts): hosts joining or leaving a pool, and XAPI messages appearing or going away.
  | { readonly kind: 'host-added'; readonly host: PoolHost }
  | { readonly kind: 'host-removed'; readonly host: PoolHost }
  | { readonly kind: 'message-added'; readonly message: PoolMessage }
  | { readonly kind: 'message-removed'; readonly message: PoolMessage }

/** The live, indexed view of every configured pool. Reads never touch the network. */
export interface Inventory {
  pools(): readonly PoolStatus[]
  /** VMs (not templates, not control domains), optionally of one pool. */
  vms(filter?: { readonly pool?: string | undefined }): readonly VmSummary[]
  /** By exact name, UUID, or unique prefix of either, across pools. */
  findVm(query: string): VmLookup
  onChange(listener: (change: InventoryChange) => void): () => void
}

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause'

export interface ContainerProcessList {
  readonly titles: readonly string[]
  readonly processes: readonly (readonly string[])[]
}

/**
 * Docker inside one VM, whichever way it is reached. Methods take the VM as the inventory describes
 * it and a container by its 10-character key or full id; failures are UserErrors in plain words.
 */
export interface DockerBackend {
  readonly kind: BackendKind
  list(vm: VmSummary): Promise<readonly Container[]>
  inspect(vm: VmSummary, container: string): Promise<Readonly<Record<string, unknown>>>
  top(vm: VmSummary, container: string): Promise<ContainerProcessList>
  act(vm: VmSummary, container: string, action: ContainerAction): Promise<void>
  logs(vm: VmSummary, container: string, options: { readonly tail: number }): Promise<readonly string[]>
  stats(vm: VmSummary, container: string): Promise<Readonly<Record<string, unknown>>>
}
