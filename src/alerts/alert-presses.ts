/**
 * The alert buttons, pressed through the dispatcher (src/core/press-handler.ts). Acknowledge and Mute
 * change only the alert, so they need `docker.operate` on what the alert is about, and are audited
 * like any decision. Restart and Logs are commands: they run as `/docker restart` and `/docker logs`
 * through the whole command flow — access, approvals, confirmation, job — exactly as if typed. An
 * alert asks for its container's restart once: a second press is told where the first one stands.
 */
import { parseVoteToken } from '../core/approvals.js'
import type { Target } from '../core/command.js'
import { UserError } from '../core/errors.js'
import type { PressContext, PressHandler } from '../core/press-handler.js'
import { privateReply, type Reply, text } from '../core/reply.js'
import type { AlertEngine } from './alert-engine.js'
import { type AlertVerb, parseAlertToken, utc } from './alert-message.js'
import type { AlertRecord } from './alert-types.js'

export const MUTE_MS = 60 * 60_000
const PERMISSION = 'docker.operate'

export function alertPresses(engine: AlertEngine): PressHandler {
  return {
    press(token, ctx) {
      const parsed = parseAlertToken(token)
      return parsed ? answer(engine, parsed.id, parsed.verb, ctx) : undefined
    },
  }
}

const targetOf = (alert: AlertRecord): Target => ({
  pool: alert.subject.pool,
  vm: alert.subject.vm && { name: alert.subject.vm.name, tags: alert.subject.vm.tags },
})

async function answer(engine: AlertEngine, id: string, verb: AlertVerb, ctx: PressContext): Promise<Reply> {
  const alert = await engine.get(id)
  if (!alert) throw new UserError('alert.unknown', `there is no alert ${id}`)
  switch (verb) {
    case 'ack': {
      await ctx.audit(`alert ${id}: acknowledge`)
      await ctx.require(PERMISSION, targetOf(alert), 'alert acknowledge')
      const outcome = await engine.acknowledge(id, ctx.actor.name)
      if (outcome.kind === 'acknowledged') return privateReply(text(`Acknowledged: ${alert.title}`, 'success'))
      const by = alert.ackedBy ? ` by ${alert.ackedBy}` : ''
      return privateReply(text(`This alert is already ${alert.state}${by}.`, 'warning'))
    }
    case 'mute': {
      await ctx.audit(`alert ${id}: mute 1 h`)
      await ctx.require(PERMISSION, targetOf(alert), 'alert mute')
      const muted = await engine.mute(id, ctx.actor.name, MUTE_MS)
      const until = muted ? utc(muted.until) : 'in an hour'
      return privateReply(text(`Muted until ${until}: ${alert.title}. It is still counted on its message.`, 'success'))
    }
    case 'restart':
      return restart(engine, alert, ctx)
    case 'logs': {
      const { vm, container } = containerOf(alert)
      return ctx.run(`/docker logs ${vm.uuid} ${container.id}`)
    }
  }
}

async function restart(engine: AlertEngine, alert: AlertRecord, ctx: PressContext): Promise<Reply> {
  const { vm, container } = containerOf(alert)
  if (alert.state === 'resolved') {
    throw new UserError(
      'alert.resolved',
      `this alert is resolved; to restart ${container.name} anyway, use /docker restart`,
    )
  }
  if (!(await engine.claimRestart(alert.id, ctx.actor.name))) {
    const asked = (await engine.get(alert.id))?.restart
    const where = asked?.approval ? `; it waits for approval ${asked.approval}` : ''
    return privateReply(
      text(`${asked?.by ?? 'Someone'} already asked to restart it from this alert${where}.`, 'warning'),
    )
  }
  let reply: Reply | undefined
  try {
    reply = await ctx.run(`/docker restart ${vm.uuid} ${container.id}`)
    return reply
  } finally {
    // An approval card or a result goes to the channel; a denial, an error or a confirm prompt only to the
    // asker, and then nothing was asked yet: the claim is released.
    const approval = reply?.blocks
      .flatMap((b) => (b.kind === 'actions' ? b.actions : []))
      .map((a) => parseVoteToken(a.token))
      .find((v) => v?.kind === 'approve')?.id
    await engine.restartOutcome(alert.id, reply?.visibility === 'channel', approval)
  }
}

function containerOf(alert: AlertRecord) {
  const { vm, container } = alert.subject
  if (!vm || !container) throw new UserError('alert.no_container', 'this alert is not about a container')
  return { vm, container }
}
