/**
 * Usage lines and help text generated from command definitions, so help can never drift from what
 * the parser accepts: `/docker ps <vm> [--all]`, each option with its schema description.
 */
import { z } from 'zod'
import type { AnyCommand } from './command.js'

/** Strips optional/default/nullable wrappers to reach the underlying schema. */
export function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let inner = schema
  let optional = false
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) {
      optional = true
      inner = inner.unwrap() as z.ZodType
    } else if (inner instanceof z.ZodPipe) {
      inner = inner.in as z.ZodType
    } else return { inner, optional }
  }
}

/**
 * An argument only a form fills (a one-time secret, `.meta({ formOnly: true })` on its schema): it has
 * no place on a command line, so usage lines and slash-command options leave it out — nobody is invited
 * to type a password where it would be logged, audited and shown to the channel.
 */
export function isFormOnly(schema: z.ZodType): boolean {
  const meta = (unwrap(schema).inner.meta() ?? schema.meta()) as { formOnly?: unknown } | undefined
  return meta?.formOnly === true
}

export interface ArgInfo {
  readonly name: string
  readonly positional: boolean
  readonly optional: boolean
  readonly boolean: boolean
  readonly description: string | undefined
}

export function argsOf(command: AnyCommand): ArgInfo[] {
  const shape = (command.args as z.ZodObject).shape as Record<string, z.ZodType>
  const positional: readonly string[] = command.positional ?? []
  return Object.entries(shape)
    .filter(([, schema]) => !isFormOnly(schema))
    .map(([name, schema]) => {
      const { inner, optional } = unwrap(schema)
      return {
        name,
        positional: positional.includes(name),
        optional,
        boolean: inner instanceof z.ZodBoolean,
        description: schema.description ?? inner.description,
      }
    })
}

export const booleanFlags = (command: AnyCommand) =>
  new Set(
    argsOf(command)
      .filter((a) => a.boolean)
      .map((a) => a.name),
  )

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

export function usage(command: AnyCommand): string {
  const args = argsOf(command)
  const order: readonly string[] = command.positional ?? []
  const pos = order.map((name) => {
    const a = args.find((x) => x.name === name)
    return a?.optional ? `[<${name}>]` : `<${name}>`
  })
  const named = args
    .filter((a) => !a.positional)
    .map((a) => {
      const flag = a.boolean ? `--${kebab(a.name)}` : `--${kebab(a.name)} <${a.name}>`
      return a.optional ? `[${flag}]` : flag
    })
  return [`/${command.path}`, ...pos, ...named].join(' ')
}
