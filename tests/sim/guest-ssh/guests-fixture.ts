/**
 * A small modern pool whose guests cover every way SSH to Docker can go: a healthy guest with a
 * password account and a key-only account outside the docker group, a halted one, one without sshd,
 * and one with nothing installed (no docker CLI, no ncat, no socket).
 */
import { parseScenario, type Scenario } from '../../../src/sim/scenario.js'

export const CORE_PASSWORD = 'sim-core-password'
export const OPS_PASSWORD = 'sim-ops-password'

export function guestsScenario(): Scenario {
  return parseScenario(
    `
name: guests
pools:
  - name: lab
    hosts:
      - { name: xcp-a, product: { brand: XCP-ng, version: 8.3.0 } }
    srs:
      - { name: Local storage, default: true }
    networks:
      - { name: Pool-wide network, bridge: xenbr0 }
    vms:
      - name: box
        power: running
        ips: [10.9.0.1]
        docker:
          ssh:
            users:
              - { name: core, password: ${CORE_PASSWORD} }
              - { name: ops, password: ${OPS_PASSWORD}, docker: false }
          containers:
            - name: web
              image: "nginx:1.25"
              ports: [{ privatePort: 80, publicPort: 8080 }]
              logs: [first line, "second \\u001b[31mred\\u001b[0m line"]
            - { name: cron, image: "alpine:3.19", command: crond -f, crash: { afterSeconds: 60, exitCode: 3 } }
            - { name: done, image: "alpine:3.19", state: exited, exitCode: 0 }
      - name: sleeper
        power: halted
        ips: [10.9.0.2]
        docker:
          ssh: { users: [{ name: core, password: ${CORE_PASSWORD} }] }
          containers: [{ name: app, image: "alpine:3.19" }]
      - name: no-sshd
        power: running
        ips: [10.9.0.3]
        docker:
          ssh: { server: false }
      - name: bare
        power: running
        ips: [10.9.0.4]
        docker:
          ssh:
            ncat: false
            dockerCli: false
            socket: false
            streamLocal: false
            users: [{ name: core, password: ${CORE_PASSWORD} }]
`,
    'guests fixture',
  )
}
