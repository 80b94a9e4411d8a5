/**
 * The guest agent (xe-guest-utilities / xen-guest-agent) as XAPI sees it: some time after boot a
 * VM whose guest has tools gets a VM_guest_metrics record with its IPs in the `0/ip`, `0/ipv4/0`,
 * `0/ipv6/0` keys that xscontainer and Xen Orchestra read; on shutdown the record goes away.
 */
import { NULL_REF } from '../object-store.js'
import type { SimPool } from '../sim-pool.js'
import { toXapiDate } from '../xapi-time.js'

/** Boot generation per VM, so a report scheduled before a reboot does not land after it. */
const boots = new WeakMap<SimPool, Map<string, number>>()

export function scheduleGuestReport(pool: SimPool, vmRef: string): void {
  const guest = pool.guests.get(vmRef)
  const gens = boots.get(pool) ?? new Map<string, number>()
  boots.set(pool, gens)
  const boot = (gens.get(vmRef) ?? 0) + 1
  gens.set(vmRef, boot)
  if (!guest?.tools) return
  pool.clock.setTimer(guest.bootSeconds * 1000, () => {
    if (pool.closed || gens.get(vmRef) !== boot || !pool.store.has('VM', vmRef)) return
    if (pool.store.get('VM', vmRef).power_state !== 'Running') return
    reportGuestMetrics(pool, vmRef)
  })
}

export function reportGuestMetrics(pool: SimPool, vmRef: string): void {
  const guest = pool.guests.get(vmRef)
  if (!guest) return
  clearGuestMetrics(pool, vmRef)
  const networks: Record<string, string> = {}
  guest.ips.forEach((ip, i) => {
    if (i === 0) networks['0/ip'] = ip
    networks[`0/ipv4/${i}`] = ip
  })
  if (guest.ips.length > 0) networks['0/ipv6/0'] = `fe80::${pool.store.get('VM', vmRef).domid ?? 1}`
  const metrics = pool.store.create('VM_guest_metrics', {
    os_version: { distro: guest.distro, name: guest.distro },
    PV_drivers_version: { major: '9', minor: '4', micro: '0', build: '0' },
    PV_drivers_up_to_date: true,
    PV_drivers_detected: true,
    networks,
    other: { 'feature-shutdown': '1', 'has-vendor-device': '0' },
    last_updated: toXapiDate(pool.clock.now()),
    live: true,
    can_use_hotplug_vbd: 'yes',
    can_use_hotplug_vif: 'yes',
  })
  pool.store.update('VM', vmRef, { guest_metrics: metrics })
  pool.hooks.emit('guest-metrics', vmRef)
}

export function clearGuestMetrics(pool: SimPool, vmRef: string): void {
  const metrics = pool.store.get('VM', vmRef).guest_metrics
  if (typeof metrics !== 'string' || metrics === NULL_REF) return
  pool.store.update('VM', vmRef, { guest_metrics: NULL_REF })
  if (pool.store.has('VM_guest_metrics', metrics)) pool.store.destroy('VM_guest_metrics', metrics)
  pool.hooks.emit('guest-metrics', vmRef)
}
