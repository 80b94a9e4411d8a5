/**
 * From a submitted form to an exact build plan, refusing — in plain words, on the input concerned —
 * what cannot work: an unknown or disconnected pool, a template or SR or network not offered, a missing
 * ISO for CoreOS, a name already used in the pool, a bad or private SSH key, a cloud-config that is not
 * one. Nothing is created here; the plan is what an approver approves.
 */
import type { Xapi } from 'xen-api'
import { UserError } from '../../core/errors.js'
import type { CatalogItem, NewVmPlan, NewVmRequest, PoolCatalog } from '../../core/provision-port.js'
import { checkCloudConfig } from './cloud-config-check.js'
import { checkPublicKey } from './ssh-public-key.js'

const onField = (field: string, code: string, message: string) => new UserError(code, message, { details: { field } })

export interface PrepareDeps {
  readonly xapi: Xapi
  readonly catalog: PoolCatalog
  /** The template's default cloud-config (asks the plugin on legacy pools: also proves it is there). */
  readonly defaultCloudConfig: (template: string) => Promise<string>
}

function pick<T extends CatalogItem>(
  list: readonly T[],
  uuid: string | undefined,
  field: string,
  what: string,
  pool: string,
): T {
  const found = list.find((i) => i.uuid === uuid || i.name === uuid)
  if (found) return found
  const offered = list.map((i) => i.name).join(', ') || 'none'
  throw onField(field, 'vm.not_offered', `pick a ${what} pool ${pool} offers (${offered})`)
}

/** Whether a VM (not a template or snapshot) in the pool already has this name. */
export function nameTaken(xapi: Xapi, name: string): boolean {
  const vms = Object.values(xapi.objects.indexes.type.VM ?? {})
  return vms.some((vm) => vm.name_label === name && vm.is_a_template !== true && vm.is_a_snapshot !== true)
}

export async function prepareVm(deps: PrepareDeps, request: NewVmRequest): Promise<NewVmPlan> {
  const { catalog, xapi } = deps
  const pool = catalog.pool
  const template = pick(catalog.templates, request.template, 'template', 'template', pool)
  if (nameTaken(xapi, request.name)) {
    throw onField(
      'name',
      'vm.name_taken',
      `a VM named ${request.name} already exists in pool ${pool}; pick another name`,
    )
  }
  let iso: CatalogItem | undefined
  if (template.needsIso) {
    if (!request.iso) {
      throw onField(
        'iso',
        'vm.iso_missing',
        `${template.name} boots from an ISO: pick the install ISO (e.g. the CoreOS ISO)`,
      )
    }
    iso = pick(catalog.isos, request.iso, 'iso', 'ISO', pool)
  } else if (request.iso) {
    throw onField('iso', 'vm.iso_unused', `${template.name} boots from its own disk; leave the ISO empty`)
  }
  const sr = pick(catalog.srs, request.sr, 'sr', 'storage repository', pool)
  const network = pick(catalog.networks, request.network, 'network', 'network', pool)
  const key = checkPublicKey(request.sshKey)
  // On legacy pools this also proves the plugin answers before anything is built.
  const fallback = await deps.defaultCloudConfig(template.uuid)
  const text = request.cloudConfig !== undefined && request.cloudConfig.trim() !== '' ? request.cloudConfig : fallback
  const { userData, sshUser } = checkCloudConfig(text, template.route, key.line)
  return {
    pool,
    name: request.name,
    route: template.route,
    template: { uuid: template.uuid, name: template.name },
    ...(iso ? { iso } : {}),
    sr: { uuid: sr.uuid, name: sr.name },
    network,
    key,
    userData,
    sshUser,
    start: request.start,
  }
}
