/**
 * Generated scenarios for the benchmarks: pools of many VMs, every tenth one a Docker VM monitored by
 * xscontainer with a few containers, so the inventory parses `docker_ps` as it would on a real pool.
 */
import { type Scenario, scenarioSchema } from '../../src/sim/scenario.js'

export interface BigScenarioOptions {
  readonly pools: number
  readonly vmsPerPool: number
  /** One VM in `dockerEvery` runs Docker with `containers` containers (default 10 and 3). */
  readonly dockerEvery?: number
  readonly containers?: number
}

export const vmName = (pool: number, vm: number) => `p${pool}-vm-${String(vm).padStart(5, '0')}`

export function bigScenario(options: BigScenarioOptions): Scenario {
  const dockerEvery = options.dockerEvery ?? 10
  const containers = options.containers ?? 3
  const pools = Array.from({ length: options.pools }, (_, p) => ({
    name: `bench-${p}`,
    hosts: [
      { name: `bench-${p}-host-1`, xscontainer: true },
      { name: `bench-${p}-host-2`, xscontainer: true },
    ],
    srs: [{ name: 'Local storage', default: true }],
    networks: [{ name: 'Pool-wide network associated with eth0', bridge: 'xenbr0' }],
    vms: Array.from({ length: options.vmsPerPool }, (_, v) => {
      const docker = v % dockerEvery === 0
      return {
        name: vmName(p, v),
        power: 'running',
        ips: [`10.${p}.${Math.floor(v / 250)}.${(v % 250) + 1}`],
        bootSeconds: 0,
        ...(docker
          ? {
              docker: {
                monitor: true,
                containers: Array.from({ length: containers }, (_, c) => ({
                  name: `svc-${c}`,
                  image: c === 0 ? 'nginx:1.25' : `registry.local/app-${c}:latest`,
                })),
              },
            }
          : {}),
      }
    }),
  }))
  return scenarioSchema.parse({ name: 'bench', pools })
}
