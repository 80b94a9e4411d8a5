/**
 * Writes docs/configuration.md from what the bot actually accepts: the configuration's zod schema
 * (`appConfigSchema` in src/config.ts, through zod's own `z.toJSONSchema`) and the command list
 * (commands/index.ts, for which permission opens which command). A key added to the schema, with its
 * `.describe()` text, appears in the reference the next time this runs; tests/packaging fails while
 * the committed file differs from what this would write.
 *
 *   npx tsx scripts/config-reference.ts           rewrite docs/configuration.md
 *   npx tsx scripts/config-reference.ts --check   exit 1 when docs/configuration.md is stale
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { z } from 'zod'
import { commands } from '../commands/index.js'
import { appConfigSchema } from '../src/config.js'
import { ANYONE, PERMISSIONS } from '../src/core/command.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
export const REFERENCE_FILE = join(ROOT, 'docs/configuration.md')
export const REGENERATE = 'npx tsx scripts/config-reference.ts'

/** The part of JSON Schema (draft 2020-12) that zod emits for this configuration. */
interface Json {
  readonly type?: string
  readonly title?: string
  readonly description?: string
  readonly default?: unknown
  readonly const?: unknown
  readonly enum?: readonly unknown[]
  readonly pattern?: string
  readonly format?: string
  readonly minLength?: number
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: number
  readonly minItems?: number
  readonly maxItems?: number
  readonly items?: Json
  readonly properties?: Readonly<Record<string, Json>>
  readonly required?: readonly string[]
  readonly additionalProperties?: Json | boolean
  readonly propertyNames?: Json
  readonly anyOf?: readonly Json[]
}

interface Row {
  readonly key: string
  readonly type: string
  readonly presence: string
  readonly description: string
}

/**
 * Input mode is what people write (a key with a default is optional there). zod drops a default from
 * the input view when the value under it is transformed (the fingerprint is normalised), so the
 * output view, walked alongside, supplies those defaults.
 */
function schemas(schema: z.ZodType): { input: Json; output: Json } {
  return {
    input: z.toJSONSchema(schema, { io: 'input' }) as Json,
    output: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Json,
  }
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

const record = (node: Json): Json | undefined =>
  typeof node.additionalProperties === 'object' && !node.properties ? node.additionalProperties : undefined

const hasChildren = (node: Json | undefined): boolean =>
  node !== undefined &&
  (node.properties !== undefined || record(node) !== undefined || (node.anyOf ?? []).some(hasChildren))

function range(node: Json): string {
  const low =
    node.exclusiveMinimum !== undefined
      ? `above ${node.exclusiveMinimum}`
      : node.minimum !== undefined
        ? `${node.minimum}`
        : undefined
  if (low !== undefined && node.maximum !== undefined) {
    return node.exclusiveMinimum !== undefined ? `, ${low}, at most ${node.maximum}` : `, ${low} to ${node.maximum}`
  }
  if (low !== undefined) return node.exclusiveMinimum !== undefined ? `, ${low}` : `, at least ${low}`
  return node.maximum !== undefined ? `, at most ${node.maximum}` : ''
}

function typeOf(node: Json): string {
  if (node.anyOf) return node.anyOf.map(alternativeType).join(' or ')
  if (node.const !== undefined) return code(node.const)
  if (node.enum) return `one of ${node.enum.map(code).join(', ')}`
  switch (node.type) {
    case 'string':
      return [
        node.format === 'uri' ? 'URL' : 'string',
        ...(node.minLength === 1 ? ['not empty'] : []),
        ...(node.pattern ? [`matching ${code(node.pattern)}`] : []),
      ].join(', ')
    case 'integer':
    case 'number':
      return `${node.type}${range(node)}`
    case 'boolean':
      return '`true` or `false`'
    case 'array': {
      const items = node.items ? (hasChildren(node.items) ? 'entries (below)' : typeOf(node.items)) : 'anything'
      return `list of ${items}${node.minItems ? `, at least ${node.minItems}` : ''}`
    }
    case 'object': {
      const values = record(node)
      if (!values) return 'mapping'
      const name = node.propertyNames?.title ?? 'name'
      const pattern = node.propertyNames?.pattern ? `, ${name} matching ${code(node.propertyNames.pattern)}` : ''
      return `mapping of ${name} to ${hasChildren(values) ? 'entry (below)' : typeOf(values)}${pattern}`
    }
  }
  return 'anything'
}

/** One alternative of a union: objects by their keys (`{ env }`), the rest by their type. */
function alternativeType(node: Json): string {
  return node.properties ? code(`{ ${Object.keys(node.properties).join(', ')} }`) : typeOf(node)
}

function describe(node: Json): string {
  const parts = [node.description ?? '']
  for (const alternative of node.anyOf ?? []) {
    if (alternative.description) parts.push(`${alternativeType(alternative)}: ${alternative.description}`)
  }
  if (node.type === 'array' && node.items?.description) parts.push(`Each entry: ${node.items.description}`)
  const values = node.type === 'object' ? record(node) : undefined
  if (values?.description && !hasChildren(values)) parts.push(`Each: ${values.description}`)
  return parts
    .filter((p) => p !== '')
    .map((p) => p.replace(/^./, (c) => c.toUpperCase()))
    .join('. ')
}

function presence(node: Json, output: Json | undefined, required: boolean): string {
  const value = node.default !== undefined ? node.default : output?.default
  const empty = typeof value === 'object' && value !== null && Object.keys(value).length === 0
  if (value !== undefined && !(empty && !Array.isArray(value))) return `default ${code(value)}`
  return required ? '**required**' : 'optional'
}

/** Rows for `node` at `key` and everything below it, in schema order. */
function rowsOf(node: Json, output: Json | undefined, key: string, required: boolean | 'entry'): Row[] {
  const own: Row = {
    key: code(key),
    type: typeOf(node),
    presence: required === 'entry' ? '' : presence(node, output, required),
    description: describe(node),
  }
  return [own, ...childRows(node, output, key)]
}

function childRows(node: Json, output: Json | undefined, key: string): Row[] {
  if (node.properties) {
    const outputs = output?.properties ?? {}
    return Object.entries(node.properties).flatMap(([name, child]) =>
      rowsOf(child, outputs[name], key === '' ? name : `${key}.${name}`, node.required?.includes(name) ?? false),
    )
  }
  const values = record(node)
  if (values && hasChildren(values)) {
    const outputValues = output ? record(output) : undefined
    return rowsOf(values, outputValues, `${key}.<${node.propertyNames?.title ?? 'name'}>`, 'entry')
  }
  if (node.type === 'array' && node.items && hasChildren(node.items)) {
    return childRows(node.items, output?.items, `${key}[]`)
  }
  return (node.anyOf ?? []).flatMap((alternative, i) =>
    alternative.properties ? childRows(alternative, output?.anyOf?.[i], key) : [],
  )
}

function table(rows: readonly Row[]): string[] {
  return [
    '| Key | Type | Required / default | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${[r.key, r.type, r.presence, r.description].map(cell).join(' | ')} |`),
  ]
}

const PERMISSION_NOTES: Readonly<Record<string, string>> = {
  approve:
    'vote on approval requests (the Approve and Deny buttons of an approval card; `/press <id>:approve` in the terminal chat)',
}

function permissionsSection(): string[] {
  const rows = PERMISSIONS.map((permission) => {
    const opened = commands.filter((c) => c.permission === permission).map((c) => code(`/${c.path}`))
    const what = [...(opened.length > 0 ? [opened.join(', ')] : []), PERMISSION_NOTES[permission] ?? '']
      .filter((w) => w !== '')
      .join('; ')
    return `| ${code(permission)} | ${cell(what || 'no command yet')} |`
  })
  const everyone = commands.filter((c) => c.permission === ANYONE).map((c) => code(`/${c.path}`))
  const changing = commands.filter((c) => c.mutating).map((c) => code(c.path))
  return [
    '## Permissions',
    '',
    'What each permission in `access.roles.<role>.permissions` opens, from the command list',
    '(commands/index.ts). A role limited by `pools`, `vms` or `tags` grants its permissions only on',
    'matching VMs.',
    '',
    '| Permission | Opens |',
    '| --- | --- |',
    ...rows,
    '',
    `Everyone may run ${everyone.join(', ')}; it shows only what the asker may run.`,
    '',
    `The commands that change something, and so can be keys of \`approvals.actions\`: ${changing.join(', ')}.`,
  ]
}

/**
 * The reference as Markdown, formatted by the project's formatter (Biome aligns the tables). `schema`
 * is the configuration's, except in the test that shows a new key reaching the reference.
 */
export function renderConfigReference(schema: z.ZodType = appConfigSchema): string {
  const { input, output } = schemas(schema)
  const sections = Object.entries(input.properties ?? {}).flatMap(([key, node]) => [
    `## \`${key}\``,
    '',
    ...table(rowsOf(node, output.properties?.[key], key, input.required?.includes(key) ?? false)),
    '',
  ])
  const markdown = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npx tsx scripts/config-reference.ts` from appConfigSchema in src/config.ts and',
    'commands/index.ts. Edit those (a `.describe()` text is a description here), then run it again. -->',
    '',
    'xen-chatops reads one YAML file (`xen-chatops --config <file>`); `xen-chatops check-config <file>`',
    'validates it without starting and prints every problem with its path in the file. Unknown keys are',
    'errors, so a typo cannot silently switch a setting off. Secrets are never written in the file: a',
    'secret is a reference, `{ env: NAME }` or `{ file: path }`. A commented example is',
    '`examples/config.yaml`.',
    '',
    'Keys are written as paths: `pools[].url` is the `url` of each entry of the `pools` list,',
    '`access.roles.<role>` is each entry of the `access.roles` mapping, named by you.',
    '',
    ...sections,
    ...permissionsSection(),
    '',
  ].join('\n')
  return formatMarkdown(markdown)
}

function formatMarkdown(markdown: string): string {
  const biome = spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${REFERENCE_FILE}`], {
    cwd: ROOT,
    input: markdown,
    encoding: 'utf8',
  })
  if (biome.status !== 0) throw new Error(`biome format failed (${biome.status}): ${biome.stderr}`)
  return biome.stdout
}

function main(args: readonly string[]): number {
  const fresh = renderConfigReference()
  if (args.includes('--check')) {
    const current = readFileSync(REFERENCE_FILE, 'utf8')
    if (current === fresh) return 0
    console.error(`docs/configuration.md is stale: run \`${REGENERATE}\` and commit the result`)
    return 1
  }
  writeFileSync(REFERENCE_FILE, fresh)
  console.log('wrote docs/configuration.md')
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2))
}
