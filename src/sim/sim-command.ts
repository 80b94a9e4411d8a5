/**
 * `xen-chatops sim`: serves a scenario until Ctrl-C or SIGTERM. People get the URLs and credentials;
 * scripts pass --json and read the first line.
 */
import { RealClock } from './clock.js'
import { loadScenario } from './scenario.js'
import { startSimulator } from './simulator.js'

export interface SimCommandOptions {
  readonly scenario: string
  readonly port: number
  readonly tls: boolean
  readonly speed: number
  readonly json: boolean
}

export async function runSimCommand(options: SimCommandOptions): Promise<number> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`--port must be a port number (0-65535), got ${options.port}`)
  }
  if (!(options.speed > 0)) throw new Error(`--speed must be a positive number, got ${options.speed}`)
  const scenario = loadScenario(options.scenario)
  const sim = await startSimulator({
    scenario,
    port: options.port,
    tls: options.tls,
    clock: new RealClock(options.speed),
  })
  const pools = sim.pools.map((p) => ({
    name: p.name,
    url: p.url,
    username: p.username,
    password: p.password,
    members: p.members.map((m) => ({ host: m.host, url: m.url })),
  }))
  const first = pools[0]
  if (options.json) {
    console.log(JSON.stringify({ url: first?.url, username: first?.username, password: first?.password, pools }))
  } else {
    console.log(`xen-chatops simulator: scenario "${scenario.name}"${options.tls ? ' (TLS, self-signed)' : ''}`)
    for (const p of pools) console.log(`  pool ${p.name}: ${p.url}  user ${p.username}  password ${p.password}`)
    // Each Docker guest's sshd: what a bot run against this simulator maps the VM's IP to.
    for (const p of sim.pools) {
      for (const [ref, guest] of p.pool.guests) {
        const ip = guest.ips[0]
        const endpoint = guest.ssh && ip ? await sim.sshEndpoint(ip) : undefined
        if (endpoint) {
          const name = String(p.pool.store.get('VM', ref).name_label)
          console.log(`  guest ${name} (${ip}:22): ssh on ${endpoint.host}:${endpoint.port}`)
        }
      }
    }
    console.log('Press Ctrl-C to stop.')
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  // Pending event.from calls are answered before the sockets close (see Simulator.close).
  await sim.close()
  if (!options.json) console.log('simulator stopped')
  return 0
}
