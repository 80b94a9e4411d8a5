/**
 * The benchmarks' simulator process: `node --import tsx sim-child.ts <pools> <vms>` serves a generated
 * scenario over HTTP on loopback, prints one JSON line with the pools' URLs, and runs until SIGTERM.
 */
import { RealClock } from '../../src/sim/clock.js'
import { startSimulator } from '../../src/sim/simulator.js'
import { bigScenario } from './big-scenario.js'

const [pools = '1', vms = '100'] = process.argv.slice(2)
const sim = await startSimulator({
  scenario: bigScenario({ pools: Number(pools), vmsPerPool: Number(vms) }),
  clock: new RealClock(),
  members: false,
})
process.stdout.write(
  `${JSON.stringify({
    pools: sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: p.password })),
  })}\n`,
)
process.once('SIGTERM', () => {
  void sim.close().then(() => process.exit(0))
})
