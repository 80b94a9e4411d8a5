/**
 * Alerts and digests as neutral Replies: every adapter renders and escapes them for its platform (the
 * titles carry VM and container names, which anyone with a VM can choose). An alert's buttons carry
 * only `<alert id>:<verb>`; a resolved alert keeps no buttons. Times are UTC, as on approval cards.
 */
import { actions, type Block, channelReply, context, fields, type Reply, text } from '../core/reply.js'
import type { AlertRecord, DigestRecord } from './alert-types.js'

export type AlertVerb = 'ack' | 'mute' | 'restart' | 'logs'

export const alertToken = (id: string, verb: AlertVerb) => `${id}:${verb}`

export function parseAlertToken(token: string): { id: string; verb: AlertVerb } | undefined {
  const match = /^([a-z0-9]{8}):(ack|mute|restart|logs)$/.exec(token.trim())
  return match ? { id: match[1] as string, verb: match[2] as AlertVerb } : undefined
}

export const utc = (at: number) => `${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC`

/** `45 s`, `12 min`, `3 h 5 min`. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 90) return `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

export interface AlertView {
  readonly alert: AlertRecord
  readonly now: number
  readonly muted?: { readonly until: number; readonly by: string } | undefined
  /** Flapping: the alert waits to be stable before it says resolved. */
  readonly flapping: boolean
  /** Which container buttons the bot can answer (the commands exist). */
  readonly buttons: { readonly restart: boolean; readonly logs: boolean }
}

export function alertMessage(view: AlertView): Reply {
  const { alert, now, muted, flapping } = view
  const resolved = alert.state === 'resolved'
  const style = resolved
    ? 'success'
    : alert.severity === 'critical'
      ? 'error'
      : alert.severity === 'warning'
        ? 'warning'
        : 'plain'
  const head = resolved ? `Resolved: ${alert.title}` : alert.title
  const { vm, container, host } = alert.subject
  const facts: Record<string, string> = { Severity: alert.severity, Pool: alert.subject.pool }
  if (vm) facts.VM = vm.name
  if (container) facts.Container = `${container.name} (${container.key})`
  if (host) facts.Host = host.name
  facts.Since = utc(alert.firstAt)
  if (alert.occurrences > 1) facts.Occurrences = `${alert.occurrences} (last ${utc(alert.lastAt)})`
  facts.Status = status(alert, now, muted, flapping)
  const blocks: Block[] = [text(head, style), fields(facts)]
  if (alert.detail) blocks.push(context(alert.detail))
  if (!resolved) {
    const buttons = [
      ...(alert.state === 'open'
        ? [{ token: alertToken(alert.id, 'ack'), label: 'Acknowledge', style: 'primary' as const }]
        : []),
      ...(muted ? [] : [{ token: alertToken(alert.id, 'mute'), label: 'Mute 1 h' }]),
      ...(container && view.buttons.restart && !alert.restart
        ? [{ token: alertToken(alert.id, 'restart'), label: 'Restart', style: 'danger' as const }]
        : []),
      ...(container && view.buttons.logs ? [{ token: alertToken(alert.id, 'logs'), label: 'Logs' }] : []),
    ]
    if (buttons.length > 0) blocks.push(actions(...buttons))
  }
  blocks.push(context(`alert ${alert.id} · ${alert.kind}`))
  return channelReply(...blocks)
}

function status(alert: AlertRecord, now: number, muted: AlertView['muted'], flapping: boolean): string {
  const parts: string[] = []
  if (alert.state === 'resolved') {
    const after = alert.resolvedAt === undefined ? '' : ` after ${duration(alert.resolvedAt - alert.firstAt)}`
    parts.push(`resolved${after}: ${alert.resolution ?? 'the condition ended'}`)
  } else if (alert.state === 'acknowledged') {
    parts.push(`acknowledged by ${alert.ackedBy ?? 'someone'}${alert.ackedAt ? ` at ${utc(alert.ackedAt)}` : ''}`)
  } else parts.push(`open for ${duration(now - alert.firstAt)}`)
  if (flapping && alert.state !== 'resolved') parts.push('flapping: it waits to be stable before it says resolved')
  if (muted && muted.until > now) parts.push(`muted until ${utc(muted.until)} by ${muted.by}`)
  if (alert.restart) {
    const waiting = alert.restart.approval ? ` (approval ${alert.restart.approval})` : ''
    parts.push(`restart asked by ${alert.restart.by}${waiting}`)
  }
  return parts.join('; ')
}

export function digestMessage(
  digest: DigestRecord,
  counts: { readonly total: number; readonly unresolved: number },
  ratePerSecond: number,
): Reply {
  const events = digest.events.toLocaleString('en-US')
  const head =
    digest.reason === 'storm'
      ? `${events} alert events folded into this message: this channel gets at most ${ratePerSecond} message(s) per second`
      : `${events} alert events held back during quiet hours`
  const facts: Record<string, string> = {
    Events: events,
    Alerts: `${counts.total.toLocaleString('en-US')} (${counts.unresolved.toLocaleString('en-US')} not resolved)`,
  }
  for (const [kind, n] of Object.entries(digest.byKind).sort()) facts[kind] = n.toLocaleString('en-US')
  facts.From = utc(digest.openedAt)
  facts.Last = utc(digest.updatedAt)
  const blocks: Block[] = [text(head, 'warning'), fields(facts)]
  if (digest.recent.length > 0) blocks.push(context(`latest: ${digest.recent.join(' · ')}`))
  blocks.push(context(`digest ${digest.id} · every event here is counted once, none was dropped`))
  return channelReply(...blocks)
}
