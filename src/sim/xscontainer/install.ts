/**
 * Installing the xscontainer supplemental pack on simulated hosts: the plugin file and the monitor
 * service, per host. The pack is per host, not per pool ("should be installed in every host, even if
 * they are on the same pool"), so a pool can have it on some hosts only, and a test can remove it at
 * run time to exercise XENAPI_MISSING_PLUGIN.
 */
import type { SimPool } from '../sim-pool.js'
import { XscontainerMonitor } from './monitor.js'
import { createXscontainerPlugin, PLUGIN_NAME } from './plugin.js'

export class XscontainerPack {
  readonly #pool: SimPool
  readonly #monitors = new Map<string, XscontainerMonitor>()

  constructor(pool: SimPool) {
    this.#pool = pool
  }

  install(hostRef: string): void {
    this.#pool.store.get('host', hostRef)
    this.#pool.installPlugin(hostRef, PLUGIN_NAME, createXscontainerPlugin())
    if (!this.#monitors.has(hostRef)) {
      const monitor = new XscontainerMonitor(this.#pool, hostRef)
      this.#monitors.set(hostRef, monitor)
      monitor.start()
    }
  }

  /** The pack disappears from a host (an upgrade that dropped it): plugin gone, monitor stopped. */
  uninstall(hostRef: string): void {
    this.#pool.uninstallPlugin(hostRef, PLUGIN_NAME)
    this.#monitors.get(hostRef)?.stop()
    this.#monitors.delete(hostRef)
  }

  installedOn(hostRef: string): boolean {
    return this.#pool.plugins.get(hostRef)?.has(PLUGIN_NAME) ?? false
  }

  monitor(hostRef: string): XscontainerMonitor | undefined {
    return this.#monitors.get(hostRef)
  }

  /** Fault injection: the monitor's Docker event stream for `vmRef` ends, wherever it is monitored. */
  dropStream(vmRef: string): void {
    for (const monitor of this.#monitors.values()) monitor.dropStream(vmRef)
  }

  stop(): void {
    for (const monitor of this.#monitors.values()) monitor.stop()
  }
}
