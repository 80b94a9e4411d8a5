/**
 * The slack-ack benchmark's simulator, in its own process so serving (and holding) the bot's XAPI
 * calls costs the fake Slack's measuring process nothing: `node --import tsx hung-sim-child.ts` serves
 * the demo pools on loopback, prints one JSON line with their URLs, then reads commands on stdin —
 * `hang` (every pool holds every XAPI call) and `release` — answering each with a JSON line.
 */
import { createInterface } from 'node:readline'
import { RealClock } from '../../src/sim/clock.js'
import { loadScenario } from '../../src/sim/scenario.js'
import { startSimulator } from '../../src/sim/simulator.js'

const sim = await startSimulator({ scenario: loadScenario('demo'), clock: new RealClock(), members: false })
const pools = sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: p.password }))
process.once('SIGTERM', () => {
  void sim.close().then(() => process.exit(0))
})
process.stdout.write(`${JSON.stringify({ pools })}\n`)
for await (const line of createInterface({ input: process.stdin })) {
  for (const pool of sim.pools) {
    const { faults } = sim.pool(pool.name).pool
    if (line === 'hang') faults.hang('*')
    else if (line === 'release') faults.release()
  }
  process.stdout.write(`${JSON.stringify({ done: line })}\n`)
}
