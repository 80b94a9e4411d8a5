/**
 * The human text and time formats Docker puts in its answers: `units.HumanDuration` (docker/go-units
 * duration.go), the container `Status` column (container/state.go `State.String`), Go's RFC 3339
 * timestamps, and the fixed-width ones `docker logs --timestamps` prints.
 */

/**
 * docker/go-units `HumanDuration`, thresholds and integer truncation as in Go: seconds and minutes
 * truncate, hours round (`int(d.Hours() + 0.5)`), days/weeks/months divide the rounded hours, years
 * truncate the raw hours.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000)
  if (seconds < 1) return 'Less than a second'
  if (seconds === 1) return '1 second'
  if (seconds < 60) return `${seconds} seconds`
  const minutes = Math.trunc(ms / 60_000)
  if (minutes === 1) return 'About a minute'
  if (minutes < 60) return `${minutes} minutes`
  const hours = Math.trunc(ms / 3_600_000 + 0.5)
  if (hours === 1) return 'About an hour'
  if (hours < 48) return `${hours} hours`
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`
}

/** The flags Docker keeps in `container.State` (restarting counts as Running there). */
export interface StateFlags {
  running: boolean
  paused: boolean
  restarting: boolean
  exitCode: number
  /** ms since the epoch, or null for Go's zero time (never started / never finished). */
  startedAt: number | null
  finishedAt: number | null
}

export type ContainerStateName = 'created' | 'running' | 'paused' | 'restarting' | 'exited'

/** container/state.go `StateString` (no removal or dead states in this model). */
export function stateString(s: StateFlags): ContainerStateName {
  if (s.running) {
    if (s.paused) return 'paused'
    if (s.restarting) return 'restarting'
    return 'running'
  }
  return s.startedAt === null ? 'created' : 'exited'
}

/** container/state.go `State.String`: the `Status` of `GET /containers/json`. */
export function statusText(s: StateFlags, now: number): string {
  if (s.running) {
    const up = humanDuration(now - (s.startedAt ?? now))
    if (s.paused) return `Up ${up} (Paused)`
    if (s.restarting) return `Restarting (${s.exitCode}) ${humanDuration(now - (s.finishedAt ?? now))} ago`
    return `Up ${up}`
  }
  if (s.startedAt === null) return 'Created'
  if (s.finishedAt === null) return ''
  return `Exited (${s.exitCode}) ${humanDuration(now - s.finishedAt)} ago`
}

/** Go's zero `time.Time` as JSON: what `StartedAt`/`FinishedAt`/`read` show when never set. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/**
 * A Go `time.Time` marshalled to JSON (RFC3339Nano, UTC): fractional seconds with trailing zeros
 * dropped, and none at all on a whole second. The simulated clock has millisecond resolution.
 */
export function goTime(ms: number | null): string {
  if (ms === null) return ZERO_TIME
  const iso = new Date(ms).toISOString()
  return iso.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'))
}

/** `jsonmessage.RFC3339NanoFixed`: always nine fractional digits, as `docker logs -t` prints them. */
export function fixedNanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')
}
