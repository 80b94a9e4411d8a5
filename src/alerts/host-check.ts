/**
 * Whether a host that just joined a pool can serve the pool's xscontainer VMs, answered by the doctor
 * (issue #12), which probes the plugin on each host and knows which versions dropped the pack. Only a
 * pool that relies on the pack — it answers on another host — makes a host without it worth an alert;
 * in a pool of modern hosts, a new modern host is simply normal.
 */
import type { Doctor } from '../core/doctor-port.js'
import type { PoolHost } from '../core/ports.js'

export type HostCheck = (
  host: PoolHost,
) => Promise<{ readonly detail: string; readonly fix?: string | undefined } | undefined>

export function doctorHostCheck(doctor: Doctor): HostCheck {
  return async (host) => {
    const report = await doctor.run({ pool: host.pool })
    const checks = report.pools.flatMap((p) => p.checks).filter((c) => c.check === 'xscontainer')
    const own = checks.find((c) => c.subject === host.name)
    const relied = checks.some((c) => c !== own && c.state === 'ok')
    if (!own || own.state === 'ok' || !relied) return undefined
    return { detail: own.detail, fix: own.fix }
  }
}
