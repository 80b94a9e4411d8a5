/**
 * A VM's main IP, by Xen Orchestra's rule over `VM_guest_metrics.networks` (xo-server
 * xapi-object-to-xo.mjs): the first key in sorted order matching `<dev>/ip` or `<dev>/ipv4/<n>`,
 * else the first `<dev>/ipv6/<n>`.
 */
export function mainIp(networks: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!networks) return undefined
  const keys = Object.keys(networks).sort()
  const v4 = keys.find((k) => /^\d+\/ip(v4\/\d+)?$/.test(k))
  const key = v4 ?? keys.find((k) => /^\d+\/ipv6\/\d+$/.test(k))
  const ip = key === undefined ? undefined : networks[key]
  return ip || undefined
}
