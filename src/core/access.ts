/**
 * Access control, deny by default: subjects (per platform: user ids, names, groups) hold roles; a
 * role grants permissions, optionally limited to pools, VM name globs or VM tags. A denial names the
 * missing permission and nothing else — it never lists what the user cannot see.
 */
import { z } from 'zod'
import { type Actor, PERMISSIONS, type Permission, type Target } from './command.js'
import { UserError } from './errors.js'

const glob = z.string().min(1)

export const roleSchema = z
  .object({
    permissions: z
      .array(z.enum(PERMISSIONS))
      .min(1)
      .describe('what the role may do (the commands each permission opens are listed below)'),
    pools: z.array(z.string().min(1)).optional().describe('only these pools (all when absent)'),
    vms: z.array(glob).optional().describe('only VMs whose name matches one of these globs (* and ?)'),
    tags: z.array(z.string().min(1)).optional().describe('only VMs carrying one of these tags'),
  })
  .strict()
  .describe('a role: its permissions, limited by every scope given (pools, vms, tags)')

export const subjectSchema = z
  .object({
    platform: z.enum(['slack', 'discord', 'shell']).describe('the chat platform these ids belong to'),
    users: z.array(z.string().min(1)).default([]).describe('user ids (Slack U…, Discord snowflakes) or shell names'),
    groups: z.array(z.string().min(1)).default([]).describe('Slack user group or Discord role ids'),
    roles: z.array(z.string().min(1)).min(1).describe('names of roles defined in access.roles'),
  })
  .strict()
  .describe('who holds which roles: a user listed by id or name, or a member of a listed group')

export const accessSchema = z
  .object({
    roles: z
      .record(
        z
          .string()
          .regex(/^[a-z][a-z0-9_-]*$/)
          .meta({ title: 'role' }),
        roleSchema,
      )
      .describe('roles by name (lower-case letters, digits, _ and -)'),
    subjects: z
      .array(subjectSchema)
      .min(1, 'give at least one subject, or nobody can use the bot')
      .describe('at least one; a user no subject names can run nothing but /xen help'),
  })
  .strict()
  .describe('access control, deny by default: nobody may do anything a role does not grant')
  .superRefine((access, ctx) => {
    access.subjects.forEach((subject, i) => {
      for (const role of subject.roles) {
        if (!(role in access.roles)) {
          ctx.addIssue({ code: 'custom', path: ['subjects', i, 'roles'], message: `unknown role "${role}"` })
        }
      }
    })
  })

export type AccessConfig = z.infer<typeof accessSchema>
type Role = AccessConfig['roles'][string]

/** A VM name glob (`*` and `?`, case-insensitive) as a RegExp; also used by alert routing (issue #11). */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, 'i')
}

function roleCovers(role: Role, target: Target | undefined): boolean {
  if (!target) return true
  if (role.pools && !role.pools.includes(target.pool)) return false
  if (role.vms || role.tags) {
    const vm = target.vm
    if (!vm) return false
    if (role.vms && !role.vms.some((g) => globToRegExp(g).test(vm.name))) return false
    if (role.tags && !role.tags.some((t) => vm.tags.includes(t))) return false
  }
  return true
}

/** A platform's user → groups lookup (cached by its adapter): undefined when the user is not known yet. */
export type GroupLookup = (userId: string) => readonly string[] | undefined

export class AccessPolicy {
  readonly #config: AccessConfig
  readonly #groupLookups = new Map<string, GroupLookup>()

  constructor(config: AccessConfig) {
    this.#config = config
  }

  /** The group ids the subjects of `platform` name (an adapter fetches only these memberships). */
  groupsNamed(platform: string): string[] {
    return [...new Set(this.#config.subjects.filter((s) => s.platform === platform).flatMap((s) => s.groups))]
  }

  /**
   * Where to find the groups of an actor that arrives without them: a stored request re-planned as its
   * requester (approvals, confirmations) carries only the platform and user id, and a requester whose
   * rights come from a Slack user group must keep them. Unknown users get no groups (deny by default).
   */
  setGroupLookup(platform: string, lookup: GroupLookup): void {
    this.#groupLookups.set(platform, lookup)
  }

  roleNamesOf(actor: Actor): string[] {
    const names = new Set<string>()
    const groups = actor.groups ?? this.#groupLookups.get(actor.platform)?.(actor.id) ?? []
    for (const subject of this.#config.subjects) {
      if (subject.platform !== actor.platform) continue
      const byUser = subject.users.includes(actor.id) || subject.users.includes(actor.name)
      const byGroup = subject.groups.some((g) => groups.includes(g))
      if (byUser || byGroup) for (const role of subject.roles) names.add(role)
    }
    return [...names]
  }

  rolesOf(actor: Actor): Role[] {
    return this.roleNamesOf(actor).flatMap((n) => (this.#config.roles[n] ? [this.#config.roles[n]] : []))
  }

  /** `permission` on `target` through one of `roles` only (approver roles of an approval rule). */
  allowsThroughRoles(
    actor: Actor,
    permission: Permission,
    target: Target | undefined,
    roles: readonly string[],
  ): boolean {
    return this.roleNamesOf(actor).some((name) => {
      const role = this.#config.roles[name]
      return roles.includes(name) && role?.permissions.includes(permission) === true && roleCovers(role, target)
    })
  }

  /**
   * Whether `actor` holds `permission` — on `target` when given, on at least one scope otherwise (the
   * coarse check before a command resolves its target).
   */
  allows(actor: Actor, permission: Permission, target?: Target): boolean {
    return this.rolesOf(actor).some((role) => role.permissions.includes(permission) && roleCovers(role, target))
  }

  require(actor: Actor, permission: Permission, target?: Target): void {
    if (this.allows(actor, permission, target)) return
    const where = target?.vm ? ` on ${target.vm.name}` : target ? ` on pool ${target.pool}` : ''
    throw new UserError(
      'access.denied',
      `you need the ${permission} permission${where} for that; ask an admin to grant it`,
      {
        details: { permission },
      },
    )
  }
}
