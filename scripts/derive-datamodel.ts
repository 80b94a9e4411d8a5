/**
 * Derives the compact datamodel the simulator ships from XAPI's own machine-readable datamodel.
 *
 * Source: xapi-project/xen-api: doc/data/xenapi.json (LGPL-2.1). The project must stand alone, so the
 * derived file (src/sim/datamodel/xenapi-model.json) is committed; this script is only rerun by hand
 * when a newer datamodel is wanted:
 *
 *   npx tsx scripts/derive-datamodel.ts path/to/xenapi.json
 *
 * Removed fields and messages are dropped (real XAPI no longer serves them); deprecated and
 * prototyped ones are kept because real pools still answer them.
 */
import { readFileSync, writeFileSync } from 'node:fs'

interface RawLifecycle {
  state: string
}
interface RawField {
  name: string
  type: string
  qualifier: string
  default?: string
  lifecycle: RawLifecycle
}
interface RawMessage {
  name: string
  params: { name: string; type: string }[]
  result: [string, string]
  lifecycle: RawLifecycle
}
interface RawClass {
  name: string
  fields: RawField[]
  messages: RawMessage[]
  enums: { name: string; values: { name: string }[] }[]
}

const input = process.argv[2]
if (!input) {
  console.error('usage: tsx scripts/derive-datamodel.ts <xenapi.json>')
  process.exit(2)
}
const raw = JSON.parse(readFileSync(input, 'utf8')) as RawClass[]
const live = (l: RawLifecycle) => l.state !== 'Removed_s'

const enums: Record<string, string[]> = {}
const classes: Record<string, unknown> = {}
for (const cls of raw) {
  for (const e of cls.enums) enums[e.name] = e.values.map((v) => v.name)
  classes[cls.name] = {
    fields: cls.fields
      .filter((f) => live(f.lifecycle))
      .map((f) => (f.default === undefined ? [f.name, f.type, f.qualifier] : [f.name, f.type, f.qualifier, f.default])),
    messages: Object.fromEntries(
      cls.messages
        .filter((m) => live(m.lifecycle))
        .map((m) => [m.name, { params: m.params.map((p) => [p.name, p.type]), result: m.result[0] }]),
    ),
  }
}
const out = {
  source: 'xapi-project/xen-api: doc/data/xenapi.json (LGPL-2.1), derived by scripts/derive-datamodel.ts',
  enums,
  classes,
}
writeFileSync('src/sim/datamodel/xenapi-model.json', `${JSON.stringify(out)}\n`)
console.log(`wrote ${Object.keys(classes).length} classes, ${Object.keys(enums).length} enums`)
