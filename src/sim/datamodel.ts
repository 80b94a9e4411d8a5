/**
 * The XAPI datamodel the simulator serves, loaded from the compact copy in ./datamodel/.
 * Source: xapi-project/xen-api: doc/data/xenapi.json (LGPL-2.1); see scripts/derive-datamodel.ts.
 */
import model from './datamodel/xenapi-model.json' with { type: 'json' }
import { parseXapiType, type TypeLookup, type XapiType } from './xapi-type.js'

export interface FieldModel {
  readonly name: string
  readonly typeText: string
  readonly type: XapiType
  readonly qualifier: 'RO/runtime' | 'RO/constructor' | 'RW'
  readonly defaultText: string | undefined
}

export interface MessageModel {
  readonly cls: string
  readonly name: string
  /** `Class.name`, the canonical wire name. */
  readonly wireName: string
  readonly params: readonly { readonly name: string; readonly type: XapiType }[]
  readonly result: XapiType
  /** Whether the first parameter is the session: every message but login and a few session calls. */
  readonly takesSession: boolean
}

export interface ClassModel {
  readonly name: string
  readonly fields: readonly FieldModel[]
  readonly fieldTypes: ReadonlyMap<string, XapiType>
  readonly messages: ReadonlyMap<string, MessageModel>
  /** Classes with `get_all_records` are the ones clients cache and watch through events. */
  readonly listable: boolean
}

interface RawModel {
  enums: Record<string, string[]>
  classes: Record<
    string,
    {
      fields: [string, string, string, string?][]
      messages: Record<string, { params: [string, string][]; result: string }>
    }
  >
}

export class Datamodel implements TypeLookup {
  readonly classes: ReadonlyMap<string, ClassModel>
  readonly #byLowerName: Map<string, ClassModel>
  readonly #enums: Record<string, string[]>

  constructor(raw: RawModel) {
    this.#enums = raw.enums
    const classes = new Map<string, ClassModel>()
    for (const [name, cls] of Object.entries(raw.classes)) {
      const fields = cls.fields.map(([fname, typeText, qualifier, defaultText]) => ({
        name: fname,
        typeText,
        type: parseXapiType(typeText),
        qualifier: qualifier as FieldModel['qualifier'],
        defaultText,
      }))
      const messages = new Map<string, MessageModel>()
      for (const [mname, m] of Object.entries(cls.messages)) {
        messages.set(mname, {
          cls: name,
          name: mname,
          wireName: `${name}.${mname}`,
          params: m.params.map(([pname, ptype]) => ({ name: pname, type: parseXapiType(ptype) })),
          result: parseXapiType(m.result),
          takesSession: m.params[0]?.[1] === 'session ref',
        })
      }
      classes.set(name, {
        name,
        fields,
        fieldTypes: new Map(fields.map((f) => [f.name, f.type])),
        messages,
        listable: messages.has('get_all_records'),
      })
    }
    this.classes = classes
    this.#byLowerName = new Map([...classes.values()].map((c) => [c.name.toLowerCase(), c]))
  }

  /** Class names are matched without regard to case, as xapi does for event subscriptions. */
  findClass(name: string): ClassModel | undefined {
    return this.classes.get(name) ?? this.#byLowerName.get(name.toLowerCase())
  }

  message(cls: string, name: string): MessageModel | undefined {
    return this.classes.get(cls)?.messages.get(name)
  }

  fieldTypes(cls: string): ReadonlyMap<string, XapiType> | undefined {
    return this.findClass(cls)?.fieldTypes
  }

  enumValues(name: string): readonly string[] | undefined {
    return this.#enums[name]
  }
}

let shared: Datamodel | undefined
/** The datamodel is immutable, so one parsed copy serves every simulated pool in the process. */
export function loadDatamodel(): Datamodel {
  shared ??= new Datamodel(model as unknown as RawModel)
  return shared
}
