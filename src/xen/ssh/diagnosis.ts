/**
 * Why Docker in a VM cannot be reached over SSH, in the sentences xscontainer's own diagnosis uses
 * (`ssh.determine_error_cause`), so people who know XenCenter's "cannot monitor" messages read the
 * same words. The checks run in xscontainer's order, and the first fatal one ends the diagnosis.
 *
 * Sentences: xscontainer.md §3.4 (copied into the project, as the rules require), completed where that
 * document elides them from xenserver/xscontainer `src/xscontainer/remote_helper/ssh.py`
 * (`determine_error_cause`). The host-key sentence keeps xscontainer's opening; its remedy names the
 * bot's own pin, since the `xe vm-param-remove … xscontainer-sshhostkey` that xscontainer suggests
 * resets dom0's record, not the bot's.
 */
import type { GUEST_COMMANDS } from './guest-commands.js'

export const CAUSES = {
  network:
    'Error: Cannot find a valid IP that allows SSH connections to the VM. Please make sure that Tools are installed, a network route is set up, there is a SSH server running inside the VM that is reachable from Dom0.',
  auth: 'Unable to verify key-based authentication. Please prepare the VM to install a key.',
  hostKey: 'The SSH host key of the VM has unexpectedly changed, which could potentially be a security breach.',
  ssh: 'Unable to connect to the VM using SSH. Please check the logs inside the VM and also try manually.',
  ncat: 'Unable to find ncat inside the VM. Please install ncat. ',
  socket: 'Unable to find the Docker unix socket at /var/run/docker.sock. Please install and run Docker.',
  access:
    'Unable to access the Docker unix socket. Please make sure the specified user account belongs to the docker account group.',
  unknown: 'Unable to determine cause of failure.',
  /** Not xscontainer's (it never ran the docker CLI): the dial-stdio route's own requirement. */
  dockerCli:
    'Unable to find the docker command inside the VM. Please install the Docker CLI for the SSH user, or configure ssh.transport: streamlocal.',
} as const

export type Cause = keyof typeof CAUSES

export interface Diagnosis {
  /** The causes found, in the order xscontainer checks them. */
  readonly causes: readonly Cause[]
  /** xscontainer's sentences for them, as one text. */
  readonly text: string
}

export const diagnosisOf = (causes: readonly Cause[]): Diagnosis => ({
  causes,
  text: causes
    .map((c) => CAUSES[c])
    .join('')
    .trim(),
})

/** What the diagnosis needs of a logged-in session: run one fixed command, get its exit status. */
export interface CheckRunner {
  run(command: keyof typeof GUEST_COMMANDS): Promise<{ readonly code: number | null }>
}

/**
 * Checks 2 (past login), 5, 6 and 7 of §3.4 on a session that logged in (checks 1 to 4 are about the
 * login itself: see sshFailureCause). `ncat` matters only where xscontainer will reach Docker; the
 * docker CLI only for the dial-stdio route.
 */
export async function diagnoseSession(
  session: CheckRunner,
  needs: { readonly ncat: boolean; readonly dockerCli: boolean },
): Promise<Diagnosis> {
  if ((await session.run('hello')).code !== 0) return diagnosisOf(['ssh'])
  const causes: Cause[] = []
  if (needs.ncat && (await session.run('ncat')).code !== 0) causes.push('ncat')
  if ((await session.run('socketExists')).code !== 0) return diagnosisOf([...causes, 'socket'])
  if ((await session.run('socketAccess')).code !== 0) causes.push('access')
  if (needs.dockerCli && (await session.run('dockerCli')).code !== 0) causes.push('dockerCli')
  return diagnosisOf(causes.length > 0 ? causes : ['unknown'])
}
