/**
 * Every simulated guest's sshd, and the map from the IPs guests report to the loopback ports their
 * servers listen on: a real bot connects to `<ip>:22`, a bot run against the simulator asks this map
 * instead (its endpoint resolver). Servers start with the simulator for every guest that has an SSH
 * model, and on first lookup for guests that get one later (VMs created while it runs).
 */
import type { SimPool } from '../sim-pool.js'
import { GuestSshServer, type SshEndpoint } from './guest-ssh-server.js'

export class GuestSshHosts {
  readonly #pools: readonly SimPool[]
  /** By pool name and VM ref. */
  readonly #servers = new Map<string, GuestSshServer>()
  #botKey: string | undefined
  #closed = false

  constructor(pools: readonly SimPool[]) {
    this.#pools = pools
  }

  /** Starts the sshd of every guest that has an SSH model now. */
  async start(): Promise<void> {
    const starts: Promise<SshEndpoint>[] = []
    for (const pool of this.#pools) {
      for (const [vmRef, guest] of pool.guests) if (guest.ssh) starts.push(this.server(pool, vmRef).listen())
    }
    await Promise.all(starts)
  }

  /** The sshd of one guest (created, not necessarily listening yet). */
  server(pool: SimPool, vmRef: string): GuestSshServer {
    const key = `${pool.name}/${vmRef}`
    let server = this.#servers.get(key)
    if (!server) {
      server = new GuestSshServer(pool, vmRef)
      this.#servers.set(key, server)
      if (this.#botKey) pool.guests.get(vmRef)?.ssh?.installBotKey(this.#botKey)
    }
    return server
  }

  /** The sshd of the VM named `vm` in pool `pool`, for tests that inspect or break it. */
  serverOf(pool: string, vm: string): GuestSshServer {
    const found = this.#pools.find((p) => p.name === pool)
    const vmRef = found?.store.find('VM', (r) => r.name_label === vm)[0]
    if (!found || !vmRef || !found.guests.get(vmRef)?.ssh) throw new Error(`no SSH guest ${vm} in pool ${pool}`)
    return this.server(found, vmRef)
  }

  /**
   * Where `ip:22` of a guest is served on loopback; undefined when no guest with an SSH model reports
   * that address. A running VM wins over a halted one with the same address (a clone keeps its IPs).
   */
  async endpoint(ip: string): Promise<SshEndpoint | undefined> {
    if (this.#closed) return undefined
    const candidates = this.#pools.flatMap((pool) =>
      [...pool.guests].filter(([, g]) => g.ssh && g.ips.includes(ip)).map(([vmRef]) => ({ pool, vmRef })),
    )
    const running = candidates.find(
      ({ pool, vmRef }) => pool.store.has('VM', vmRef) && pool.store.get('VM', vmRef).power_state === 'Running',
    )
    const chosen = running ?? candidates[0]
    return chosen ? this.server(chosen.pool, chosen.vmRef).listen() : undefined
  }

  /**
   * The bot's public key line, now that it is known: written into the accounts whose scenario says the
   * VM was built with it (`botKey: true`), here and in guests that get a server later.
   */
  authorizeBotKey(line: string): void {
    this.#botKey = line
    for (const pool of this.#pools) for (const guest of pool.guests.values()) guest.ssh?.installBotKey(line)
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all([...this.#servers.values()].map((s) => s.close()))
  }
}
