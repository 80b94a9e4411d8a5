/**
 * From words to a command and its validated arguments: the longest command path that prefixes the
 * words wins, and the rest is mapped to the schema (positionals by the command's order, options by
 * name) and validated, with the usage line in every error.
 */
import { z } from 'zod'
import type { AnyCommand } from './command.js'
import { UserError } from './errors.js'
import { parseArgs } from './grammar.js'
import { booleanFlags, usage } from './usage.js'

/** The command the words name, 'help' for `/docker` alone or `/docker help`, or undefined. */
export function findCommand(
  commands: readonly AnyCommand[],
  words: readonly string[],
): { command: AnyCommand; rest: string[] } | 'help' | undefined {
  if (words.length === 0) return 'help'
  let best: AnyCommand | undefined
  for (const command of commands) {
    const path = command.path.split(' ')
    if (path.every((w, i) => words[i] === w) && path.length > (best?.path.split(' ').length ?? 0)) best = command
  }
  if (best) return { command: best, rest: words.slice(best.path.split(' ').length) }
  if (words.length === 1 || words[1] === 'help') {
    if (commands.some((c) => c.path.split(' ')[0] === words[0])) return 'help'
  }
  return undefined
}

/** The words after the command as an argument record: positionals by the command's order, options by name. */
export function collectArgs(command: AnyCommand, rest: readonly string[]): Record<string, unknown> {
  const { positional, named } = parseArgs(rest, booleanFlags(command))
  const names: readonly string[] = command.positional ?? []
  if (positional.length > names.length) {
    throw new UserError('args.too_many', `too many arguments; usage: ${usage(command)}`)
  }
  const input: Record<string, unknown> = { ...named }
  positional.forEach((value, i) => {
    input[names[i] as string] = value
  })
  return input
}

/** `input` validated by the command's schema; the error quotes the usage line. */
export function checkArgs(command: AnyCommand, input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const parsed = command.args.safeParse(input)
  if (!parsed.success) {
    throw new UserError('args.invalid', `${z.prettifyError(parsed.error)}\nusage: ${usage(command)}`)
  }
  return parsed.data as Record<string, unknown>
}

export function validateArgs(command: AnyCommand, rest: readonly string[]): Record<string, unknown> {
  return checkArgs(command, collectArgs(command, rest))
}

/** Slack caps slash-command text near this too; nothing typed on one line needs more. */
const MAX_COMMAND_CHARS = 4_000

/** Refuses overlong command text before it is parsed, logged at length, or echoed in an answer. */
export function checkLength(text: string): void {
  if (text.length > MAX_COMMAND_CHARS) {
    throw new UserError(
      'args.too_long',
      `that command is ${text.length} characters long; commands are limited to ${MAX_COMMAND_CHARS} (long inputs such as a cloud-config go in a form)`,
    )
  }
}
