/**
 * Picks the Docker backend for a VM from the inventory's backend choice. The SSH backend (issue #10)
 * joins here; a VM no backend serves gets a sentence that says why and what to do.
 */
import { UserError } from '../core/errors.js'
import type { DockerBackend, VmSummary } from '../core/ports.js'

export function createDockerRouter(backends: {
  readonly xscontainer: DockerBackend
}): (vm: VmSummary) => DockerBackend {
  return (vm) => {
    if (vm.docker.backend.kind === 'xscontainer') return backends.xscontainer
    if (vm.docker.backend.kind === 'ssh') {
      throw new UserError(
        'docker.ssh_unavailable',
        `${vm.name} is a Docker VM reached over SSH (${vm.docker.backend.reason}), and this version cannot reach Docker over SSH yet`,
      )
    }
    throw new UserError(
      'docker.not_managed',
      `${vm.name} is not Docker-managed (${vm.docker.backend.reason}); tag it "docker" for the SSH backend or register it with xscontainer`,
    )
  }
}
