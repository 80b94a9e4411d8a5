/**
 * The address DHCP hands a new guest: the next free host number from .100 up in the /24 the pool's
 * guests already use (10.77.0.0/24 when none reports one), unique across the pool's guests so the
 * simulated SSH servers can be found by the address a guest reports.
 */
import type { SimPool } from '../sim-pool.js'

export function nextGuestIp(pool: SimPool): string {
  const used = new Set([...pool.guests.values()].flatMap((g) => g.ips))
  const sample = [...used].find((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip))
  const prefix = sample ? sample.split('.').slice(0, 3).join('.') : '10.77.0'
  for (let host = 100; host < 255; host++) {
    const ip = `${prefix}.${host}`
    if (!used.has(ip)) return ip
  }
  throw new Error(`no free guest address left in ${prefix}.0/24`)
}
