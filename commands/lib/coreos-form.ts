/**
 * The `/coreos create` form: pickers with only what the asker may use (pools where they hold vm.create,
 * and that pool's templates, ISOs, SRs and networks), prefilled with what was typed, the pool's default
 * SR, the CoreOS ISO for the CoreOS template, and the cloud-config the chosen template starts from.
 */
import type { CommandContext } from '../../src/core/command.js'
import { UserError } from '../../src/core/errors.js'
import type { CatalogItem, PoolCatalog, Provisioning } from '../../src/core/provision-port.js'
import type { FormInput, FormSpec } from '../../src/core/reply.js'

export const PERMISSION = 'vm.create'

export function provisioningOf(ctx: CommandContext): Provisioning {
  if (!ctx.provisioning) {
    throw new UserError('vm.provisioning_unavailable', 'this bot was built without VM provisioning')
  }
  return ctx.provisioning
}

const given = (values: Readonly<Record<string, unknown>>, id: string) =>
  typeof values[id] === 'string' ? (values[id] as string) : undefined

/** Options from several pools say which pool each belongs to. */
const options = (catalogs: readonly PoolCatalog[], pick: (c: PoolCatalog) => readonly CatalogItem[]) =>
  catalogs.flatMap((c) =>
    pick(c).map((i) => ({ value: i.uuid, label: catalogs.length > 1 ? `${i.name} (${c.pool})` : i.name })),
  )

export async function coreosForm(ctx: CommandContext, values: Readonly<Record<string, unknown>>): Promise<FormSpec> {
  const provisioning = provisioningOf(ctx)
  const pools = ctx.inventory
    .pools()
    .map((p) => p.name)
    .filter((pool) => ctx.allows(PERMISSION, { pool }))
  if (pools.length === 0) {
    throw new UserError('access.denied', 'there is no pool where you may create VMs; ask an admin for vm.create')
  }
  const typedPool = given(values, 'pool')
  const pool = typedPool && pools.includes(typedPool) ? typedPool : pools.length === 1 ? pools[0] : undefined
  const catalogs = (pool ? [pool] : pools)
    .map((p) => provisioning.catalog(p))
    .filter((c): c is PoolCatalog => c !== undefined)
  const templates = catalogs.flatMap((c) => c.templates)
  const template =
    templates.find((t) => t.uuid === given(values, 'template') || t.name === given(values, 'template')) ??
    templates.find((t) => t.route === 'xscontainer') ??
    templates[0]
  const home = catalogs.find((c) => c.templates.some((t) => t.uuid === template?.uuid))
  const iso = template?.needsIso ? home?.isos.find((i) => /coreos/i.test(i.name)) : undefined
  let cloudConfig = given(values, 'cloudConfig')
  let cloudHint = 'Leave it empty to use the default of the template you pick.'
  if (cloudConfig === undefined && template && home && pool) {
    try {
      cloudConfig = await provisioning.defaultCloudConfig(home.pool, template.uuid)
      cloudHint = `Prefilled for ${template.name}${template.route === 'xscontainer' ? ' by the xscontainer plugin; keep the %XSCONTAINERRSAPUB% line' : ''}. Your key is added to ssh_authorized_keys.`
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      cloudHint = `No default could be loaded (${error.message}).`
    }
  }
  const inputs: FormInput[] = [
    {
      kind: 'text',
      id: 'name',
      label: 'VM name',
      initial: given(values, 'name'),
      placeholder: 'web-3',
      hint: 'Letters, digits, . _ -; unique in the pool.',
      maxLength: 63,
    },
    { kind: 'select', id: 'pool', label: 'Pool', options: pools.map((p) => ({ value: p, label: p })), initial: pool },
    {
      kind: 'select',
      id: 'template',
      label: 'Template',
      options: options(catalogs, (c) => c.templates),
      initial: template?.uuid,
      hint: "The pool's CoreOS template, or a template tagged docker-ready.",
    },
    {
      kind: 'select',
      id: 'iso',
      label: 'Install ISO',
      options: options(catalogs, (c) => c.isos),
      initial: given(values, 'iso') ?? iso?.uuid,
      optional: true,
      hint: 'Only for templates that boot an ISO (CoreOS).',
    },
    {
      kind: 'select',
      id: 'sr',
      label: 'Storage',
      options: options(catalogs, (c) => c.srs),
      initial: given(values, 'sr') ?? home?.srs.find((s) => s.default)?.uuid ?? home?.srs[0]?.uuid,
    },
    {
      kind: 'select',
      id: 'network',
      label: 'Network',
      options: options(catalogs, (c) => c.networks),
      initial: given(values, 'network') ?? home?.networks[0]?.uuid,
    },
    {
      kind: 'text',
      id: 'sshKey',
      label: 'Your SSH public key',
      initial: given(values, 'sshKey'),
      placeholder: 'ssh-ed25519 AAAA… you@laptop',
      hint: 'The PUBLIC key (the .pub file). Never paste a private key.',
    },
    {
      kind: 'text',
      id: 'cloudConfig',
      label: 'cloud-config',
      multiline: true,
      optional: true,
      initial: cloudConfig,
      hint: cloudHint,
      maxLength: 64 * 1024,
    },
    {
      kind: 'select',
      id: 'start',
      label: 'Start after create',
      options: [
        { value: 'yes', label: 'yes: start it and wait until Docker answers' },
        { value: 'no', label: 'no: leave it halted' },
      ],
      initial: given(values, 'start') ?? 'yes',
    },
  ]
  return { title: 'Create a Docker VM', submitLabel: 'Create', inputs }
}
