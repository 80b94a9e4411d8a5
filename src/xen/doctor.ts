/**
 * The doctor (issue #12, the Doctor port): what is wrong with each pool, and how to fix it. It reads
 * the client caches and the inventory, and probes each host that should have the xscontainer pack
 * with a harmless plugin call. Every probe runs concurrently under its own timeout, so one hung host
 * costs the report one "no answer" line, not its completion.
 */

import type { Xapi, XapiObject } from 'xen-api'
import type { Doctor, DoctorCheck, DoctorPoolReport, DoctorReport } from '../core/doctor-port.js'
import { UserError } from '../core/errors.js'
import type { Inventory, VmSummary } from '../core/ports.js'
import { callXapi } from './call-xapi.js'
import { describeXapiError } from './describe-xapi-error.js'
import type { PoolConnection } from './pool-connection.js'

export interface DoctorOptions {
  readonly pool?: string | undefined
  /** The longest any single probe may take before it is reported as "no answer". */
  readonly probeTimeoutMs: number
}

/** The message xscontainer's monitor raises for a VM it keeps failing to reach (its body is the diagnosis). */
export const CANNOT_MONITOR = 'Container Management cannot monitor VM'
const PRIVATE_SECRET = 'xscontainer-private-secret-uuid'
const PUBLIC_SECRET = 'xscontainer-public-secret-uuid'
const DOCKER_READY_TAG = 'docker-ready'
const INSTALL_ISO = /coreos|flatcar/i

export function createDoctor(
  connections: readonly PoolConnection[],
  inventory: Inventory,
  options: { readonly probeTimeoutMs: number },
): Doctor {
  return { run: ({ pool }) => runDoctor(connections, inventory, { pool, probeTimeoutMs: options.probeTimeoutMs }) }
}

export async function runDoctor(
  connections: readonly PoolConnection[],
  inventory: Inventory,
  options: DoctorOptions,
): Promise<DoctorReport> {
  const chosen = options.pool === undefined ? connections : connections.filter((c) => c.name === options.pool)
  if (chosen.length === 0 && options.pool !== undefined) {
    throw new UserError(
      'xen.unknown_pool',
      `there is no pool named "${options.pool}"; the pools are ${connections.map((c) => c.name).join(', ')}`,
    )
  }
  const pools = await Promise.all(chosen.map((c) => checkPool(c, inventory, options.probeTimeoutMs)))
  return { pools }
}

async function checkPool(
  connection: PoolConnection,
  inventory: Inventory,
  timeoutMs: number,
): Promise<DoctorPoolReport> {
  const status = connection.status
  const xapi = connection.client
  if (!xapi || status.state === 'connecting') {
    return {
      pool: connection.name,
      state: status.state,
      reason: status.reason,
      checks: [
        {
          subject: 'pool',
          check: 'connection',
          state: 'problem',
          detail: `not connected (${status.reason ?? status.state})`,
          fix: `check the url, credentials and TLS setting of pool ${connection.name} in the bot's configuration; the bot retries on its own`,
        },
      ],
    }
  }
  const objects = Object.values(xapi.objects.all)
  const hosts = objects.filter((o) => o.$type === 'host').sort(byName)
  const master = xapi.getObjectByRef(String(xapi.pool.master), undefined) as XapiObject | undefined
  const masterName = master ? String(master.name_label) : undefined
  const connectionCheck: DoctorCheck =
    status.state === 'synced'
      ? { subject: 'pool', check: 'connection', state: 'ok', detail: `synced; master ${masterName ?? 'unknown'}` }
      : {
          subject: 'pool',
          check: 'connection',
          state: 'problem',
          detail: `degraded (${status.reason ?? 'no reason given'}); master ${masterName ?? 'unknown'}`,
          fix: `check that the master of ${connection.name} is reachable; the bot reconnects on its own`,
        }
  const hostChecks = await Promise.all(hosts.map((h) => checkHost(xapi, h, timeoutMs)))
  const legacy = hosts.some((h) => xscontainerSupported(version(h)))
  const vms = inventory
    .vms({ pool: connection.name })
    .filter((vm) => vm.docker.monitor !== 'absent' || vm.docker.backend.kind !== 'none')
  return {
    pool: connection.name,
    state: status.state,
    reason: status.reason,
    master: masterName,
    checks: [
      connectionCheck,
      ...hostChecks.flat(),
      templatesCheck(objects),
      isoCheck(objects),
      ...(legacy ? [secretsCheck(xapi)] : []),
      ...vms.map((vm) => vmCheck(vm, objects)),
    ],
  }
}

const byName = (a: XapiObject, b: XapiObject) => String(a.name_label).localeCompare(String(b.name_label))

interface Product {
  readonly brand: string
  readonly version: string
  readonly build?: string | undefined
}

function version(host: XapiObject): Product {
  const sv = (host.software_version ?? {}) as Readonly<Record<string, string>>
  return { brand: sv.product_brand ?? 'unknown', version: sv.product_version ?? 'unknown', build: sv.build_number }
}

/**
 * The pack exists for XenServer / Citrix Hypervisor / XCP-ng up to 8.2; XCP-ng 8.3 and XenServer 8
 * (8.4) dropped it. An unreadable version is probed rather than guessed away.
 */
export function xscontainerSupported(product: Product): boolean {
  const match = /^(\d+)\.(\d+)/.exec(product.version)
  if (!match) return true
  const major = Number(match[1])
  const minor = Number(match[2])
  return major < 8 || (major === 8 && minor <= 2)
}

const shortVersion = (v: string) => /^(\d+\.\d+)/.exec(v)?.[1] ?? v

async function checkHost(xapi: Xapi, host: XapiObject, timeoutMs: number): Promise<DoctorCheck[]> {
  const name = String(host.name_label)
  const product = version(host)
  const productCheck: DoctorCheck = {
    subject: name,
    check: 'product',
    state: 'ok',
    detail: `${product.brand} ${product.version}${product.build ? ` (build ${product.build})` : ''}`,
  }
  if (!xscontainerSupported(product)) {
    return [
      productCheck,
      {
        subject: name,
        check: 'xscontainer',
        state: 'info',
        detail: `xscontainer is not supported on ${shortVersion(product.version)}; Docker VMs use the SSH backend`,
      },
    ]
  }
  const probe = await withTimeout(
    callXapi<string>(xapi, 'host.call_plugin', host.$ref, 'xscontainer', 'get_config_drive_default', {
      templateuuid: '',
    }),
    timeoutMs,
  )
  return [productCheck, { subject: name, check: 'xscontainer', ...packVerdict(name, probe, timeoutMs) }]
}

export function packVerdict(
  host: string,
  probe: Settled<string>,
  timeoutMs: number,
): Pick<DoctorCheck, 'state' | 'detail' | 'fix'> {
  if (probe.kind === 'timeout') {
    return {
      state: 'problem',
      detail: `no answer within ${timeoutMs / 1000}s to the xscontainer probe`,
      fix: `check that ${host} is up and its toolstack answers (xe-toolstack-restart on ${host})`,
    }
  }
  if (probe.kind === 'value') return { state: 'ok', detail: 'xscontainer pack installed' }
  const code = (probe.error as { code?: unknown } | null)?.code
  // The plugin ran and refused the (deliberately empty) arguments: it is there.
  if (code === 'XENAPI_PLUGIN_FAILURE') return { state: 'ok', detail: 'xscontainer pack installed' }
  if (code === 'XENAPI_MISSING_PLUGIN') {
    return {
      state: 'problem',
      detail: 'xscontainer pack not installed',
      fix: `install the xscontainer supplemental pack on ${host}: xe-install-supplemental-pack xscontainer.iso, then restart the toolstack (xe-toolstack-restart)`,
    }
  }
  return {
    state: 'problem',
    detail: `the xscontainer probe failed: ${describeXapiError(probe.error)}`,
    fix: `check ${host}'s toolstack (xe-toolstack-restart on ${host}) and the xscontainer pack`,
  }
}

function templatesCheck(objects: readonly XapiObject[]): DoctorCheck {
  const templates = objects.filter((o) => o.$type === 'VM' && o.is_a_template === true && o.is_a_snapshot !== true)
  const coreos = templates.filter((t) => t.name_label === 'CoreOS').map((t) => String(t.name_label))
  const ready = templates
    .filter((t) => Array.isArray(t.tags) && (t.tags as unknown[]).includes(DOCKER_READY_TAG))
    .map((t) => String(t.name_label))
    .sort()
  if (coreos.length === 0 && ready.length === 0) {
    return {
      subject: 'pool',
      check: 'templates',
      state: 'problem',
      detail: `no CoreOS template and no template tagged ${DOCKER_READY_TAG}`,
      fix: `tag a template Docker-ready: xe template-param-add uuid=<template uuid> param-name=tags param-key=${DOCKER_READY_TAG}`,
    }
  }
  const parts = [
    ...(coreos.length > 0 ? ['CoreOS template present'] : []),
    ...(ready.length > 0 ? [`${DOCKER_READY_TAG}: ${ready.join(', ')}`] : []),
  ]
  return { subject: 'pool', check: 'templates', state: 'ok', detail: parts.join('; ') }
}

function isoCheck(objects: readonly XapiObject[]): DoctorCheck {
  const isoSrs = new Set(
    objects.filter((o) => o.$type === 'SR' && (o.content_type === 'iso' || o.type === 'iso')).map((o) => o.$ref),
  )
  const isos = objects
    .filter((o) => o.$type === 'VDI' && isoSrs.has(String(o.SR)) && INSTALL_ISO.test(String(o.name_label)))
    .map((o) => String(o.name_label))
    .sort()
  return isos.length > 0
    ? { subject: 'pool', check: 'install ISOs', state: 'ok', detail: isos.join(', ') }
    : {
        subject: 'pool',
        check: 'install ISOs',
        state: 'info',
        detail: 'no CoreOS or Flatcar ISO in an ISO library (needed only to install a Docker VM from ISO)',
      }
}

function secretsCheck(xapi: Xapi): DoctorCheck {
  const otherConfig = (xapi.pool.other_config ?? {}) as Readonly<Record<string, string>>
  const present = [PRIVATE_SECRET, PUBLIC_SECRET].filter((k) => otherConfig[k] !== undefined)
  if (present.length === 2) {
    return { subject: 'pool', check: 'xscontainer keys', state: 'ok', detail: 'SSH key pair secrets present' }
  }
  return {
    subject: 'pool',
    check: 'xscontainer keys',
    state: 'info',
    detail: 'no SSH key pair secrets yet: xscontainer creates them on first use',
  }
}

function vmCheck(vm: VmSummary, objects: readonly XapiObject[]): DoctorCheck {
  const base = { subject: vm.name, check: 'backend', vm: { name: vm.name, tags: [...vm.tags] } }
  const ip = vm.ip ?? 'no IP'
  const { backend } = vm.docker
  if (backend.kind === 'ssh') {
    return {
      ...base,
      state: 'info',
      detail: `${ip} · ssh (${backend.reason}); reached by the bot itself: /docker ps ${vm.name} tries it`,
    }
  }
  if (backend.kind === 'none') return { ...base, state: 'info', detail: `${ip} · none (${backend.reason})` }
  if (vm.docker.unreadable) {
    return {
      ...base,
      state: 'problem',
      detail: `${ip} · xscontainer: container data unreadable (${vm.docker.unreadable})`,
      fix: `xscontainer wrote XML the bot cannot parse, usually a container label key that is not a valid XML name: rename that label in ${vm.name}, or serve the VM over SSH (tag it ${'docker'})`,
    }
  }
  if (vm.power !== 'running') {
    return { ...base, state: 'info', detail: `${vm.power}: xscontainer reports containers only for running VMs` }
  }
  if (vm.ip === undefined) {
    return {
      ...base,
      state: 'problem',
      detail: 'no IP: install the guest tools',
      fix: `install the guest tools (xe-guest-utilities) in ${vm.name}, so xscontainer can find its IP and reach Docker`,
    }
  }
  if (!vm.docker.containers) {
    const message = objects.find((o) => o.$type === 'message' && o.name === CANNOT_MONITOR && o.obj_uuid === vm.uuid)
    return {
      ...base,
      state: 'problem',
      detail: message
        ? `${ip} · xscontainer cannot monitor it: ${String(message.body)}`
        : `${ip} · xscontainer has not reported containers yet`,
      fix: `check that dom0 can SSH to ${vm.name} at ${ip} and that Docker runs in it`,
    }
  }
  const n = vm.docker.containers.length
  return { ...base, state: 'ok', detail: `${ip} · xscontainer answers: ${n} container${n === 1 ? '' : 's'}` }
}

export type Settled<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' }

/** The probe's outcome, or `timeout` when it has not settled within `ms` (the call itself is left to finish). */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms)
  })
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ kind: 'value', value }),
        (error: unknown): Settled<T> => ({ kind: 'error', error }),
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}
