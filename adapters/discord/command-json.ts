/**
 * Application commands generated from the command definitions, so Discord's menu can never drift from
 * what the dispatcher accepts: each first word of a path (`docker`, `xen`, `coreos`) is one slash
 * command, the rest its subcommand (a third word makes a subcommand group), each argument a typed
 * option described by its schema. VM, container and pool arguments autocomplete from the inventory.
 *
 * Discord's rules are kept here (names lower-case ≤ 32, descriptions 1–100, ≤ 25 options and
 * subcommands, required options first); tests/adapters/discord checks the output against them.
 */
import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js'
import { z } from 'zod'
import type { AnyCommand } from '../../src/core/command.js'
import { isFormOnly, unwrap } from '../../src/core/usage.js'

/** Arguments answered from the inventory as the user types (adapters/discord/autocomplete.ts). */
export const AUTOCOMPLETED = { vm: 'vm', container: 'container', pool: 'pool' } as const
export type AutocompleteKind = (typeof AUTOCOMPLETED)[keyof typeof AUTOCOMPLETED]

const DESCRIPTION_MAX = 100
const CHOICES_MAX = 25

/** Discord names: lower-case, digits, - and _; the grammar turns `--ssh-key` back into `sshKey`. */
export const optionName = (arg: string) => arg.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

export const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

const describe = (text: string | undefined, fallback: string) => cut((text ?? '').trim() || fallback, DESCRIPTION_MAX)

function optionOf(name: string, schema: z.ZodType, required: boolean): APIApplicationCommandBasicOption {
  const { inner } = unwrap(schema)
  const base = {
    name: optionName(name),
    description: describe(schema.description ?? inner.description, name),
    required,
  }
  if (inner instanceof z.ZodBoolean) return { ...base, type: ApplicationCommandOptionType.Boolean }
  if (inner instanceof z.ZodNumber) {
    const bounds = {
      ...(Number.isFinite(inner.minValue) ? { min_value: inner.minValue as number } : {}),
      ...(Number.isFinite(inner.maxValue) ? { max_value: inner.maxValue as number } : {}),
    }
    return inner.isInt
      ? { ...base, type: ApplicationCommandOptionType.Integer, ...bounds }
      : { ...base, type: ApplicationCommandOptionType.Number, ...bounds }
  }
  if (inner instanceof z.ZodEnum && inner.options.length <= CHOICES_MAX) {
    const choices = inner.options.map((value) => ({ name: String(value), value: String(value) }))
    return { ...base, type: ApplicationCommandOptionType.String, choices }
  }
  const lengths =
    inner instanceof z.ZodString
      ? {
          ...(inner.minLength !== null && inner.minLength > 0 ? { min_length: Math.min(inner.minLength, 6000) } : {}),
          ...(inner.maxLength !== null ? { max_length: Math.min(inner.maxLength, 6000) } : {}),
        }
      : {}
  return {
    ...base,
    type: ApplicationCommandOptionType.String,
    ...lengths,
    ...(name in AUTOCOMPLETED ? { autocomplete: true } : {}),
  }
}

/** The command's arguments as options, positional ones in their order, required before optional. */
export function optionsOf(command: AnyCommand): APIApplicationCommandBasicOption[] {
  const shape = (command.args as z.ZodObject).shape as Record<string, z.ZodType>
  const positional: readonly string[] = command.positional ?? []
  const names = [...positional, ...Object.keys(shape).filter((n) => !positional.includes(n))]
  const options = names.flatMap((name) => {
    const schema = shape[name]
    // A one-time secret comes only through the form: an option would show it to the channel.
    if (!schema || isFormOnly(schema)) return []
    // A command with a form asks for what is missing itself, so no option is required of it.
    const required = !command.form && !unwrap(schema).optional && !schema.safeParse(undefined).success
    return [optionOf(name, schema, required)]
  })
  return [...options.filter((o) => o.required), ...options.filter((o) => !o.required)]
}

/** `docker ps` → ['docker', 'ps']; the first word is the slash command. */
const wordsOf = (command: AnyCommand) => command.path.split(' ')

function subcommandOf(name: string, command: AnyCommand): APIApplicationCommandSubcommandOption {
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name,
    description: describe(command.summary, name),
    options: optionsOf(command),
  }
}

/** The JSON registered with Discord (PUT …/commands), in the order the commands are listed. */
export function applicationCommands(
  commands: readonly AnyCommand[],
  defaultMemberPermissions: string,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const tops = [...new Set(commands.map((c) => wordsOf(c)[0] as string))]
  return tops.map((top) => {
    const mine = commands.filter((c) => wordsOf(c)[0] === top)
    const common = {
      type: ApplicationCommandType.ChatInput as const,
      name: top,
      default_member_permissions: defaultMemberPermissions,
      contexts: [InteractionContextType.Guild],
      integration_types: [ApplicationIntegrationType.GuildInstall],
    }
    const single = mine.length === 1 ? mine[0] : undefined
    if (single && wordsOf(single).length === 1) {
      return { ...common, description: describe(single.summary, top), options: optionsOf(single) }
    }
    const options: APIApplicationCommandOption[] = []
    for (const command of mine) {
      const [, second, third] = wordsOf(command)
      if (second === undefined) continue
      if (third === undefined) {
        options.push(subcommandOf(second, command))
        continue
      }
      let group = options.find((o) => o.type === ApplicationCommandOptionType.SubcommandGroup && o.name === second) as
        | Extract<APIApplicationCommandOption, { type: ApplicationCommandOptionType.SubcommandGroup }>
        | undefined
      if (!group) {
        group = { type: ApplicationCommandOptionType.SubcommandGroup, name: second, description: second, options: [] }
        options.push(group)
      }
      group.options = [...(group.options ?? []), subcommandOf(third, command)]
    }
    const names = options.map((o) => o.name)
    return { ...common, description: describe(`${top}: ${names.join(', ')}`, top), options }
  })
}
