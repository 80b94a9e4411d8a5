/**
 * Which Docker backend serves a VM, and why, in words the answer can show. Today only xscontainer
 * exists; the SSH backend (issue #10) will add its branch here, for VMs that are reachable but whose
 * host has no pack.
 */
import type { BackendChoice, DockerMonitor } from '../core/ports.js'

export function chooseBackend(monitor: DockerMonitor): BackendChoice {
  switch (monitor) {
    case 'enabled':
      return { kind: 'xscontainer', reason: 'registered with xscontainer (xscontainer-monitor is on)' }
    case 'disabled':
      return { kind: 'none', reason: 'xscontainer monitoring is turned off for this VM (xscontainer-monitor=False)' }
    case 'absent':
      return { kind: 'none', reason: 'not Docker-managed (no xscontainer-monitor key)' }
  }
}

/** XO's reading of the key: absent, `False`, or anything else meaning enabled. */
export function dockerMonitor(otherConfig: Readonly<Record<string, string>>): DockerMonitor {
  const value = otherConfig['xscontainer-monitor']
  if (value === undefined) return 'absent'
  return value === 'False' ? 'disabled' : 'enabled'
}
