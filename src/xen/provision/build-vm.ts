/**
 * The build of one Docker-ready VM, step by step as the job's card shows it (xscontainer.md §4.5 for
 * how Xen Orchestra orders the same calls): copy the template onto the chosen SR, provision its disks
 * there, insert the install ISO, create the VIF, write the config drive (the plugin's on legacy pools,
 * our NoCloud drive elsewhere), register for container management, start, wait for the IP, wait for
 * Docker. A step that fails says why in plain words; the whole failure says what was left behind.
 */
import { UserError } from '../../core/errors.js'
import type { Inventory } from '../../core/ports.js'
import {
  BUILD_STEPS,
  type BuildContext,
  type BuildFailure,
  type BuiltVm,
  type NewVmPlan,
} from '../../core/provision-port.js'
import { callXapi } from '../call-xapi.js'
import { describeXapiError } from '../describe-xapi-error.js'
import type { PoolConnection } from '../pool-connection.js'
import { translateXenError } from '../xapi-errors.js'
import { DOCKER_READY_TAG } from './catalog.js'
import { buildConfigDrive, hostnameOf, noCloudFiles } from './cidata-drive.js'
import { JOB_KEY, leftoversOf } from './clean-up.js'
import { checkCloudConfig } from './cloud-config-check.js'
import { nameTaken } from './prepare-vm.js'
import { percent, runTask } from './run-task.js'
import { uploadRawVdi } from './upload-raw-vdi.js'
import { createVif, diskSpecOnSr, freeDevice, hostWithPack, insertIso } from './vm-devices.js'
import { waitForDocker, waitForIp } from './wait-for-guest.js'

/** other_config key on the bot's own config drive (VDI and VBD), naming its layout. */
export const DRIVE_KEY = 'xen-chatops-drive'
const DOCKER_TAG = 'docker'
const SSH_USER_KEY = 'xscontainer-username'

export interface BuildDeps {
  readonly connection: PoolConnection
  readonly inventory: Inventory
  readonly ipTimeoutMs: number
  readonly dockerTimeoutMs: number
  /** The bot's own public key line, added to modern guests so the SSH backend can log in. */
  readonly botPublicKey?: (() => string | undefined) | undefined
}

/** Any failure inside a step, as the sentence its card shows. */
function causeOf(error: unknown, plan: NewVmPlan): UserError {
  if (error instanceof UserError) return error
  const translated = translateXenError(error, { pool: plan.pool, vm: plan.name })
  if (translated instanceof UserError) return translated
  const code = (error as { code?: unknown } | null)?.code
  const words =
    typeof code === 'string' && Array.isArray((error as { params?: unknown }).params)
      ? `the pool refused it: ${describeXapiError(error)}`
      : `unexpected error: ${error instanceof Error ? error.message : String(error)}`
  return new UserError('vm.build_step_failed', words, { cause: error })
}

function checks(plan: NewVmPlan, ip?: string) {
  const legacy = plan.route === 'xscontainer'
  return {
    ip: legacy
      ? `check that it booted the ISO ${plan.iso?.name ?? ''} and that the guest agent runs (on CoreOS it comes from the config drive), and that network ${plan.network.name} gives it an address by DHCP`
      : `check that the template's image runs a guest agent (xe-guest-utilities or xen-guest-agent) and that network ${plan.network.name} gives it an address by DHCP`,
    docker: legacy
      ? `check that dom0 reaches ${ip ?? 'the VM'} over SSH (port 22 open; the pool key from the config drive in core's authorized_keys) and that Docker runs; /xen doctor shows xscontainer's own diagnosis`
      : `check that the bot reaches ${ip ?? 'the VM'} on port 22, that cloud-init read the cidata drive (${plan.sshUser}'s keys must be in place), and that Docker is installed and running (cloud-init's packages step needs network access)`,
  }
}

export async function buildVm(deps: BuildDeps, plan: NewVmPlan, ctx: BuildContext): Promise<BuiltVm> {
  const xapi = deps.connection.client
  if (!xapi) throw new UserError('xen.pool_unavailable', `pool ${plan.pool} is not connected right now`)
  const call = <T = unknown>(method: string, ...args: unknown[]) => callXapi<T>(xapi, method, ...args)
  const refOf = (uuid: string) => String(xapi.getObjectByUuid(uuid).$ref)
  const s = BUILD_STEPS
  let current: string = s.copy
  let vmRef: string | undefined
  let vmUuid: string | undefined
  /** Disks the bot created and has not attached yet: a failure must still name (and clean) them. */
  const loose: string[] = []
  const step = <T>(label: string, fn: (progress: (detail: string) => void) => Promise<T>) =>
    ctx.step(label, async (progress) => {
      current = label
      try {
        return await fn(progress)
      } catch (error) {
        throw causeOf(error, plan)
      }
    })
  try {
    vmRef = await step(s.copy, async (progress) => {
      // Checked again now: another build may have taken the name since this one was approved.
      if (nameTaken(xapi, plan.name)) {
        throw new UserError('vm.name_taken', `a VM named ${plan.name} was created in pool ${plan.pool} meanwhile`)
      }
      const ref = await runTask<string>(
        xapi,
        'VM.copy',
        [refOf(plan.template.uuid), plan.name, refOf(plan.sr.uuid)],
        (f) => progress(percent(f)),
      )
      vmUuid = await call<string>('VM.get_uuid', ref)
      await call('VM.add_to_other_config', ref, JOB_KEY, ctx.jobId)
      // The template's marker is not the VM's: a VM tagged docker-ready would read as a template offer.
      await call('VM.remove_tags', ref, DOCKER_READY_TAG)
      await call(
        'VM.set_name_description',
        ref,
        `Docker VM built by /coreos create for ${ctx.requester} (job ${ctx.jobId})`,
      )
      progress('100%')
      return ref
    })
    const vm = vmRef
    await step(s.provision, async (progress) => {
      await diskSpecOnSr(xapi, vm, plan.sr.uuid)
      await runTask(xapi, 'VM.provision', [vm], (f) => progress(percent(f)))
    })
    if (plan.iso) {
      const iso = plan.iso
      await step(s.iso, () => insertIso(xapi, vm, refOf(iso.uuid)))
    }
    await step(s.vif, () => createVif(xapi, vm, refOf(plan.network.uuid)))
    const uuid = vmUuid as string
    await step(s.drive, async (progress) => {
      if (plan.route === 'xscontainer') {
        const answer = await runTask<string>(xapi, 'host.call_plugin', [
          String(xapi.pool.master),
          'xscontainer',
          'create_config_drive',
          { vmuuid: uuid, sruuid: plan.sr.uuid, configuration: plan.userData },
        ])
        progress(`written by xscontainer (disk ${answer.replace(/^True/, '').slice(0, 8)})`)
        return
      }
      const botKey = deps.botPublicKey?.()
      const userData = botKey ? checkCloudConfig(plan.userData, 'cidata', botKey).userData : plan.userData
      const image = await buildConfigDrive({
        label: 'cidata',
        files: noCloudFiles({ vmUuid: uuid, hostname: hostnameOf(plan.name), userData }),
      })
      const vdi = await runTask<string>(xapi, 'VDI.create', [
        {
          name_label: `${plan.name} cloud-init drive`,
          name_description: `NoCloud drive (label cidata) written by /coreos create (job ${ctx.jobId})`,
          SR: refOf(plan.sr.uuid),
          virtual_size: image.length,
          type: 'user',
          sharable: false,
          read_only: false,
          other_config: { [JOB_KEY]: ctx.jobId, [DRIVE_KEY]: 'cidata' },
          xenstore_data: {},
          sm_config: {},
          tags: [],
        },
      ])
      loose.push(await call<string>('VDI.get_uuid', vdi))
      progress(`uploading ${Math.round(image.length / 1024 ** 2)} MiB`)
      await uploadRawVdi(deps.connection, vdi, image)
      await runTask(xapi, 'VBD.create', [
        {
          VM: vm,
          VDI: vdi,
          userdevice: await freeDevice(xapi, vm, ['1']),
          bootable: false,
          mode: 'RO',
          type: 'Disk',
          unpluggable: true,
          empty: false,
          other_config: { [DRIVE_KEY]: 'cidata' },
          qos_algorithm_type: '',
          qos_algorithm_params: {},
        },
      ])
      loose.length = 0
      progress('label cidata, read-only')
    })
    await step(s.register, async (progress) => {
      if (plan.route === 'xscontainer') {
        await runTask(xapi, 'host.call_plugin', [String(xapi.pool.master), 'xscontainer', 'register', { vmuuid: uuid }])
        progress('xscontainer monitors it')
        return
      }
      await call('VM.add_tags', vm, DOCKER_TAG)
      await call('VM.remove_from_other_config', vm, SSH_USER_KEY)
      await call('VM.add_to_other_config', vm, SSH_USER_KEY, plan.sshUser)
      progress(`tagged ${DOCKER_TAG}; SSH as ${plan.sshUser}`)
    })
    const built = { pool: plan.pool, uuid, name: plan.name, sshUser: plan.sshUser }
    if (!plan.start) {
      return { ...built, started: false, backend: backendNow(deps.inventory, plan.pool, uuid) }
    }
    await step(s.start, async (progress) => {
      if (plan.route !== 'xscontainer') {
        await runTask(xapi, 'VM.start', [vm, false, false], (f) => progress(percent(f)))
        return
      }
      // Only a host with the pack runs xscontainer's monitor: the VM must start on one of those.
      const host = await hostWithPack(xapi, plan.pool)
      await runTask(xapi, 'VM.start_on', [vm, host.ref, false, false], (f) => progress(`${percent(f)} on ${host.name}`))
      progress(`on ${host.name}`)
    })
    const ip = await step(s.ip, async (progress) => {
      const found = await waitForIp(deps.inventory, built, deps.ipTimeoutMs, checks(plan).ip)
      progress(found)
      return found
    })
    const summary = await step(s.docker, async (progress) => {
      const ready = await waitForDocker(
        deps.inventory,
        ctx.docker,
        built,
        deps.dockerTimeoutMs,
        checks(plan, ip).docker,
      )
      progress(`answers through ${ready.docker.backend.kind}`)
      return ready
    })
    return { ...built, started: true, ip, backend: summary.docker.backend }
  } catch (error) {
    const cause = error instanceof UserError ? error : causeOf(error, plan)
    const leftovers = await leftoversOf(xapi, plan.pool, vmUuid, loose).catch(() => ({
      pool: plan.pool,
      vm: vmUuid ? { uuid: vmUuid, name: plan.name } : undefined,
      disks: [],
    }))
    const failure: BuildFailure = { step: current, cause: cause.message, leftovers }
    throw new UserError('vm.build_failed', `${current} failed: ${cause.message}`, {
      details: { ...failure },
      source: cause.source,
      cause: error,
    })
  }
}

function backendNow(inventory: Inventory, pool: string, uuid: string) {
  const vm = inventory.vms({ pool }).find((v) => v.uuid === uuid)
  return vm?.docker.backend ?? { kind: 'none' as const, reason: 'not in the inventory yet' }
}
