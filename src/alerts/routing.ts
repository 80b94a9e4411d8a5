/**
 * Where an alert goes, and whether quiet hours hold it back. Every rule whose match holds adds its
 * destinations (each destination once); when no rule matches, the default destination gets it, so no
 * alert is ever routed nowhere. A match field that is absent matches anything; one that is present
 * must hold (a rule naming VM globs never matches a pool-level alert).
 */
import { globToRegExp } from '../core/access.js'
import type { AlertKind, AlertSubject, Severity } from './alert-types.js'
import { severityRank } from './alert-types.js'
import type { AlertRule, AlertsConfig, Destination, QuietHours } from './alerts-config.js'

export interface Routable {
  readonly kind: AlertKind
  readonly severity: Severity
  readonly subject: AlertSubject
}

function matches(rule: AlertRule, alert: Routable): boolean {
  const { pools, vms, tags, kinds, severities } = rule.match
  const vm = alert.subject.vm
  if (pools && !pools.includes(alert.subject.pool)) return false
  if (kinds && !kinds.includes(alert.kind)) return false
  if (severities && !severities.includes(alert.severity)) return false
  if (vms && !(vm && vms.some((glob) => globToRegExp(glob).test(vm.name)))) return false
  if (tags && !(vm && tags.some((tag) => vm.tags.includes(tag)))) return false
  return true
}

export function destinationsFor(config: AlertsConfig, alert: Routable): Destination[] {
  const seen = new Map<string, Destination>()
  for (const rule of config.rules) {
    if (!matches(rule, alert)) continue
    for (const to of rule.to) seen.set(`${to.platform}\u0000${to.channel}`, to)
  }
  return seen.size > 0 ? [...seen.values()] : [config.default]
}

const DAY_MINUTES = 24 * 60
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Minutes since midnight at `now` in `timeZone`. */
function localMinutes(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now))
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return value('hour') * 60 + value('minute')
}

/**
 * How long quiet hours still last at `now` (ms, to the minute), or 0 outside them. Hours that wrap
 * midnight (22:00–07:00) work; a daylight-saving jump inside the window may shift its end by an hour.
 */
export function quietRemainingMs(quiet: QuietHours | undefined, now: number): number {
  if (!quiet) return 0
  const minute = localMinutes(now, quiet.timeZone)
  const from = minutesOf(quiet.from)
  const to = minutesOf(quiet.to)
  const inside = from < to ? minute >= from && minute < to : minute >= from || minute < to
  if (!inside) return 0
  const left = (to - minute + DAY_MINUTES) % DAY_MINUTES
  // To the start of the minute `to` names: the seconds already gone in this minute come off.
  return Math.max(1, left * 60_000 - (now % 60_000))
}

/** Whether quiet hours hold this alert back at `now` (severe enough alerts are never held). */
export function heldByQuietHours(quiet: QuietHours | undefined, severity: Severity, now: number): boolean {
  if (!quiet || severityRank(severity) >= severityRank(quiet.minSeverity)) return false
  return quietRemainingMs(quiet, now) > 0
}
