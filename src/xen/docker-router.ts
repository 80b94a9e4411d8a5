/**
 * Picks the Docker backend for a VM from the inventory's backend choice: xscontainer for VMs registered
 * with it, SSH for the others that are Docker-managed; a VM no backend serves gets a sentence that says
 * why and what to do.
 */
import { UserError } from '../core/errors.js'
import type { DockerBackend, VmSummary } from '../core/ports.js'

export function createDockerRouter(backends: {
  readonly xscontainer: DockerBackend
  /** Absent in a bot built without SSH (some tests): such VMs are then refused in words. */
  readonly ssh?: DockerBackend | undefined
}): (vm: VmSummary) => DockerBackend {
  return (vm) => {
    if (vm.docker.backend.kind === 'xscontainer') return backends.xscontainer
    if (vm.docker.backend.kind === 'ssh') {
      if (backends.ssh) return backends.ssh
      throw new UserError(
        'docker.ssh_unavailable',
        `${vm.name} is a Docker VM reached over SSH (${vm.docker.backend.reason}), and this bot was built without SSH`,
      )
    }
    throw new UserError(
      'docker.not_managed',
      `${vm.name} is not Docker-managed (${vm.docker.backend.reason}); run /docker enable ${vm.name}, or tag it "docker" for the SSH backend`,
    )
  }
}
