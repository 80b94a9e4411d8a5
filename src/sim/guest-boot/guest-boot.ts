/**
 * What a VM the bot built finds when it first boots (scenario VMs already know what they run):
 *
 * - a CoreOS template VM booted from the CoreOS ISO with xscontainer's "Automatic Config Drive" comes
 *   up as a CoreOS live system: coreos-cloudinit reads `openstack/latest/user_data` from the drive,
 *   installs the keys in it for `core` (the pool's key among them, so dom0 can reach Docker), and starts
 *   the guest agent from the drive — so without the drive there is no agent and no IP;
 * - a cloud-init or Flatcar template VM with a FAT drive labelled `cidata` (in the root directory, as
 *   udev needs it) reads `user-data` and `meta-data` from it: its default account gets the keys, Docker is
 *   there if the image ships it (Flatcar) or the cloud-config installs it, and the image's agent reports
 *   an IP.
 *
 * The guest then behaves as any simulated guest does: a Docker engine, an SSH face, the agent's report.
 */
import { load } from 'js-yaml'
import { DockerDaemon } from '../docker/docker-daemon.js'
import { GuestSsh } from '../guest-ssh/guest-ssh.js'
import { scheduleGuestReport } from '../handlers/guest-agent.js'
import { NULL_REF } from '../object-store.js'
import type { SimPool } from '../sim-pool.js'
import { readConfigDrive } from '../xscontainer/config-drive.js'
import { readFatFiles, readFatLabels, warmUpFatReader } from './fat-image.js'
import { nextGuestIp } from './guest-ip.js'

export interface GuestUserBoot {
  /** Lines of the account's authorized_keys after the config was applied. */
  readonly keys: readonly string[]
  /** In the `docker` group (may use the Docker socket). */
  readonly docker: boolean
}

/** What one boot of a built VM did, for tests and for the SSH face. */
export interface GuestBoot {
  readonly how: 'coreos-live' | 'cloud-init' | 'no-config' | 'nothing-to-boot'
  readonly hostname: string
  readonly users: Readonly<Record<string, GuestUserBoot>>
  readonly dockerInstalled: boolean
  readonly agent: boolean
}

const boots = new WeakMap<SimPool, Map<string, GuestBoot>>()

/** How the built VM `vmRef` of `pool` booted; undefined for a scenario VM or one that never started. */
export function guestBootOf(pool: SimPool, vmRef: string): GuestBoot | undefined {
  return boots.get(pool)?.get(vmRef)
}

export function installGuestBoot(pool: SimPool): void {
  warmUpFatReader()
  pool.hooks.on('vm-power', (vm, from, to) => {
    if (from !== 'Halted' || to !== 'Running') return
    const guest = pool.guests.get(vm)
    // A scenario guest (or one booted before) already knows what it runs.
    if (!guest || guest.docker || guest.ips.length > 0 || boots.get(pool)?.has(vm)) return
    void firstBoot(pool, vm)
  })
}

interface Media {
  /** The ISO in the VM's CD drive, by name. */
  readonly iso: string | undefined
  /** Raw contents of the VM's non-CD disks that hold data, with their VBD and VDI other_config. */
  readonly disks: readonly { readonly vdi: string; readonly marked: boolean; readonly data: Buffer | undefined }[]
}

function mediaOf(pool: SimPool, vm: string): Media {
  const { store } = pool
  let iso: string | undefined
  const disks: Media['disks'][number][] = []
  for (const vbd of store.get('VM', vm).VBDs as string[]) {
    const record = store.get('VBD', vbd)
    const vdi = String(record.VDI)
    if (vdi === NULL_REF || !store.has('VDI', vdi)) continue
    if (record.type === 'CD') iso = String(store.get('VDI', vdi).name_label)
    else {
      const marked =
        'config-drive' in (record.other_config as object) ||
        'config-drive' in (store.get('VDI', vdi).other_config as object)
      disks.push({ vdi, marked, data: pool.vdiData.get(vdi) })
    }
  }
  return { iso, disks }
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []

function parseCloudConfig(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('#cloud-config')) return undefined
  try {
    const doc = load(text)
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** CoreOS from its ISO: the live system configured by coreos-cloudinit from the plugin's drive. */
function coreosLive(pool: SimPool, media: Media, name: string): GuestBoot {
  const drive = media.disks.find((d) => d.marked)
  const userData = drive ? readConfigDrive(pool, drive.vdi)?.files['openstack/latest/user_data'] : undefined
  const doc = userData === undefined ? undefined : parseCloudConfig(userData)
  if (!doc || userData === undefined) {
    // No config drive: CoreOS boots, but the guest agent lives on the drive.
    return { how: 'no-config', hostname: 'localhost', users: {}, dockerInstalled: true, agent: false }
  }
  return {
    how: 'coreos-live',
    hostname: typeof doc.hostname === 'string' ? doc.hostname : name,
    users: { core: { keys: asList(doc.ssh_authorized_keys), docker: true } },
    dockerInstalled: true,
    // The template's unit runs the agent from /media/configdrive/agent; a cloud-config without it has none.
    agent: userData.includes('xe-daemon'),
  }
}

const DOCKER_PACKAGES = ['docker.io', 'docker-ce', 'docker', 'moby-engine']

/** A cloud-init (or Flatcar) image reading its NoCloud drive; undefined when it finds none. */
async function cloudInit(media: Media, distro: string, name: string): Promise<GuestBoot | undefined> {
  for (const disk of media.disks) {
    if (!disk.data) continue
    const label = readFatLabels(disk.data).root
    // Flatcar's Ignition matches /dev/disk/by-label/cidata in lower case only; cloud-init either case.
    if (label !== 'cidata' && !(label === 'CIDATA' && distro !== 'flatcar')) continue
    const files = await readFatFiles(disk.data)
    const userData = files?.['user-data']?.toString('utf8')
    const metaData = files?.['meta-data']?.toString('utf8')
    // NoCloud needs both files; without them the datasource is not used at all.
    if (userData === undefined || metaData === undefined) continue
    const meta = /^local-hostname:\s*(\S+)/m.exec(metaData)?.[1]
    const doc = parseCloudConfig(userData) ?? {}
    const imageUser = distro === 'flatcar' ? 'core' : distro === 'ubuntu' ? 'ubuntu' : 'cloud-user'
    const defaults = (doc.system_info as { default_user?: { name?: unknown; groups?: unknown } } | undefined)
      ?.default_user
    const defaultName = typeof defaults?.name === 'string' ? defaults.name : imageUser
    const users: Record<string, GuestUserBoot> = {
      [defaultName]: {
        keys: asList(doc.ssh_authorized_keys),
        docker: distro === 'flatcar' || asList(defaults?.groups).includes('docker'),
      },
    }
    for (const entry of Array.isArray(doc.users) ? doc.users : []) {
      if (typeof entry !== 'object' || entry === null || typeof (entry as { name?: unknown }).name !== 'string')
        continue
      const u = entry as { name: string; ssh_authorized_keys?: unknown; groups?: unknown }
      const groups = typeof u.groups === 'string' ? u.groups.split(',').map((g) => g.trim()) : asList(u.groups)
      users[u.name] = { keys: asList(u.ssh_authorized_keys), docker: groups.includes('docker') }
    }
    const packages = asList(doc.packages)
    return {
      how: 'cloud-init',
      hostname: meta ?? name,
      users,
      dockerInstalled: distro === 'flatcar' || packages.some((p) => DOCKER_PACKAGES.includes(p)),
      agent: true,
    }
  }
  return undefined
}

async function firstBoot(pool: SimPool, vm: string): Promise<void> {
  const guest = pool.guests.get(vm)
  if (!guest) return
  const name = String(pool.store.get('VM', vm).name_label)
  const media = mediaOf(pool, vm)
  let boot: GuestBoot
  if (media.iso !== undefined && /coreos/i.test(media.iso)) boot = coreosLive(pool, media, name)
  else if (guest.distro === 'coreos') {
    // The CoreOS template's disk is blank: without its ISO there is nothing to boot.
    boot = { how: 'nothing-to-boot', hostname: '', users: {}, dockerInstalled: false, agent: false }
  } else {
    // No drive it can read: the image boots as it is (Flatcar ships Docker; a cloud image does not).
    boot = (await cloudInit(media, guest.distro, name)) ?? {
      how: 'no-config',
      hostname: name,
      users: {},
      dockerInstalled: guest.distro === 'flatcar',
      agent: guest.tools,
    }
  }
  if (pool.closed || !pool.store.has('VM', vm)) return
  const map = boots.get(pool) ?? new Map<string, GuestBoot>()
  boots.set(pool, map)
  map.set(vm, boot)
  const running = pool.store.get('VM', vm).power_state === 'Running'
  guest.tools = boot.agent
  guest.ips = boot.agent ? [nextGuestIp(pool)] : []
  if (boot.dockerInstalled) {
    guest.docker = new DockerDaemon({
      clock: pool.clock,
      hostname: boot.hostname || name.toLowerCase(),
      containers: [],
      up: running,
      ...(boot.how === 'coreos-live' ? { os: 'Container Linux by CoreOS 2345.3.0 (Rhyolite)' } : {}),
    })
  }
  // The accounts the config set up, with the keys it put in their authorized_keys (the pool's key among
  // them on CoreOS, so xscontainer's monitor logs in with it; the bot's on modern guests).
  const users = Object.entries(boot.users).map(([userName, user]) => ({
    name: userName,
    authorizedKeys: [...user.keys],
    docker: user.docker,
  }))
  guest.ssh = new GuestSsh({
    server: boot.how === 'coreos-live' || boot.how === 'cloud-init',
    // Only keys the drive really installed count: nothing is preset.
    poolKeyAuthorized: false,
    ncat: boot.how === 'coreos-live',
    socket: boot.dockerInstalled,
    dockerCli: boot.dockerInstalled,
    ...(users.length > 0 ? { users } : {}),
  })
  // The agent reports once the guest is up (this supersedes the report VM.start scheduled).
  if (running) scheduleGuestReport(pool, vm)
}
