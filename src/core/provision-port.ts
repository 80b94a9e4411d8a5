/**
 * The provisioning port (issue #9, `/coreos create`): what a pool offers for a new Docker-ready VM, the
 * checks that turn a filled-in form into an exact build plan, the build itself as a job's steps, and
 * the clean-up of what a failed build left behind. Implemented in src/xen/provision/; everything here is
 * platform-neutral data (names and UUIDs, never XAPI refs).
 */
import type { BackendChoice, DockerBackend, VmSummary } from './ports.js'

/**
 * How a template becomes a Docker VM: `xscontainer` is the legacy CoreOS path (the plugin writes the
 * config drive and registers the VM); `cidata` is the bot's own NoCloud drive for cloud-init and
 * Flatcar templates, with Docker reached over SSH.
 */
export type BuildRoute = 'xscontainer' | 'cidata'

export interface CatalogItem {
  readonly uuid: string
  readonly name: string
}

export interface CatalogTemplate extends CatalogItem {
  readonly route: BuildRoute
  /** The template boots an installer or live ISO (CoreOS), so an ISO must be inserted. */
  readonly needsIso: boolean
  /** Why it is offered: "the pool's CoreOS template", "tagged docker-ready", "listed in the configuration". */
  readonly why: string
}

/** What one pool offers a new VM; read from the pool's cache, no network. */
export interface PoolCatalog {
  readonly pool: string
  readonly templates: readonly CatalogTemplate[]
  readonly isos: readonly CatalogItem[]
  readonly srs: readonly (CatalogItem & { readonly default: boolean })[]
  readonly networks: readonly CatalogItem[]
}

/** The form as submitted: UUIDs for what was picked, the key and cloud-config as typed. */
export interface NewVmRequest {
  readonly name: string
  readonly pool: string
  readonly template: string
  readonly iso?: string | undefined
  readonly sr: string
  readonly network: string
  readonly sshKey: string
  /** Absent: the pool's default (the plugin's template on legacy pools, the project's on modern ones). */
  readonly cloudConfig?: string | undefined
  readonly start: boolean
}

/** What ssh2's parser found in the public key, shown back to the user. */
export interface SshKeyFacts {
  /** `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`… */
  readonly type: string
  readonly bits: number
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string
  /** The key as one authorized_keys line: type, base64 and the comment if there was one. */
  readonly line: string
}

/**
 * Everything a build needs, decided before approval: approving binds to a digest of this, so nothing
 * here may depend on the time or on chance.
 */
export interface NewVmPlan {
  readonly pool: string
  readonly name: string
  readonly route: BuildRoute
  readonly template: CatalogItem
  readonly iso?: CatalogItem | undefined
  readonly sr: CatalogItem
  readonly network: CatalogItem
  readonly key: SshKeyFacts
  /** The cloud-config that goes on the drive, the user's key already in `ssh_authorized_keys`. */
  readonly userData: string
  /** The account the key logs in as (`core` on CoreOS and Flatcar, and in the project's cloud-init template). */
  readonly sshUser: string
  readonly start: boolean
}

/** One named step of the job (its card shows it); `progress` updates the step's detail while it runs. */
export type StepRunner = <T>(label: string, fn: (progress: (detail: string) => void) => Promise<T>) => Promise<T>

export interface BuildContext {
  readonly step: StepRunner
  /** The Docker backend serving a VM: the build waits until it answers. */
  readonly docker: (vm: VmSummary) => DockerBackend
  /** Stamped on the VM and the disks the build creates, so a clean-up removes only what a build made. */
  readonly jobId: string
  /** Who asked, for the VM's description. */
  readonly requester: string
}

export interface BuiltVm {
  readonly pool: string
  readonly uuid: string
  readonly name: string
  readonly started: boolean
  readonly ip?: string | undefined
  readonly sshUser: string
  readonly backend: BackendChoice
}

/** What a failed build left behind (or what a clean-up will remove). */
export interface Leftovers {
  readonly pool: string
  readonly vm?: CatalogItem | undefined
  /**
   * The VM's own disks (`attached`) and disks the build made but had not attached yet, each with its
   * size in words.
   */
  readonly disks: readonly (CatalogItem & { readonly size: string; readonly attached: boolean })[]
}

/** The `details` of the UserError a failed build throws: which step, why, and what is left. */
export interface BuildFailure {
  readonly step: string
  readonly cause: string
  readonly leftovers: Leftovers
}

export interface Provisioning {
  /** What `pool` offers a new VM; undefined for an unknown or not yet connected pool. */
  catalog(pool: string): PoolCatalog | undefined
  /** The cloud-config a template starts from (asks the plugin on legacy pools). */
  defaultCloudConfig(pool: string, template: string): Promise<string>
  /** Checks a request; UserErrors carry `details.field`, the form input they are about. */
  prepare(request: NewVmRequest): Promise<NewVmPlan>
  /** Runs the build's steps; a failure is a UserError whose details are a BuildFailure. */
  build(plan: NewVmPlan, context: BuildContext): Promise<BuiltVm>
  /**
   * What a clean-up of `vm` (a VM UUID) and the unattached `disks` (VDI UUIDs) would remove; refuses
   * anything no `/coreos create` job made. Returns no VM and no disks when all is gone already.
   */
  leftovers(pool: string, vm: string | undefined, disks: readonly string[]): Promise<Leftovers>
  /** Removes them: the VM (shut down hard if it runs), its own disks, the unattached disks. */
  cleanUp(leftovers: Leftovers, step: StepRunner): Promise<void>
}

/**
 * What a private key looks like in any format OpenSSH, ssh2 or PuTTY writes, even one no parser can
 * decrypt: judged from the text alone, so the form's schema can refuse it before it is audited or stored.
 */
export const looksLikePrivateKey = (text: string) =>
  /PRIVATE KEY-----|PuTTY-User-Key-File-|BEGIN SSH2 ENCRYPTED PRIVATE KEY/.test(text)

export const PRIVATE_KEY_WARNING =
  'that is a PRIVATE key: never paste it anywhere. Treat it as leaked: make a new key pair, remove this key from every authorized_keys it is in, then paste the new PUBLIC key (the .pub file, one line starting with ssh-ed25519 or ssh-rsa)'

/** The build's steps, in order; the card lists them from the start. */
export const BUILD_STEPS = {
  copy: 'copy the template',
  provision: 'provision the disks',
  iso: 'insert the install ISO',
  vif: 'create the network interface',
  drive: 'build the config drive',
  register: 'register for container management',
  start: 'start the VM',
  ip: "wait for the guest's IP",
  docker: 'wait for Docker to answer',
} as const

export function buildSteps(plan: Pick<NewVmPlan, 'iso' | 'start'>): string[] {
  const s = BUILD_STEPS
  return [
    s.copy,
    s.provision,
    ...(plan.iso ? [s.iso] : []),
    s.vif,
    s.drive,
    s.register,
    ...(plan.start ? [s.start, s.ip, s.docker] : []),
  ]
}

/** The clean-up's steps (stopping is skipped when the VM is halted). */
export const CLEANUP_STEPS = {
  stop: 'stop the VM',
  vm: 'remove the VM',
  disks: 'remove the disks',
} as const
