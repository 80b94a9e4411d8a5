/**
 * A slash command's options → the command text the shared grammar parses (src/core/grammar.ts):
 * `/docker ps` with vm=web-1 and all=true becomes `/docker ps --vm="web-1" --all`. Values are quoted
 * and escaped for the grammar's tokenizer, and always written as `--name=value`, so a value that looks
 * like an option (`--all`) stays a value. The text is what the audit log records.
 */
import { ApplicationCommandOptionType } from 'discord.js'
import type { AnyCommand } from '../../src/core/command.js'

/** The part of discord.js's CommandInteractionOption this needs (plain data, easy to build in tests). */
export interface OptionData {
  readonly name: string
  readonly type: ApplicationCommandOptionType
  readonly value?: string | number | boolean | undefined
  readonly options?: readonly OptionData[] | undefined
}

/** `"…"` with `\` and `"` escaped: the tokenizer reads it back as exactly the value. */
export const quoteForGrammar = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`

/** The command path the interaction names and its leaf options. */
export function pathAndOptions(commandName: string, options: readonly OptionData[]) {
  const words = [commandName]
  let leaves = options
  for (;;) {
    const nested = leaves.find(
      (o) =>
        o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup,
    )
    if (!nested) break
    words.push(nested.name)
    leaves = nested.options ?? []
  }
  return { path: words.join(' '), leaves }
}

/**
 * The command and text for an interaction; undefined when no known command has that path (commands
 * registered by an older version of the bot). A boolean option set to false is left out: the grammar's
 * flags have no "false", and every flag defaults to it.
 */
export function invocationText(
  commands: readonly AnyCommand[],
  commandName: string,
  options: readonly OptionData[],
): { command: AnyCommand; text: string } | undefined {
  const { path, leaves } = pathAndOptions(commandName, options)
  const command = commands.find((c) => c.path === path)
  if (!command) return undefined
  const words = leaves.flatMap((option) => {
    if (option.value === undefined) return []
    if (typeof option.value === 'boolean') return option.value ? [`--${option.name}`] : []
    return [`--${option.name}=${quoteForGrammar(String(option.value))}`]
  })
  return { command, text: [`/${path}`, ...words].join(' ') }
}
