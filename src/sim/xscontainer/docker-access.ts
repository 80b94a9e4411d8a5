/**
 * How dom0 reaches the Docker daemon inside a VM (xscontainer.md §3): an IPv4 address from the guest
 * agent's `VM_guest_metrics.networks`, an SSH login with the pool key as `xscontainer-username`, then
 * `ncat -U /var/run/docker.sock`. The guest's SSH model (guest-ssh/guest-ssh.ts, the one the simulated
 * sshd serves) says which of those steps would work; each failure surfaces with the exception class and
 * text the real plugin raises.
 */
import type { DockerDaemon } from '../docker/docker-daemon.js'
import { DEFAULT_SSH_USER } from '../guest-ssh/guest-ssh.js'
import { NULL_REF } from '../object-store.js'
import type { SimPool } from '../sim-pool.js'
import { pluginException } from './plugin-errors.js'
import { findPoolKeyPair } from './pool-keys.js'

/** IPv4 addresses the guest agent reports, HIMN (169.254.*) first, IPv6 dropped (`get_suitable_vm_ips`). */
export function suitableVmIps(pool: SimPool, vmRef: string): string[] {
  const metrics = pool.store.get('VM', vmRef).guest_metrics
  if (typeof metrics !== 'string' || metrics === NULL_REF || !pool.store.has('VM_guest_metrics', metrics)) return []
  const networks = pool.store.get('VM_guest_metrics', metrics).networks as Record<string, string>
  const ips = [...new Set(Object.values(networks).filter((ip) => !ip.includes(':')))]
  return [...ips.filter((ip) => ip.startsWith('169.254.')), ...ips.filter((ip) => !ip.startsWith('169.254.'))]
}

/** The account dom0 logs in as: `xscontainer-username`, `core` when the VM names none (§2.1). */
export function xscontainerUser(pool: SimPool, vmRef: string): string {
  return (
    (pool.store.get('VM', vmRef).other_config as Record<string, string>)['xscontainer-username'] ?? DEFAULT_SSH_USER
  )
}

/** Whether dom0's login with the pool key succeeds (the key preset by the scenario, or installed since). */
export function poolKeyAccepted(pool: SimPool, vmRef: string): boolean {
  const ssh = pool.guests.get(vmRef)?.ssh
  return ssh?.hasPoolKey(xscontainerUser(pool, vmRef), findPoolKeyPair(pool)?.publicKey) ?? false
}

/** The daemon of a VM, or the plugin failure the real pack raises on the way to it. */
export function reachDocker(pool: SimPool, fn: string, vmRef: string): DockerDaemon {
  const uuid = String(pool.store.get('VM', vmRef).uuid)
  const guest = pool.guests.get(vmRef)
  const ssh = guest?.ssh
  // A TCP connect to port 22 decides which address is usable; without an SSH server none is.
  if (suitableVmIps(pool, vmRef).length === 0 || !ssh?.server) {
    throw pluginException(fn, 'XSContainerException', `No valid IP found for vmuuid ${uuid}`)
  }
  if (!poolKeyAccepted(pool, vmRef)) {
    throw pluginException(
      fn,
      'AuthenticationException',
      `prepare_ssh_client failed to authenticate with private key on VM ${uuid}`,
    )
  }
  const daemon = guest?.docker
  // [UNVERIFIED] exact text: ncat missing, or the socket missing or refusing the user, makes the remote
  // command exit non-zero, which the SSH helper reports as an SshException naming the command.
  if (!ssh.ncat || !daemon || ssh.socketAccess(xscontainerUser(pool, vmRef), daemon.up) !== 'ok') {
    throw pluginException(fn, 'SshException', "Command 'ncat -U /var/run/docker.sock' failed with exit status 1")
  }
  return daemon
}
