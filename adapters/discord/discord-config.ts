/**
 * `platforms.discord` in the config file: the bot token (only as a secret reference), the servers
 * (guilds) the bot answers in and registers its commands to, where alerts may be posted, and who is
 * pinged on approval cards. Validated by zod like the rest of the file; nothing here imports discord.js.
 *
 * The schema is built from the secret-reference schema src/config.ts passes in: importing it from
 * there would make the two modules import each other.
 */
import { z } from 'zod'
import type { secretRefSchema } from '../../src/config.js'
import type { AccessConfig } from '../../src/core/access.js'

/** Discord ids (users, roles, guilds, channels) are 17–20 digit snowflakes. */
export const snowflake = z.string().regex(/^\d{17,20}$/, 'a Discord id: 17 to 20 digits (Developer Mode → Copy ID)')

/**
 * Manage Server (0x20): who sees the commands before a server admin changes it under Server Settings →
 * Integrations. Only a default for what the Discord client shows; the bot's own access control decides.
 */
export const DEFAULT_MEMBER_PERMISSIONS = '32'

export function discordConfigSchema(secretRef: typeof secretRefSchema) {
  return z
    .object({
      token: secretRef.describe('the bot token, as { env: NAME } or { file: path }; never inline'),
      guilds: z
        .array(snowflake)
        .min(1, 'give the id of at least one server (guild) the bot answers in')
        .describe('servers where the commands are registered and the bot answers; it ignores every other'),
      commandScope: z
        .enum(['guild', 'global'])
        .default('guild')
        .describe('guild: registered per server, visible at once; global: registered once for every server'),
      defaultMemberPermissions: z
        .string()
        .regex(/^\d{1,20}$/, 'a permission bit set as a decimal string, e.g. "32" (Manage Server) or "0" (admins only)')
        .default(DEFAULT_MEMBER_PERMISSIONS)
        .describe('who sees the commands until a server admin changes it; the bot still checks its own access'),
      alertChannels: z.array(snowflake).default([]).describe('channel ids alerts may be posted to'),
      api: z
        .url({ protocol: /^https?$/ })
        .optional()
        .describe("Discord's REST base URL (default https://discord.com/api); only for a proxy or a test double"),
      approverPings: z
        .array(snowflake)
        .default([])
        .describe('role ids mentioned (pinged) when an approval is requested; the only mentions the bot sends'),
    })
    .strict()
}

export type DiscordConfig = z.infer<ReturnType<typeof discordConfigSchema>>

/**
 * Problems with the Discord subjects of the access config: they must name users and roles by id. A
 * name would match anyone who takes that username or display name (Discord lets people change both).
 */
export function discordSubjectProblems(access: AccessConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = []
  access.subjects.forEach((subject, i) => {
    if (subject.platform !== 'discord') return
    for (const key of ['users', 'groups'] as const) {
      subject[key].forEach((value, j) => {
        if (!snowflake.safeParse(value).success) {
          problems.push({
            path: ['access', 'subjects', i, key, j],
            message: `Discord ${key === 'users' ? 'users' : 'roles'} are given by id (17 to 20 digits), not by name: names can be changed by anyone`,
          })
        }
      })
    }
  })
  return problems
}
