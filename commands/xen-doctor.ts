import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import { type CheckState, type DoctorPoolReport, problemCount } from '../src/core/doctor-port.js'
import { UserError } from '../src/core/errors.js'
import { type Block, channelReply, context, table, text } from '../src/core/reply.js'
import { planPool } from './lib/resolve.js'

const PERMISSION = 'xen.read'

const MARK: Record<CheckState, string> = { ok: '✓', problem: '✗', info: '•' }

function poolBlocks(report: DoctorPoolReport): Block[] {
  const head = `${report.pool}: ${report.state}${report.master === undefined ? '' : `, master ${report.master}`}`
  return [
    text(head, 'heading'),
    table(
      ['', 'what', 'check', 'result', 'fix'],
      report.checks.map((c) => [MARK[c.state], c.subject, c.check, c.detail, c.fix ?? '']),
    ),
  ]
}

export const xenDoctor = defineCommand({
  path: 'xen doctor',
  summary: 'Check the pools: connection, hosts and the xscontainer pack, templates, ISOs and each Docker VM',
  args: z.object({ pool: z.string().min(1).optional().describe('only this pool') }),
  positional: ['pool'],
  permission: PERMISSION,
  mutating: false,
  examples: ['/xen doctor', '/xen doctor lab-legacy'],
  plan: (ctx, { pool }) => planPool(ctx.inventory, pool),
  async run(ctx, { pool }) {
    if (!ctx.doctor) throw new UserError('xen.doctor_unavailable', 'the doctor is not available in this bot')
    const report = await ctx.doctor.run({ pool })
    // Only what this user may read: whole pools, then the VM lines inside them.
    const pools = report.pools
      .filter((p) => ctx.allows(PERMISSION, { pool: p.pool }))
      .map((p) => ({
        ...p,
        checks: p.checks.filter((c) => c.vm === undefined || ctx.allows(PERMISSION, { pool: p.pool, vm: c.vm })),
      }))
    if (pools.length === 0) return channelReply(text('No pools that you can see.'))
    const problems = problemCount(pools)
    const summary = problems === 0 ? 'no problems found' : `${problems} problem${problems === 1 ? '' : 's'} found`
    return channelReply(
      ...pools.flatMap(poolBlocks),
      context(`${summary} · ${pools.length} pool${pools.length === 1 ? '' : 's'} checked`),
    )
  },
})
