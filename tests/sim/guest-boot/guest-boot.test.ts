/**
 * How VMs built while the simulator runs boot: a cloud-init image finds its NoCloud drive only by the
 * label Linux sees (the root-directory entry, not the boot sector alone), and gets its keys and Docker
 * from it; a CoreOS VM needs its ISO to boot at all and the config drive for its guest agent (and so
 * for an IP). The calls are XAPI's, in-process; the drive is written by the bot's own builder.
 */
import { describe, expect, it } from 'vitest'
import { guestBootOf } from '../../../src/sim/guest-boot/guest-boot.js'
import type { SimPool } from '../../../src/sim/sim-pool.js'
import { buildConfigDrive, noCloudFiles, rootDirectoryOffset } from '../../../src/xen/provision/cidata-drive.js'
import { ManualClock, startSim } from '../../helpers/sim.js'
import { driveClock, refOf, waitFor } from '../../helpers/xen.js'

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2 alice@laptop'
const USER_DATA = `#cloud-config\nsystem_info:\n  default_user:\n    name: core\n    groups: [docker]\nssh_authorized_keys:\n  - ${KEY}\npackages: [docker.io]\n`

async function call<T = string>(pool: SimPool, method: string, ...args: unknown[]): Promise<T> {
  const answer = pool.call(method, [pool.internalSession(), ...args])
  // On a manual clock the operation's simulated seconds pass only when the test moves the clock.
  const done = pool.clock instanceof ManualClock ? await driveClock(pool.clock, answer) : await answer
  return done.value as T
}

/** A VM from `template`, provisioned, with `image` (if any) attached as a read-only disk, then started. */
async function buildAndStart(pool: SimPool, template: string, name: string, image?: Buffer): Promise<string> {
  const vm = await call(pool, 'VM.copy', refOf(pool, 'VM', template), name, '')
  await call(pool, 'VM.provision', vm)
  if (image) {
    const sr = String(pool.store.get('pool', pool.poolRef).default_SR)
    const vdi = await call(pool, 'VDI.create', {
      name_label: 'drive',
      SR: sr,
      virtual_size: image.length,
      type: 'user',
    })
    pool.vdiData.set(vdi, image)
    await call(pool, 'VBD.create', { VM: vm, VDI: vdi, userdevice: '1', mode: 'RO', type: 'Disk', bootable: false })
  }
  await call(pool, 'VM.start', vm, false, false)
  return vm
}

describe('guests built while the simulator runs', () => {
  it('a cloud-init VM reads a drive labelled cidata in the root directory, and not one labelled only in the boot sector', async () => {
    const sim = await startSim({ scenario: 'demo' })
    const pool = sim.pool('lab-modern').pool
    const files = noCloudFiles({ vmUuid: 'u-1', hostname: 'web-5', userData: USER_DATA })
    const good = await buildConfigDrive({ label: 'cidata', files })
    const vm = await buildAndStart(pool, 'Ubuntu 24.04 cloud-init', 'web-5', good)
    await waitFor(() => pool.store.get('VM', vm).guest_metrics !== 'OpaqueRef:NULL', 5000, 'the guest agent')
    expect(guestBootOf(pool, vm)).toEqual({
      how: 'cloud-init',
      hostname: 'web-5',
      users: { core: { keys: [KEY], docker: true } },
      dockerInstalled: true,
      agent: true,
    })
    expect(pool.guests.get(vm)?.docker?.up).toBe(true)

    // The same drive with its root-directory label entry deleted: blkid reports only LABEL_FATBOOT.
    const bootOnly = await buildConfigDrive({ label: 'cidata', files })
    const root = rootDirectoryOffset(bootOnly)
    for (let at = root; bootOnly[at] !== 0; at += 32) if (bootOnly[at + 11] === 0x08) bootOnly[at] = 0xe5
    const other = await buildAndStart(pool, 'Ubuntu 24.04 cloud-init', 'web-6', bootOnly)
    await waitFor(() => guestBootOf(pool, other), 5000, 'the boot')
    expect(guestBootOf(pool, other)).toMatchObject({ how: 'no-config', users: {}, dockerInstalled: false })
  })

  it('a CoreOS VM without its ISO boots nothing, and with the ISO but no config drive has no agent: no IP either way', async () => {
    const clock = new ManualClock()
    const sim = await startSim({ scenario: 'demo', clock })
    const pool = sim.pool('lab-legacy').pool
    const bare = await buildAndStart(pool, 'CoreOS', 'bare')
    const withIso = await call(pool, 'VM.copy', refOf(pool, 'VM', 'CoreOS'), 'iso-only', '')
    await call(pool, 'VM.provision', withIso)
    const iso = refOf(pool, 'VDI', 'coreos_production_iso_image.iso')
    await call(pool, 'VBD.create', { VM: withIso, VDI: iso, userdevice: '3', mode: 'RO', type: 'CD', bootable: true })
    await call(pool, 'VM.start', withIso, false, false)
    await waitFor(() => guestBootOf(pool, bare) && guestBootOf(pool, withIso), 5000, 'both boots')
    expect(guestBootOf(pool, bare)?.how).toBe('nothing-to-boot')
    expect(guestBootOf(pool, withIso)).toMatchObject({ how: 'no-config', agent: false, dockerInstalled: true })
    // Long past the template's 20 s boot: an agent would have reported by now.
    await clock.advance(120_000)
    for (const vm of [bare, withIso]) {
      expect(pool.guests.get(vm)?.ips).toEqual([])
      expect(pool.store.get('VM', vm).guest_metrics).toBe('OpaqueRef:NULL')
    }
  })
})
