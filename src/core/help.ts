/** Help generated from the command definitions, filtered to what the user may run. */
import { ANYONE, type AnyCommand } from './command.js'
import { context, privateReply, type Reply, table, text } from './reply.js'
import { usage } from './usage.js'

export function helpReply(commands: readonly AnyCommand[], chatCommand?: string): Reply {
  const shown = commands.filter((c) => !chatCommand || chatCommand === 'xen' || c.path.split(' ')[0] === chatCommand)
  // Help itself is open to anyone; it does not count as something the asker may run.
  if (!shown.some((c) => c.permission !== ANYONE)) {
    return privateReply(text('There is nothing you may run yet; ask an admin for access.', 'warning'))
  }
  return privateReply(
    text('Commands you can run', 'heading'),
    table(
      ['command', 'what it does'],
      shown.map((c) => [usage(c), c.summary]),
    ),
    context('VM and container arguments accept a name, a name prefix or a UUID; pool/vm picks a pool.'),
  )
}

/** Commands whose path starts like what was typed, or whose last word matches, for "did you mean". */
export function suggestCommands(commands: readonly AnyCommand[], words: readonly string[]): string[] {
  const typed = words.slice(0, 2).join(' ')
  const last = words[1] ?? words[0] ?? ''
  return commands
    .map((c) => c.path)
    .filter((p) => p.startsWith(typed) || (last.length >= 2 && p.split(' ').at(-1)?.startsWith(last)))
    .slice(0, 3)
}

/** The answer to text that names no command the asker may run, with "did you mean" when something is close. */
export function unknownCommandReply(visible: readonly AnyCommand[], words: readonly string[]): Reply {
  const suggestions = suggestCommands(visible, words)
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `/${s}`).join(' or ')}?` : ''
  return privateReply(text(`Unknown command /${words.slice(0, 2).join(' ')}.${hint} Try /xen help.`, 'error'))
}
