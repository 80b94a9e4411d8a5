import type { AnyCommand } from '../src/core/command.js'
import { coreosCleanup } from './coreos-cleanup.js'
import { coreosCreate } from './coreos-create.js'
/** Every command the bot knows, in the order help lists them. Adding one: its file, one line here, a test. */
import { dockerDisable } from './docker-disable.js'
import { dockerEnable } from './docker-enable.js'
import { dockerInspect } from './docker-inspect.js'
import { dockerLogs } from './docker-logs.js'
import { dockerPause } from './docker-pause.js'
import { dockerPs } from './docker-ps.js'
import { dockerRestart } from './docker-restart.js'
import { dockerStart } from './docker-start.js'
import { dockerStop } from './docker-stop.js'
import { dockerTop } from './docker-top.js'
import { dockerUnpause } from './docker-unpause.js'
import { dockerVms } from './docker-vms.js'
import { xenApprovals } from './xen-approvals.js'
import { xenDoctor } from './xen-doctor.js'
import { xenHelp } from './xen-help.js'
import { xenJobs } from './xen-jobs.js'
import { xenKey } from './xen-key.js'
import { xenTrust } from './xen-trust.js'

export const commands: readonly AnyCommand[] = [
  dockerVms,
  dockerPs,
  dockerInspect,
  dockerTop,
  dockerLogs,
  dockerStart,
  dockerStop,
  dockerRestart,
  dockerPause,
  dockerUnpause,
  dockerEnable,
  dockerDisable,
  coreosCreate,
  coreosCleanup,
  xenJobs,
  xenApprovals,
  xenDoctor,
  xenKey,
  xenTrust,
  xenHelp,
]
