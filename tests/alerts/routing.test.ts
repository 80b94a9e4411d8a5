/**
 * Issue #11, routing and its configuration: every matching rule adds its destinations (once each), the
 * default takes what no rule matches, a field a rule names must hold; quiet hours wrap midnight in
 * their own time zone; the config schema says what is wrong with an alerts section, at its path.
 */
import { describe, expect, it } from 'vitest'
import type { AlertSubject } from '../../src/alerts/alert-types.js'
import { alertsSchema } from '../../src/alerts/alerts-config.js'
import { destinationsFor, heldByQuietHours, quietRemainingMs } from '../../src/alerts/routing.js'
import { ConfigError, validateConfig } from '../../src/config.js'

const config = alertsSchema.parse({
  default: { platform: 'shell', channel: 'ops' },
  rules: [
    { match: { pools: ['lab-legacy'], vms: ['web-*'] }, to: [{ platform: 'slack', channel: 'C0WEB' }] },
    { match: { tags: ['prod'] }, to: [{ platform: 'discord', channel: '1234' }] },
    { match: { severities: ['critical'] }, to: [{ platform: 'slack', channel: 'C0PAGE' }] },
    { match: { kinds: ['pool-connection'] }, to: [{ platform: 'slack', channel: 'C0PAGE' }] },
  ],
})

const subject = (pool: string, vm?: string, tags: string[] = []): AlertSubject => ({
  pool,
  vm: vm === undefined ? undefined : { uuid: 'u', name: vm, tags },
})

const where = (
  kind: 'container-exited' | 'pool-connection',
  severity: 'info' | 'warning' | 'critical',
  s: AlertSubject,
) => destinationsFor(config, { kind, severity, subject: s }).map((d) => `${d.platform}:${d.channel}`)

describe('destinationsFor', () => {
  it('matches pool and VM glob (case-insensitive), tags, severity and kind; each destination once', () => {
    expect(where('container-exited', 'warning', subject('lab-legacy', 'WEB-1'))).toEqual(['slack:C0WEB'])
    expect(where('container-exited', 'warning', subject('lab-legacy', 'web-1', ['prod']))).toEqual([
      'slack:C0WEB',
      'discord:1234',
    ])
    expect(where('pool-connection', 'critical', subject('lab-legacy'))).toEqual(['slack:C0PAGE'])
  })

  it('the default takes what matches no rule; a rule naming VMs never matches a pool-level alert', () => {
    expect(where('container-exited', 'warning', subject('lab-modern', 'web-1'))).toEqual(['shell:ops'])
    expect(where('container-exited', 'info', subject('lab-legacy'))).toEqual(['shell:ops'])
  })
})

describe('quiet hours', () => {
  const quiet = { from: '22:00', to: '07:00', timeZone: 'Europe/Paris', minSeverity: 'critical' as const }

  it('wrap midnight in their own time zone, and end on the minute', () => {
    // 05:30 UTC is 06:30 in Paris in January: 30 minutes left; 21:00:30 UTC is 22:00:30 there: 9 h less 30 s.
    expect(quietRemainingMs(quiet, Date.UTC(2026, 0, 5, 5, 30))).toBe(30 * 60_000)
    expect(quietRemainingMs(quiet, Date.UTC(2026, 0, 5, 21, 0, 30))).toBe(9 * 60 * 60_000 - 30_000)
    expect(quietRemainingMs(quiet, Date.UTC(2026, 0, 5, 12, 0))).toBe(0)
    expect(quietRemainingMs(undefined, Date.UTC(2026, 0, 5, 23, 0))).toBe(0)
  })

  it('hold what is below the minimum severity, never what reaches it', () => {
    const night = Date.UTC(2026, 0, 5, 23, 0)
    expect(heldByQuietHours(quiet, 'warning', night)).toBe(true)
    expect(heldByQuietHours(quiet, 'critical', night)).toBe(false)
    expect(heldByQuietHours(quiet, 'warning', Date.UTC(2026, 0, 5, 12, 0))).toBe(false)
  })
})

describe('the alerts section of the configuration', () => {
  const base = {
    pools: [{ name: 'lab', url: 'https://xs.example', password: { env: 'PW' } }],
    access: {
      roles: { op: { permissions: ['docker.read'] } },
      subjects: [{ platform: 'shell', users: ['a'], roles: ['op'] }],
    },
    platforms: { shell: { user: 'a' } },
  }
  const problems = (alerts: unknown) => {
    try {
      validateConfig({ ...base, alerts }, 'test.yaml')
      return []
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      return error.problems.map((p) => `${p.path}: ${p.message}`)
    }
  }

  it('is optional, and takes defaults for the knobs', () => {
    expect(validateConfig(base, 'test.yaml').alerts).toBeUndefined()
    const parsed = validateConfig({ ...base, alerts: { default: { platform: 'shell', channel: 'ops' } } }, 'test.yaml')
    expect(parsed.alerts).toMatchObject({
      ratePerSecond: 1,
      renotifyMinutes: 60,
      flapping: { changes: 6, withinMinutes: 10 },
      restartLoop: { restarts: 3, withinMinutes: 5 },
      poolGraceSeconds: 30,
      rules: [],
    })
  })

  it('names each problem at its path: an unconfigured platform, a bad time zone or time, an unknown kind', () => {
    expect(
      problems({
        default: { platform: 'slack', channel: 'C0OPS' },
        rules: [{ match: { kinds: ['vm-exploded'] }, to: [{ platform: 'shell', channel: 'x' }] }],
        quietHours: { from: '25:00', to: '07:00', timeZone: 'Mars/Olympus' },
        ratePerSecond: 0,
      }),
    ).toEqual([
      expect.stringMatching(/^alerts\.rules\[0\]\.match\.kinds\[0\]: /),
      'alerts.quietHours.from: a time of day as HH:MM (24-hour)',
      'alerts.quietHours.timeZone: an IANA time zone such as UTC or Europe/Paris',
      expect.stringMatching(/^alerts\.ratePerSecond: /),
    ])
    expect(problems({ default: { platform: 'slack', channel: 'C0OPS' } })).toEqual([
      'alerts.default.platform: platform slack is not configured under platforms, so nothing could post there',
    ])
    expect(problems({ default: { platform: 'shell', channel: 'ops' }, unknown: 1 })).toEqual([
      expect.stringMatching(/^alerts\.unknown: unknown key; the keys here are default, rules, quietHours/),
    ])
  })
})
