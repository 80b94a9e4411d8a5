/**
 * Which Docker backend serves a VM, and why, in words the answer can show: xscontainer when the VM is
 * registered with it; SSH for VMs tagged `docker` (how Docker VMs are marked on pools where the pack no
 * longer exists); none otherwise. A pool configured with `dockerBackend: ssh` serves its registered VMs
 * over SSH too (logs and stats, which xscontainer cannot give).
 */
import type { BackendChoice, DockerMonitor } from '../core/ports.js'

/** The VM tag that marks a Docker VM reached over SSH. */
export const DOCKER_TAG = 'docker'

export function chooseBackend(
  monitor: DockerMonitor,
  tags: readonly string[] = [],
  preference: 'auto' | 'ssh' = 'auto',
): BackendChoice {
  if (monitor === 'enabled' && preference === 'ssh') {
    return { kind: 'ssh', reason: 'registered with xscontainer, and the pool is configured to use SSH' }
  }
  if (monitor === 'enabled') {
    return { kind: 'xscontainer', reason: 'registered with xscontainer (xscontainer-monitor is on)' }
  }
  if (tags.includes(DOCKER_TAG)) {
    return { kind: 'ssh', reason: `tagged "${DOCKER_TAG}": Docker is reached over SSH` }
  }
  return monitor === 'disabled'
    ? { kind: 'none', reason: 'xscontainer monitoring is turned off for this VM (xscontainer-monitor=False)' }
    : { kind: 'none', reason: `no xscontainer-monitor key and no "${DOCKER_TAG}" tag` }
}

/** XO's reading of the key: absent, `False`, or anything else meaning enabled. */
export function dockerMonitor(otherConfig: Readonly<Record<string, string>>): DockerMonitor {
  const value = otherConfig['xscontainer-monitor']
  if (value === undefined) return 'absent'
  return value === 'False' ? 'disabled' : 'enabled'
}
