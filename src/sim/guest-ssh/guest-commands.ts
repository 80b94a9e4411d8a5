/**
 * The only command lines the simulated guest runs: exactly the fixed strings the bot sends
 * (src/xen/ssh/guest-commands.ts; tests/sim/guest-ssh checks that both lists agree), the checks
 * xscontainer's diagnosis runs (xscontainer.md §3.4), and Docker's two ways into the daemon from an
 * exec channel (`docker system dial-stdio`, xscontainer's `ncat -U`). There is no shell: any other
 * line fails as an unknown command would, and arguments never vary, so nothing typed in a chat
 * could ever become part of a command here.
 */

export const SOCKET_PATH = '/var/run/docker.sock'

/**
 * Appends each key line read from stdin to ~/.ssh/authorized_keys unless the file already has that
 * exact line: the directory and file are created owner-only (umask 077), a last line without its
 * newline gets one first, and SELinux contexts are restored where restorecon exists (as prepare-vm
 * does, xscontainer.md §3.5 step 5).
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
  /** xscontainer's first SSH check: does a login run anything at all. */
  hello: 'echo hello world',
  ncat: 'command -v ncat',
  dockerCli: 'command -v docker',
  socketExists: `test -S ${SOCKET_PATH}`,
  socketAccess: `test -r ${SOCKET_PATH} && test -w ${SOCKET_PATH}`,
  installKeys: INSTALL_KEYS,
  removeKeys: REMOVE_KEYS,
  dialStdio: 'docker system dial-stdio',
  ncatDocker: `ncat -U ${SOCKET_PATH}`,
} as const

export type GuestCommand = keyof typeof GUEST_COMMANDS

export function commandOf(line: string): GuestCommand | undefined {
  return (Object.keys(GUEST_COMMANDS) as GuestCommand[]).find((name) => GUEST_COMMANDS[name] === line)
}
