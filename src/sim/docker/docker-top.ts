/**
 * `GET /containers/{id}/top`: Docker runs `ps <ps_args>` (default `-ef`) on the host and keeps the rows
 * whose PID belongs to the container (daemon/top_unix.go), so PIDs are host PIDs, the first process's
 * parent is containerd-shim, and users without a host account print as numeric uids ([UNVERIFIED] which
 * uids a given guest maps to names depends on its /etc/passwd; we print 'root' and numbers).
 */
import type { ContainerModel } from './container-model.js'
import { cpuShare, type HostFacts } from './docker-stats.js'

export interface TopResult {
  Titles: string[]
  Processes: string[][]
}

const EF_TITLES = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']
const AUX_TITLES = ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** procps STIME/START: HH:MM within a day, then MonDD, then the year. The guest clock is UTC. */
function startText(started: number, now: number): string {
  const d = new Date(started)
  if (now - started < 24 * 3_600_000) return d.toISOString().slice(11, 16)
  if (d.getUTCFullYear() === new Date(now).getUTCFullYear()) {
    return `${MONTHS[d.getUTCMonth()]}${String(d.getUTCDate()).padStart(2, '0')}`
  }
  return String(d.getUTCFullYear())
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** ps -ef TIME: [DD-]HH:MM:SS of CPU time. */
function cpuTimeEf(seconds: number): string {
  const days = Math.floor(seconds / 86_400)
  const hms = `${pad2(Math.floor(seconds / 3600) % 24)}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`
  return days > 0 ? `${days}-${hms}` : hms
}

/** ps aux TIME: M:SS of CPU time. */
function cpuTimeAux(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${pad2(seconds % 60)}`
}

/** The rows for a running (or paused) container; the daemon checks state before calling. */
export function containerTop(c: ContainerModel, host: HostFacts, psArgs: string): TopResult {
  const rows = c.profile.processes(c.cmdLine, host.ncpu)
  const started = c.startedAt ?? host.now
  const upSeconds = Math.max(0, (host.now - started) / 1000)
  const cpuSeconds = Math.floor((upSeconds * cpuShare(c)) / rows.length)
  const shimPid = c.pid - 21
  const pidOf = (i: number) => c.pid + (i === 0 ? 0 : 10 + i)
  // [UNVERIFIED] only -ef (the default) and aux layouts are modelled; other ps_args get the -ef columns.
  const aux = /^-?aux$/.test(psArgs.trim())
  if (!aux) {
    return {
      Titles: EF_TITLES,
      Processes: rows.map((r, i) => [
        r.uid,
        String(pidOf(i)),
        String(r.child ? c.pid : shimPid),
        '0',
        startText(started, host.now),
        '?',
        cpuTimeEf(cpuSeconds),
        r.cmd,
      ]),
    }
  }
  return {
    Titles: AUX_TITLES,
    Processes: rows.map((r, i) => {
      const rssKb = 2048 + Math.round(8192 * ((c.id.charCodeAt(i % 64) % 16) / 16))
      return [
        r.uid,
        String(pidOf(i)),
        (cpuShare(c) * 100).toFixed(1),
        ((rssKb * 1024 * 100) / host.memTotal).toFixed(1),
        String(rssKb * 4),
        String(rssKb),
        '?',
        i === 0 ? 'Ss' : 'S',
        startText(started, host.now),
        cpuTimeAux(cpuSeconds),
        r.cmd,
      ]
    }),
  }
}
