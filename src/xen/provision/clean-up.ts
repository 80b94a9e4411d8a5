/**
 * What a failed build left behind, and removing it. Only what a `/coreos create` job made may be
 * removed: the VM carries the job's stamp in other_config, and so does every disk the bot created
 * itself; the VM's own disks are the ones attached to it alone (never an ISO, a shared disk, or a disk
 * another VM also uses). Everything is read from the pool (not the cache), so nothing is missed.
 */
import type { Xapi } from 'xen-api'
import { UserError } from '../../core/errors.js'
import { CLEANUP_STEPS, type Leftovers, type StepRunner } from '../../core/provision-port.js'
import { callXapi } from '../call-xapi.js'
import { runTask } from './run-task.js'

/** other_config key on the VM and the disks a build creates: the job id. */
export const JOB_KEY = 'xen-chatops-job'
const NULL_REF = 'OpaqueRef:NULL'

type Record_ = Readonly<Record<string, unknown>>

const gone = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'UUID_INVALID' || code === 'HANDLE_INVALID'
}

export function sizeText(bytes: number): string {
  const gib = bytes / 1024 ** 3
  return gib >= 1 ? `${Number(gib.toFixed(1))} GiB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MiB`
}

async function byUuid(xapi: Xapi, cls: string, uuid: string): Promise<string | undefined> {
  try {
    return await callXapi<string>(xapi, `${cls}.get_by_uuid`, uuid)
  } catch (error) {
    if (gone(error)) return undefined
    throw error
  }
}

const stamped = (record: Record_) => typeof (record.other_config as Record_ | undefined)?.[JOB_KEY] === 'string'

/** The disks only this VM uses (its system disk, its config drive), as VDI refs with their records. */
async function ownDisks(xapi: Xapi, vmRef: string, vbds: readonly string[]) {
  const disks: { ref: string; record: Record_ }[] = []
  for (const vbd of vbds) {
    const record = await callXapi<Record_>(xapi, 'VBD.get_record', vbd)
    const vdi = String(record.VDI)
    if (record.type === 'CD' || vdi === NULL_REF) continue
    const disk = await callXapi<Record_>(xapi, 'VDI.get_record', vdi)
    // A shared disk, or a read-only image the bot did not make, is not this VM's to remove.
    if (disk.sharable === true || (disk.read_only === true && !stamped(disk))) continue
    const users = await Promise.all(((disk.VBDs ?? []) as string[]).map((v) => callXapi<string>(xapi, 'VBD.get_VM', v)))
    if (users.every((user) => user === vmRef)) disks.push({ ref: vdi, record: disk })
  }
  return disks
}

export async function leftoversOf(
  xapi: Xapi,
  pool: string,
  vmUuid: string | undefined,
  diskUuids: readonly string[],
): Promise<Leftovers> {
  const disks: Leftovers['disks'][number][] = []
  const add = (record: Record_, attached: boolean) => {
    disks.push({
      uuid: String(record.uuid),
      name: String(record.name_label),
      size: sizeText(Number(record.virtual_size)),
      attached,
    })
  }
  let vm: Leftovers['vm']
  const vmRef = vmUuid === undefined ? undefined : await byUuid(xapi, 'VM', vmUuid)
  if (vmRef) {
    const record = await callXapi<Record_>(xapi, 'VM.get_record', vmRef)
    if (!stamped(record)) {
      throw new UserError(
        'vm.cleanup_refused',
        `${String(record.name_label)} was not built by /coreos create; the clean-up removes only what a build made`,
      )
    }
    vm = { uuid: String(record.uuid), name: String(record.name_label) }
    for (const disk of await ownDisks(xapi, vmRef, (record.VBDs ?? []) as string[])) add(disk.record, true)
  }
  for (const uuid of diskUuids) {
    if (disks.some((d) => d.uuid === uuid)) continue
    const ref = await byUuid(xapi, 'VDI', uuid)
    if (!ref) continue
    const record = await callXapi<Record_>(xapi, 'VDI.get_record', ref)
    if (!stamped(record)) {
      throw new UserError(
        'vm.cleanup_refused',
        `the disk ${String(record.name_label)} was not made by /coreos create; the clean-up leaves it alone`,
      )
    }
    add(record, false)
  }
  return { pool, vm, disks }
}

/** Removes the leftovers: the VM (stopped hard first if it runs), then the disks. */
export async function cleanUp(xapi: Xapi, leftovers: Leftovers, step: StepRunner): Promise<void> {
  const vm = leftovers.vm
  const vmRef = vm ? await byUuid(xapi, 'VM', vm.uuid) : undefined
  if (vmRef) {
    const power = await callXapi<string>(xapi, 'VM.get_power_state', vmRef)
    if (power !== 'Halted') {
      await step(CLEANUP_STEPS.stop, () => runTask(xapi, 'VM.hard_shutdown', [vmRef]))
    }
    // VM.destroy removes the VM's VBDs and VIFs; its disks (VDIs) outlive it until destroyed below.
    await step(CLEANUP_STEPS.vm, () => callXapi(xapi, 'VM.destroy', vmRef))
  }
  if (leftovers.disks.length === 0) return
  await step(CLEANUP_STEPS.disks, async (progress) => {
    let removed = 0
    for (const disk of leftovers.disks) {
      const ref = await byUuid(xapi, 'VDI', disk.uuid)
      if (ref) {
        try {
          await callXapi(xapi, 'VDI.destroy', ref)
        } catch (error) {
          if (!gone(error)) throw error
        }
      }
      progress(`${++removed} of ${leftovers.disks.length}`)
    }
  })
}
