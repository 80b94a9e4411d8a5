/**
 * The VM lifecycle subset the bot and its tests need, with xapi's power-state rules and errors.
 * Durations are in simulated seconds (see clock.ts); tasks show progress while they run.
 */
import { XMLParser } from 'fast-xml-parser'
import { NULL_REF } from '../object-store.js'
import type { CallContext, SimPool } from '../sim-pool.js'
import { fault } from '../xapi-fault.js'
import { toXapiDate } from '../xapi-time.js'
import { clearGuestMetrics, scheduleGuestReport } from './guest-agent.js'
import { assertNoConflict, runOperation } from './run-operation.js'
import { createVdi, duplicateVm } from './vm-factory.js'

const SECONDS = { clone: 2, copy: 10, provision: 3, start: 4, shutdown: 4, hardShutdown: 1, reboot: 6 }
const VBD_DEVICES = 16
const VIF_DEVICES = 7

/**
 * The power states each operation accepts, in the order xapi lists them in VM_BAD_POWER_STATE
 * (xapi_vm_lifecycle.ml `allowed_power_states`: `expected` is these states, lower case, joined by ", ").
 */
const ALLOWED_POWER: Record<string, readonly string[]> = {
  start: ['Halted'],
  start_on: ['Halted'],
  provision: ['Halted'],
  clone: ['Halted'],
  copy: ['Halted'],
  clean_shutdown: ['Running'],
  clean_reboot: ['Running'],
  hard_shutdown: ['Paused', 'Suspended', 'Running'],
  destroy: ['Halted', 'Suspended'],
}

/** What a template may do (xapi_vm_lifecycle.ml `check_template`); destroy only if not a default template. */
const TEMPLATE_OPS = ['clone', 'copy', 'provision']

const provisionParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'disk',
})

function power(pool: SimPool, vm: string): string {
  return String(pool.store.get('VM', vm).power_state)
}

/** VM_BAD_POWER_STATE [vm, expected, actual] with the states in lower case, as xapi does. */
function requirePower(pool: SimPool, vm: string, op: string): void {
  const allowed = ALLOWED_POWER[op] ?? []
  const actual = power(pool, vm)
  if (!allowed.includes(actual)) {
    throw fault('VM_BAD_POWER_STATE', vm, allowed.map((s) => s.toLowerCase()).join(', '), actual.toLowerCase())
  }
}

/**
 * xapi's checks before a VM operation, in xapi's order (xapi_vm_lifecycle.ml `check_operation_error`):
 * the power state, then operations already in progress, then the template rules.
 */
function checkOperation(pool: SimPool, vm: string, op: string): void {
  requirePower(pool, vm, op)
  assertNoConflict(pool.store, 'VM', vm, op)
  const record = pool.store.get('VM', vm)
  if (record.is_a_template === true) {
    const defaultTemplate =
      record.is_default_template === true || (record.other_config as Record<string, string>).default_template === 'true'
    const allowed = TEMPLATE_OPS.includes(op) || (op === 'destroy' && !defaultTemplate)
    if (!allowed) throw fault('VM_IS_TEMPLATE', vm, op)
  } else if (op === 'provision') {
    throw fault('ONLY_PROVISION_TEMPLATE')
  }
}

function setPower(
  pool: SimPool,
  vm: string,
  to: string,
  fields: Record<string, unknown> = {},
  how: 'clean' | 'hard' = 'clean',
): void {
  const from = power(pool, vm)
  pool.store.update('VM', vm, { power_state: to, ...fields })
  // A running domain has its disks and network devices attached; a halted one has none.
  const attached = to !== 'Halted'
  const record = pool.store.get('VM', vm)
  for (const vbd of record.VBDs as string[]) {
    const empty = pool.store.get('VBD', vbd).empty === true && pool.store.get('VBD', vbd).type !== 'CD'
    if (!empty) pool.store.update('VBD', vbd, { currently_attached: attached })
  }
  for (const vif of record.VIFs as string[]) pool.store.update('VIF', vif, { currently_attached: attached })
  pool.hooks.emit('vm-power', vm, from, to, how)
}

/** Picks the enabled host with the fewest resident VMs, as a stand-in for xapi's placement. */
function chooseHost(pool: SimPool): string {
  const hosts = [...pool.store.records('host')].filter(([, h]) => h.enabled !== false)
  hosts.sort(([, a], [, b]) => (a.resident_VMs as string[]).length - (b.resident_VMs as string[]).length)
  const chosen = hosts[0]?.[0]
  if (!chosen) throw fault('NO_HOSTS_AVAILABLE')
  return chosen
}

/** A domain id no running domain of the pool has (scenario VMs get theirs from the builder). */
function nextDomid(pool: SimPool): number {
  let max = 0
  for (const [, vm] of pool.store.records('VM')) max = Math.max(max, Number(vm.domid) || 0)
  return max + 1
}

function markStarted(pool: SimPool, vm: string): void {
  const metrics = pool.store.get('VM', vm).metrics
  if (pool.store.has('VM_metrics', metrics)) {
    pool.store.update('VM_metrics', metrics, { start_time: toXapiDate(pool.clock.now()) })
  }
}

async function start(ctx: CallContext, vm: string, paused: boolean, host: string | undefined): Promise<string> {
  const { pool } = ctx
  const op = host === undefined ? 'start' : 'start_on'
  checkOperation(pool, vm, op)
  if (host !== undefined) pool.store.get('host', host)
  return runOperation(ctx, 'VM', vm, op, SECONDS.start, () => {
    requirePower(pool, vm, op)
    setPower(pool, vm, paused ? 'Paused' : 'Running', {
      resident_on: host ?? chooseHost(pool),
      domid: nextDomid(pool),
    })
    markStarted(pool, vm)
    if (!paused) scheduleGuestReport(pool, vm)
    return ''
  })
}

/** A clean shutdown lets the guest stop its services; a hard one pulls the plug (Docker sees no stop). */
function halt(pool: SimPool, vm: string, how: 'clean' | 'hard'): void {
  clearGuestMetrics(pool, vm)
  setPower(pool, vm, 'Halted', { resident_on: NULL_REF, domid: -1 }, how)
}

function provision(ctx: CallContext, vm: string): Promise<string> {
  const { pool } = ctx
  checkOperation(pool, vm, 'provision')
  const record = pool.store.get('VM', vm)
  const xml = (record.other_config as Record<string, string>).disks ?? ''
  const parsed = xml ? provisionParser.parse(xml) : {}
  const disks: Record<string, string>[] = parsed?.provision?.disk ?? []
  return runOperation(ctx, 'VM', vm, 'provision', SECONDS.provision, () => {
    // xapi_vm.ml `provision` turns the template into a VM first, whether or not it has disks to make.
    pool.store.update('VM', vm, { is_a_template: false })
    const defaultSr = pool.store.get('pool', pool.poolRef).default_SR as string
    for (const disk of disks) {
      const sr = disk.sr ? pool.store.byUuid('SR', disk.sr) : defaultSr
      if (!pool.store.has('SR', sr)) throw fault('HANDLE_INVALID', 'SR', sr)
      const vdi = createVdi(pool, {
        name_label: `${record.name_label} ${disk.device ?? '0'}`,
        SR: sr,
        virtual_size: Number(disk.size ?? 0),
        type: disk.type === 'system' || !disk.type ? 'system' : disk.type,
        other_config: { vmhint: String(record.uuid) },
      })
      pool.store.create('VBD', {
        VM: vm,
        VDI: vdi,
        userdevice: String(disk.device ?? '0'),
        bootable: disk.bootable === 'true',
        mode: 'RW',
        type: 'Disk',
        empty: false,
      })
    }
    // xapi_templates.ml `post_install` removes the provision spec once the disks exist, so a second
    // provision cannot double them.
    pool.store.mutate('VM', vm, (r) => {
      const { disks: _done, ...rest } = r.other_config as Record<string, string>
      r.other_config = rest
    })
    return ''
  })
}

function freeDevices(pool: SimPool, vm: string, cls: 'VBD' | 'VIF', count: number): string[] {
  const field = cls === 'VBD' ? 'userdevice' : 'device'
  const used = new Set(
    (pool.store.get('VM', vm)[`${cls}s`] as string[]).map((ref) => String(pool.store.get(cls, ref)[field])),
  )
  return Array.from({ length: count }, (_, i) => String(i)).filter((d) => !used.has(d))
}

/**
 * VM.copy's SR: xapi_vm.ml `copy` treats an SR ref that does not exist (XO sends '') as "next to the
 * original disks", and refuses an ISO SR.
 */
function copyTarget(pool: SimPool, sr: string): string | undefined {
  if (!pool.store.has('SR', sr)) return undefined
  if (pool.store.get('SR', sr).content_type === 'iso') {
    throw fault('OPERATION_NOT_ALLOWED', "Cannot copy a VM's disks to an ISO SR")
  }
  return sr
}

export function registerVmHandlers(pool: SimPool): void {
  const h = pool.handlers
  h.set('VM.clone', (ctx, vm: string, name: string) => {
    checkOperation(pool, vm, 'clone')
    return runOperation(ctx, 'VM', vm, 'clone', SECONDS.clone, () => duplicateVm(pool, vm, name, undefined))
  })
  h.set('VM.copy', (ctx, vm: string, name: string, sr: string) => {
    checkOperation(pool, vm, 'copy')
    const target = copyTarget(pool, sr)
    return runOperation(ctx, 'VM', vm, 'copy', SECONDS.copy, () => duplicateVm(pool, vm, name, target))
  })
  h.set('VM.provision', (ctx, vm: string) => provision(ctx, vm))
  h.set('VM.start', (ctx, vm: string, paused: boolean) => start(ctx, vm, paused, undefined))
  h.set('VM.start_on', (ctx, vm: string, host: string, paused: boolean) => start(ctx, vm, paused, host))
  h.set('VM.clean_shutdown', (ctx, vm: string) => {
    checkOperation(pool, vm, 'clean_shutdown')
    return runOperation(ctx, 'VM', vm, 'clean_shutdown', SECONDS.shutdown, () => {
      requirePower(pool, vm, 'clean_shutdown')
      halt(pool, vm, 'clean')
      return ''
    })
  })
  h.set('VM.hard_shutdown', (ctx, vm: string) => {
    checkOperation(pool, vm, 'hard_shutdown')
    return runOperation(ctx, 'VM', vm, 'hard_shutdown', SECONDS.hardShutdown, () => {
      halt(pool, vm, 'hard')
      return ''
    })
  })
  h.set('VM.clean_reboot', (ctx, vm: string) => {
    checkOperation(pool, vm, 'clean_reboot')
    return runOperation(ctx, 'VM', vm, 'clean_reboot', SECONDS.reboot, () => {
      // A hard shutdown may have overtaken the reboot.
      requirePower(pool, vm, 'clean_reboot')
      clearGuestMetrics(pool, vm)
      pool.hooks.emit('vm-power', vm, 'Running', 'Halted')
      // A reboot builds a new domain: a new domid and start time.
      pool.store.update('VM', vm, { domid: nextDomid(pool) })
      markStarted(pool, vm)
      pool.hooks.emit('vm-power', vm, 'Halted', 'Running')
      scheduleGuestReport(pool, vm)
      return ''
    })
  })
  h.set('VM.destroy', (_ctx, vm: string) => {
    checkOperation(pool, vm, 'destroy')
    clearGuestMetrics(pool, vm)
    const record = pool.store.get('VM', vm)
    for (const vbd of record.VBDs as string[]) pool.store.destroy('VBD', vbd)
    for (const vif of record.VIFs as string[]) pool.store.destroy('VIF', vif)
    if (pool.store.has('VM_metrics', record.metrics)) pool.store.destroy('VM_metrics', record.metrics)
    pool.store.destroy('VM', vm)
    pool.guests.delete(vm)
    return ''
  })
  h.set('VM.get_allowed_VBD_devices', (_ctx, vm: string) => freeDevices(pool, vm, 'VBD', VBD_DEVICES))
  h.set('VM.get_allowed_VIF_devices', (_ctx, vm: string) => freeDevices(pool, vm, 'VIF', VIF_DEVICES))
}
