/**
 * dom0's xscontainer and the guest's sshd read one SSH model: a key installed over real SSH is the key
 * the monitor then logs in with, and a user outside the docker group is what its diagnosis names.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/sim/clock.js'
import { GUEST_COMMANDS } from '../../../src/sim/guest-ssh/guest-commands.js'
import { parseScenario } from '../../../src/sim/scenario.js'
import { determineErrorCause, MONITOR_RETRY_SECONDS } from '../../../src/sim/xscontainer/monitor.js'
import { getPoolKeyPair } from '../../../src/sim/xscontainer/pool-keys.js'
import { startSim } from '../../helpers/sim.js'
import { connect, exec } from '../../helpers/ssh-client.js'

const scenario = parseScenario(
  `
name: legacy
pools:
  - name: old
    hosts: [{ name: xs-a, xscontainer: true }]
    srs: [{ name: Local storage, default: true }]
    networks: [{ name: Network 0, bridge: xenbr0 }]
    vms:
      - name: app
        power: running
        ips: [10.8.0.1]
        otherConfig: { xscontainer-username: deploy }
        docker:
          monitor: true
          ssh:
            poolKeyAuthorized: false
            users: [{ name: deploy, password: deploy-pw }]
          containers: [{ name: web, image: "nginx:1.25" }]
`,
  'legacy fixture',
)

describe('xscontainer over the simulated SSH model', () => {
  it("monitors the VM once the pool's key is installed over SSH for xscontainer-username", async () => {
    const clock = new ManualClock()
    const sim = await startSim({ scenario, clock })
    const pool = sim.pool('old').pool
    const vm = pool.store.find('VM', (r) => r.name_label === 'app')[0] ?? ''
    const otherConfig = () => pool.store.get('VM', vm).other_config as Record<string, string>
    expect(otherConfig().docker_ps).toBeUndefined()
    expect(determineErrorCause(pool, vm)).toBe(
      'Unable to verify key-based authentication. Please prepare the VM to install a key.',
    )
    const { publicKey } = getPoolKeyPair(pool)
    const client = await connect((await sim.sshEndpoint('10.8.0.1')) ?? expect.fail('no endpoint'), {
      username: 'deploy',
      password: 'deploy-pw',
    })
    expect((await exec(client, GUEST_COMMANDS.installKeys, `${publicKey}\n`)).code).toBe(0)
    await clock.advance(MONITOR_RETRY_SECONDS * 1000)
    expect(otherConfig().docker_ps).toContain('<names>web</names>')
  })

  it('names the docker group when the user may not open the socket', async () => {
    const sim = await startSim({ scenario, clock: new ManualClock() })
    const pool = sim.pool('old').pool
    const vm = pool.store.find('VM', (r) => r.name_label === 'app')[0] ?? ''
    const guest = pool.guests.get(vm)?.ssh ?? expect.fail('no ssh model')
    guest.poolKeyAuthorized = true
    const deploy = guest.users.get('deploy') ?? expect.fail('no deploy')
    deploy.dockerGroup = false
    expect(determineErrorCause(pool, vm)).toBe(
      'Unable to access the Docker unix socket. Please make sure the specified user account belongs to the docker account group.',
    )
  })
})
