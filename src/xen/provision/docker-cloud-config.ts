/**
 * The project's own cloud-config for Docker-ready VMs on pools without xscontainer (cloud-init images
 * read it from the NoCloud `cidata` drive; Flatcar, which ships Docker and a `core` account, ignores
 * what it does not need). The default account is `core`, as on CoreOS and Flatcar, in the `docker`
 * group so the bot can reach the Docker socket over SSH; the user's key (and the bot's) are added to
 * `ssh_authorized_keys` when the VM is built.
 */
export const DOCKER_CLOUD_CONFIG = `#cloud-config
# A Docker-ready VM built by xen-chatops (/coreos create).
# The default account is "core"; it may use Docker without sudo.
system_info:
  default_user:
    name: core
    groups: [docker]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
    lock_passwd: true
users:
  - default
ssh_authorized_keys:
  # Your public key is added here when the VM is created.
package_update: true
packages:
  - docker.io
runcmd:
  - [systemctl, enable, --now, docker.service]
`
