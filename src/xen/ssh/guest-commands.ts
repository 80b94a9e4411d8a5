/**
 * Every command line the bot ever runs in a guest over SSH. They are constants: no argument is ever
 * spliced in, so nothing from a chat (a VM name, a user name, a key) can reach a shell; the keys the
 * bot installs travel on the command's stdin. The simulated guest recognises exactly these strings
 * (src/sim/guest-ssh/guest-commands.ts; tests/xen/ssh checks the two lists agree).
 */

export const SOCKET_PATH = '/var/run/docker.sock'

/**
 * Appends each key line read from stdin to ~/.ssh/authorized_keys unless the file already has that
 * exact line: the directory and file are created owner-only (umask 077), a last line without its
 * newline gets one first, and SELinux contexts are restored where restorecon exists (as
 * xscontainer-prepare-vm does, xscontainer.md §3.5 step 5). Running it twice changes nothing.
 */
export const INSTALL_KEYS =
  'umask 077; mkdir -p ~/.ssh && touch ~/.ssh/authorized_keys && ' +
  'while IFS= read -r key; do [ -n "$key" ] || continue; ' +
  'grep -qxF -- "$key" ~/.ssh/authorized_keys || { ' +
  '[ ! -s ~/.ssh/authorized_keys ] || [ -z "$(tail -c 1 ~/.ssh/authorized_keys)" ] || echo >> ~/.ssh/authorized_keys; ' +
  'printf "%s\\n" "$key" >> ~/.ssh/authorized_keys; }; done; ' +
  '{ test -x /sbin/restorecon && /sbin/restorecon ~/.ssh ~/.ssh/authorized_keys >/dev/null 2>&1; } || true'

/** Removes each exact key line read from stdin from ~/.ssh/authorized_keys (a missing file is fine). */
export const REMOVE_KEYS =
  'test -f ~/.ssh/authorized_keys || exit 0; umask 077; ' +
  'while IFS= read -r key; do [ -n "$key" ] || continue; ' +
  'grep -vxF -- "$key" ~/.ssh/authorized_keys > ~/.ssh/authorized_keys.xen-chatops || true; ' +
  'cat ~/.ssh/authorized_keys.xen-chatops > ~/.ssh/authorized_keys; rm -f ~/.ssh/authorized_keys.xen-chatops; done'

export const GUEST_COMMANDS = {
  /** xscontainer's first check (§3.4 step 2): a login runs a command at all. */
  hello: 'echo hello world',
  /** §3.4 step 5: xscontainer pipes its requests through ncat. */
  ncat: 'command -v ncat',
  /** The dial-stdio route needs the docker CLI on the login's PATH. */
  dockerCli: 'command -v docker',
  /** §3.4 step 6. */
  socketExists: `test -S ${SOCKET_PATH}`,
  /** §3.4 step 7. */
  socketAccess: `test -r ${SOCKET_PATH} && test -w ${SOCKET_PATH}`,
  installKeys: INSTALL_KEYS,
  removeKeys: REMOVE_KEYS,
  /** Docker's own route into the daemon over SSH (docker-over-ssh.md §1.3). */
  dialStdio: 'docker system dial-stdio',
  /** xscontainer's route (§3.2); the bot does not use it, the guest answers it for xscontainer. */
  ncatDocker: `ncat -U ${SOCKET_PATH}`,
} as const
