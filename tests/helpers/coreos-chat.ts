/**
 * The governed bot over the demo pools with VM creation allowed: alice may create VMs (vm.create) and
 * use Docker, dave may create VMs on lab-modern only, bob and carol approve, eve has no role; `/coreos create` and `/coreos cleanup` need an
 * approval. Plus alice's SSH key pair, and counts of what the simulated pools hold (to prove a refused
 * request created nothing, and a clean-up removed everything a build made).
 */
import ssh2 from 'ssh2'
import { accessSchema } from '../../src/core/access.js'
import type { Form } from '../../src/core/reply.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import type { ProvisioningOptions } from '../../src/xen/provision/xen-provisioning.js'
import { type GovernedChat, startGovernedChat } from './governed-chat.js'

export const COREOS_ACCESS = {
  roles: {
    builder: { permissions: ['docker.read', 'docker.operate', 'xen.read', 'vm.create'] },
    approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
    'modern-builder': { permissions: ['docker.read', 'vm.create'], pools: ['lab-modern'] },
  },
  subjects: [
    { platform: 'shell', users: ['alice'], roles: ['builder'] },
    { platform: 'shell', users: ['dave'], roles: ['modern-builder'] },
    { platform: 'shell', users: ['bob', 'carol'], roles: ['approver'] },
  ],
}

export const COREOS_RULES = { 'coreos create': {}, 'coreos cleanup': {} }

export interface CoreosChat extends GovernedChat {
  /** alice's key pair (OpenSSH format); `public` is the one-line public key. */
  readonly key: { readonly public: string; readonly private: string }
}

export async function startCoreosChat(
  options: { rules?: Record<string, Record<string, unknown>>; provisioning?: ProvisioningOptions } = {},
) {
  const chat = await startGovernedChat({
    access: accessSchema.parse(COREOS_ACCESS),
    rules: options.rules ?? COREOS_RULES,
    provisioning: options.provisioning,
  })
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'alice@laptop' })
  return Object.assign(chat, { key: { public: pair.public.trim(), private: pair.private } }) as CoreosChat
}

/** What the pool holds of the classes a build creates: refs per class, for before/after comparisons. */
export function records(pool: SimPool): Record<'VM' | 'VBD' | 'VDI' | 'VIF', string[]> {
  const of = (cls: string) => [...pool.store.refs(cls)].sort()
  return { VM: of('VM'), VBD: of('VBD'), VDI: of('VDI'), VIF: of('VIF') }
}

/** The ref of the VM named `name` (undefined when there is none). */
export const vmNamed = (pool: SimPool, name: string) =>
  pool.store.find('VM', (r) => r.name_label === name && r.is_a_template !== true)[0]

/** The values a modal would submit for `form`: every input's initial value, then `overrides`. */
export function filledIn(form: Form, overrides: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const input of form.inputs) if (input.initial !== undefined) values[input.id] = input.initial
  return { ...values, ...overrides }
}
