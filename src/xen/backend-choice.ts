/**
 * Which Docker backend serves a VM, and why, in words the answer can show: xscontainer when the VM is
 * registered with it; SSH for VMs tagged `docker` (how Docker VMs are marked on pools where the pack no
 * longer exists); none otherwise. The SSH backend itself arrives with issue #10; until then such VMs are
 * listed but their containers cannot be reached.
 */
import type { BackendChoice, DockerMonitor } from '../core/ports.js'

/** The VM tag that marks a Docker VM reached over SSH. */
export const DOCKER_TAG = 'docker'

export function chooseBackend(monitor: DockerMonitor, tags: readonly string[] = []): BackendChoice {
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
