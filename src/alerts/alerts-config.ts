/**
 * The `alerts` section of the configuration (issue #11): where alerts go (rules matching pool, VM name
 * glob, VM tag, kind and severity, else the default destination), optional quiet hours, and the knobs
 * that keep a channel readable — the per-destination rate, re-notification, flap damping, and what
 * counts as a restart loop. Strict like the rest of the file: an unknown key is an error.
 */
import { z } from 'zod'
import { ALERT_KINDS, SEVERITIES } from './alert-types.js'

export const destinationSchema = z
  .object({
    platform: z.enum(['shell', 'slack', 'discord']).describe('a platform configured under platforms'),
    channel: z.string().min(1).describe('Slack channel id (C…), Discord channel id, or any name for the terminal chat'),
  })
  .strict()

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24-hour)')
  .describe('a time of day, HH:MM (24-hour)')

const timeZone = z
  .string()
  .min(1)
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone })
        return true
      } catch {
        return false
      }
    },
    { message: 'an IANA time zone such as UTC or Europe/Paris' },
  )
  .describe('an IANA time zone such as UTC or Europe/Paris')

export const ruleSchema = z
  .object({
    match: z
      .object({
        pools: z.array(z.string().min(1)).optional().describe('pool names'),
        vms: z.array(z.string().min(1)).optional().describe('VM name globs (* and ?)'),
        tags: z.array(z.string().min(1)).optional().describe('VMs carrying one of these tags'),
        kinds: z.array(z.enum(ALERT_KINDS)).optional().describe('what happened'),
        severities: z.array(z.enum(SEVERITIES)).optional(),
      })
      .strict()
      .prefault({})
      .describe('what the rule applies to: every field given must hold (none given: every alert)'),
    to: z.array(destinationSchema).min(1).describe('where matching alerts go'),
  })
  .strict()

export const quietHoursSchema = z
  .object({
    from: clockTime.describe('when quiet hours start'),
    to: clockTime.describe('when they end (may be the next day)'),
    timeZone: timeZone.default('UTC'),
    /** Alerts at least this severe are posted even in quiet hours. */
    minSeverity: z.enum(SEVERITIES).default('critical').describe('alerts this severe are posted anyway'),
  })
  .strict()
  .refine((q) => q.from !== q.to, { message: 'from and to must differ', path: ['to'] })

export const alertsSchema = z
  .object({
    default: destinationSchema.describe('where an alert goes when no rule matches it'),
    rules: z.array(ruleSchema).default([]).describe('every matching rule adds its destinations'),
    quietHours: quietHoursSchema.optional().describe('held alerts are posted as one digest when they end'),
    ratePerSecond: z
      .number()
      .positive()
      .max(50)
      .default(1)
      .describe('messages per second per destination (Slack allows about 1 per channel); the rest fold into a digest'),
    renotifyMinutes: z
      .number()
      .min(0)
      .default(60)
      .describe('a condition that fires again within this edits its alert instead of posting a new one'),
    flapping: z
      .object({
        changes: z.number().int().min(2).max(100).default(6).describe('changes between firing and clear'),
        withinMinutes: z.number().positive().default(10).describe('the window, and how long it must then be stable'),
      })
      .strict()
      .prefault({})
      .describe('this many changes in the window: the alert waits to be stable before it says resolved'),
    restartLoop: z
      .object({
        restarts: z.number().int().min(2).max(100).default(3).describe('restarts Docker made'),
        withinMinutes: z.number().positive().default(5).describe('the window; a quiet one ends the loop'),
      })
      .strict()
      .prefault({})
      .describe('a container Docker keeps restarting'),
    poolGraceSeconds: z
      .number()
      .min(0)
      .default(30)
      .describe('a pool connection must stay down this long before it is an alert'),
  })
  .strict()

export type AlertsConfig = z.infer<typeof alertsSchema>
export type AlertRule = z.infer<typeof ruleSchema>
export type QuietHours = z.infer<typeof quietHoursSchema>
export type Destination = z.infer<typeof destinationSchema>

/**
 * Destinations no configured platform can post to: a platform missing from `platforms`, or a Discord
 * channel outside `platforms.discord.alertChannels` (the only channels the Discord sink posts to).
 */
export function alertDestinationProblems(
  alerts: AlertsConfig | undefined,
  platforms: { readonly discord?: { readonly alertChannels: readonly string[] } | undefined },
): { readonly path: (string | number)[]; readonly message: string }[] {
  if (!alerts) return []
  const destinations = [
    { path: ['alerts', 'default'], to: alerts.default },
    ...alerts.rules.flatMap((rule, i) => rule.to.map((to, j) => ({ path: ['alerts', 'rules', i, 'to', j], to }))),
  ]
  return destinations.flatMap(({ path, to }) => {
    if (!(to.platform in platforms)) {
      const message = `platform ${to.platform} is not configured under platforms, so nothing could post there`
      return [{ path: [...path, 'platform'], message }]
    }
    if (to.platform === 'discord' && !platforms.discord?.alertChannels.includes(to.channel)) {
      const message = `Discord channel ${to.channel} is not in platforms.discord.alertChannels, the only channels alerts may go to`
      return [{ path: [...path, 'channel'], message }]
    }
    return []
  })
}
