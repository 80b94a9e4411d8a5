/**
 * The bot as the benchmarks run it: the real createApp (Xen layer, inventory, dispatcher, store) over
 * the simulator child's pools, with one user who may read everything.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, createApp } from '../../src/app.js'
import { validateConfig } from '../../src/config.js'
import { silentLog } from '../../src/log.js'
import type { SimPoolInfo } from './bench-lib.js'

const PASSWORD_ENV = 'XEN_CHATOPS_BENCH_PASSWORD'

export const BENCH_ACTOR = { platform: 'shell', id: 'bench', name: 'bench' } as const

export async function startBenchBot(pools: readonly SimPoolInfo[]): Promise<{ app: App; stop(): Promise<void> }> {
  const config = validateConfig(
    {
      pools: pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: PASSWORD_ENV } })),
      access: {
        roles: { reader: { permissions: ['docker.read', 'xen.read'] } },
        subjects: [{ platform: 'shell', users: ['bench'], roles: ['reader'] }],
      },
      platforms: { shell: { user: 'bench' } },
    },
    'bench config',
  )
  const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-bench-'))
  const app = await createApp({ config, log: silentLog, env: { [PASSWORD_ENV]: pools[0]?.password ?? '' }, dataDir })
  await Promise.all(app.xen.connections.map((c) => c.synced(600_000)))
  return {
    app,
    stop: async () => {
      await app.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
