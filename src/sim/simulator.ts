/**
 * Starts every pool of a scenario as its own XAPI endpoint on loopback: the master on
 * 127.0.0.1 and each other host on 127.0.0.2, .3 … at the same port, answering HOST_IS_SLAVE with
 * the master's address (xen-api keeps the port when it follows the redirect, as with a real pool).
 * Each guest with an SSH model gets its own sshd on 127.0.0.1 (guest-ssh/), found by the IP it reports.
 */
import { generate } from 'selfsigned'
import { buildPool } from './build-pool.js'
import type { SimClock } from './clock.js'
import { RealClock } from './clock.js'
import { loadDatamodel } from './datamodel.js'
import { GuestSshHosts } from './guest-ssh/guest-ssh-hosts.js'
import type { SshEndpoint } from './guest-ssh/guest-ssh-server.js'
import { type TlsMaterial, XapiHttpServer } from './http-server.js'
import type { Scenario } from './scenario.js'
import type { SimPool } from './sim-pool.js'

export interface StartSimulatorOptions {
  readonly scenario: Scenario
  readonly clock?: SimClock | undefined
  /** First pool's port; the next pools take the following ports. 0 picks free ports. */
  readonly port?: number | undefined
  /** Serve HTTPS with a self-signed certificate generated at start. */
  readonly tls?: boolean | undefined
  /** Also listen for the non-master hosts (127.0.0.2, …); on by default. */
  readonly members?: boolean | undefined
}

export interface RunningPool {
  readonly name: string
  readonly url: string
  readonly username: string
  readonly password: string
  readonly pool: SimPool
  readonly server: XapiHttpServer
  /** Non-master hosts: their name, and the listener that answers HOST_IS_SLAVE. */
  readonly members: readonly { readonly host: string; readonly url: string; readonly server: XapiHttpServer }[]
}

export interface Simulator {
  readonly scenario: Scenario
  readonly pools: readonly RunningPool[]
  /** The generated certificate (PEM) when serving TLS, for tests that verify or pin it. */
  readonly certificate: string | undefined
  /** The guests' SSH servers (each a loopback port standing in for the VM's port 22). */
  readonly guestSsh: GuestSshHosts
  pool(name: string): RunningPool
  /**
   * Where a guest's `ip:22` is served on loopback, for the bot's SSH endpoint resolver; undefined when
   * no simulated guest with an SSH server reports that IP.
   */
  sshEndpoint(ip: string): Promise<SshEndpoint | undefined>
  /**
   * The same as a bot's endpoint resolver: an IP no simulated guest answers on fails as a TCP connect
   * to it would (ECONNREFUSED), so the bot reports it as it would for a real VM.
   */
  resolveSshEndpoint(ip: string): Promise<SshEndpoint>
  /** Tells the guests the bot's public key line, for the accounts the scenario marks `botKey: true`. */
  authorizeBotKey(line: string): void
  close(): Promise<void>
}

const MASTER_ADDRESS = '127.0.0.1'
const memberAddress = (index: number) => `127.0.0.${index + 2}`

export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const { scenario } = options
  const clock = options.clock ?? new RealClock()
  const model = loadDatamodel()
  const withMembers = options.members ?? true
  const maxMembers = Math.max(...scenario.pools.map((p) => p.hosts.length - 1))
  const tls = options.tls ? await generateCertificate(maxMembers) : undefined
  const running: RunningPool[] = []
  // The pool being started and the listeners it already has: when a later listen fails (a member's
  // address:port is taken), they are not in `running` yet and must be closed too, or the process
  // stays alive on them after reporting the error.
  let starting: { pool: SimPool; servers: XapiHttpServer[] } | undefined
  try {
    for (const [i, spec] of scenario.pools.entries()) {
      const hostAddresses = spec.hosts.map((_, h) => (h === 0 ? MASTER_ADDRESS : memberAddress(h - 1)))
      const pool = buildPool({ scenario, spec, model, clock, hostAddresses })
      starting = { pool, servers: [] }
      const port = options.port ? options.port + i : 0
      const server = new XapiHttpServer({ pool, host: MASTER_ADDRESS, port, tls })
      await server.listen()
      starting.servers.push(server)
      const members = []
      for (const [h, host] of spec.hosts.slice(1).entries()) {
        if (!withMembers) break
        const member = new XapiHttpServer({
          pool,
          host: memberAddress(h),
          port: server.port,
          tls,
          masterAddress: MASTER_ADDRESS,
        })
        await member.listen()
        starting.servers.push(member)
        members.push({ host: host.name, url: member.url, server: member })
      }
      starting = undefined
      running.push({
        name: spec.name,
        url: server.url,
        username: pool.credentials.username,
        password: pool.credentials.password,
        pool,
        server,
        members,
      })
    }
  } catch (error) {
    if (starting) {
      const { pool, servers } = starting
      await pool.close()
      await Promise.all(servers.map((server) => server.close()))
    }
    await closeAll(running)
    throw error
  }
  const guestSsh = new GuestSshHosts(running.map((p) => p.pool))
  try {
    await guestSsh.start()
  } catch (error) {
    await guestSsh.close()
    await closeAll(running)
    throw error
  }
  return {
    scenario,
    pools: running,
    certificate: tls?.cert,
    guestSsh,
    pool(name) {
      const found = running.find((p) => p.name === name)
      if (!found) throw new Error(`no pool named ${name}; pools: ${running.map((p) => p.name).join(', ')}`)
      return found
    },
    sshEndpoint: (ip) => guestSsh.endpoint(ip),
    resolveSshEndpoint: async (ip) => {
      const endpoint = await guestSsh.endpoint(ip)
      if (endpoint) return endpoint
      throw Object.assign(new Error(`connect ECONNREFUSED ${ip}:22`), { code: 'ECONNREFUSED', level: 'client-socket' })
    },
    authorizeBotKey: (line) => guestSsh.authorizeBotKey(line),
    // The guests' sshd first: their clients see the VMs go away before the pools stop answering.
    close: async () => {
      await guestSsh.close()
      await closeAll(running)
    },
  }
}

/** Drops sessions first so pending event.from calls answer, then waits for in-flight replies, then closes sockets. */
async function closeAll(pools: readonly RunningPool[]): Promise<void> {
  await Promise.all(pools.map((p) => p.pool.close()))
  await Promise.all(pools.flatMap((p) => [p.server.close(), ...p.members.map((m) => m.server.close())]))
}

async function generateCertificate(members: number): Promise<TlsMaterial> {
  const ips = [MASTER_ADDRESS, ...Array.from({ length: members }, (_, i) => memberAddress(i))]
  const pems = await generate([{ name: 'commonName', value: 'xen-chatops-simulator' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [{ type: 2, value: 'localhost' }, ...ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  })
  return { key: pems.private, cert: pems.cert }
}
