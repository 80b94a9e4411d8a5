/**
 * `/xen help [command]`: the commands the asker may run, or one of them explained. It is open to
 * ANYONE — the only command that is — because it shows nothing beyond what the asker may already run
 * (ctx.visibleCommands()); someone with no rights is told so, and a command they may not run is
 * answered exactly like one that does not exist.
 */
import { z } from 'zod'
import { ANYONE, type AnyCommand, defineCommand } from '../src/core/command.js'
import { UserError } from '../src/core/errors.js'
import { helpReply } from '../src/core/help.js'
import { context, fields, privateReply, type Reply, table, text } from '../src/core/reply.js'
import { argsOf, usage } from '../src/core/usage.js'

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

function details(command: AnyCommand): Reply {
  const options = argsOf(command).map((a) => [
    a.positional ? `<${a.name}>` : a.boolean ? `--${kebab(a.name)}` : `--${kebab(a.name)} <${a.name}>`,
    `${a.description ?? ''}${a.optional ? ' (optional)' : ''}`.trim(),
  ])
  return privateReply(
    text(`/${command.path}`, 'heading'),
    text(command.summary),
    fields({
      Usage: usage(command),
      Permission: command.permission === ANYONE ? 'none (anyone may run it)' : command.permission,
      ...(command.confirm ? { Confirmation: 'asks you to press Confirm before it acts' } : {}),
    }),
    ...(options.length > 0 ? [table(['argument', 'what it is'], options)] : []),
    ...(command.examples ?? []).map((example) => context(`Example: ${example}`)),
  )
}

/** A full path (`docker ps`), a chat command (`docker`: its list) or a last word (`ps`). */
function helpFor(visible: readonly AnyCommand[], query: string): Reply {
  const wanted = query.replace(/^\//, '').trim().split(/\s+/).join(' ').toLowerCase()
  const exact = visible.find((c) => c.path === wanted)
  if (exact) return details(exact)
  if (visible.some((c) => c.path.split(' ')[0] === wanted)) return helpReply(visible, wanted)
  const byLastWord = visible.filter((c) => c.path.split(' ').slice(1).join(' ') === wanted)
  if (byLastWord.length === 1 && byLastWord[0]) return details(byLastWord[0])
  if (byLastWord.length > 1) {
    return privateReply(
      table(
        ['command', 'what it does'],
        byLastWord.map((c) => [usage(c), c.summary]),
      ),
    )
  }
  throw new UserError('help.unknown', `there is no command "${query}" that you may run; /xen help lists them`)
}

export const xenHelp = defineCommand({
  path: 'xen help',
  summary: 'List the commands you may run, or explain one',
  args: z.object({
    command: z.string().min(1).optional().describe('the command to explain: ps, restart, or "docker ps"'),
  }),
  positional: ['command'],
  permission: ANYONE,
  mutating: false,
  examples: ['/xen help', '/xen help ps', '/xen help "docker restart"'],
  plan: () => ({}),
  async run(ctx, { command }) {
    const visible = ctx.visibleCommands()
    if (command === undefined || !visible.some((c) => c.permission !== ANYONE)) return helpReply(visible)
    return helpFor(visible, command)
  },
})
