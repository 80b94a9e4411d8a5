import { describe, expect, it } from 'vitest'
import model from '../../src/sim/datamodel/xenapi-model.json' with { type: 'json' }
import { checkValue, defaultValue, formatXapiType, parseXapiType, type XapiType } from '../../src/sim/xapi-type.js'

interface Model {
  enums: Record<string, string[]>
  classes: Record<string, { fields: string[][]; messages: Record<string, { params: string[][]; result: string }> }>
}
const dm = model as Model
const enumValues = (name: string): readonly string[] | undefined => dm.enums[name]
const EPOCH = '19700101T00:00:00Z'
const NULL = 'OpaqueRef:NULL'

/** Every type text the datamodel uses, in fields, message parameters and message results. */
function allTypeTexts(): Set<string> {
  const texts = new Set<string>()
  for (const cls of Object.values(dm.classes)) {
    for (const [, typeText] of cls.fields) if (typeText !== undefined) texts.add(typeText)
    for (const message of Object.values(cls.messages)) {
      for (const [, typeText] of message.params) if (typeText !== undefined) texts.add(typeText)
      texts.add(message.result)
    }
  }
  return texts
}

const str: XapiType = { kind: 'string' }
const int: XapiType = { kind: 'int' }

describe('parseXapiType', () => {
  it.each<[string, XapiType]>([
    ['string', str],
    ['int', int],
    ['float', { kind: 'float' }],
    ['bool', { kind: 'bool' }],
    ['datetime', { kind: 'datetime' }],
    ['void', { kind: 'void' }],
    [' int ', int],
    ['enum vm_power_state', { kind: 'enum', name: 'vm_power_state' }],
    ['VM ref', { kind: 'ref', cls: 'VM' }],
    ['VBD ref set', { kind: 'set', of: { kind: 'ref', cls: 'VBD' } }],
    ['string set set', { kind: 'set', of: { kind: 'set', of: str } }],
    ['enum vm_operations set', { kind: 'set', of: { kind: 'enum', name: 'vm_operations' } }],
    ['VM record', { kind: 'record', cls: 'VM' }],
    ['<class> record', { kind: 'record', cls: '<class>' }],
    ['data_source record set', { kind: 'set', of: { kind: 'record', cls: 'data_source' } }],
    ['string option', { kind: 'option', of: str }],
    ['sr_stat record option', { kind: 'option', of: { kind: 'record', cls: 'sr_stat' } }],
    ['(string -> string) map', { kind: 'map', key: str, value: str }],
    ['(string -> enum vm_operations) map', { kind: 'map', key: str, value: { kind: 'enum', name: 'vm_operations' } }],
    ['(VIF ref -> string) map', { kind: 'map', key: { kind: 'ref', cls: 'VIF' }, value: str }],
    ['(int -> string set) map', { kind: 'map', key: int, value: { kind: 'set', of: str } }],
    [
      '(VM ref -> (string -> string) map) map',
      { kind: 'map', key: { kind: 'ref', cls: 'VM' }, value: { kind: 'map', key: str, value: str } },
    ],
    [
      '((string -> int) map -> VM ref set) map',
      {
        kind: 'map',
        key: { kind: 'map', key: str, value: int },
        value: { kind: 'set', of: { kind: 'ref', cls: 'VM' } },
      },
    ],
  ])('%s', (text, expected) => {
    expect(parseXapiType(text)).toEqual(expected)
  })

  it.each([
    'an event batch',
    '',
    'enum',
    'enum a b',
    'VM ref ref',
    'foo bar record',
    '(string -> string)',
    '(string string) map',
    '(string -> int -> bool) map',
    'string -> string map',
    'an event batch set',
    '(string -> an event batch) map',
  ])('%j is opaque', (text) => {
    expect(parseXapiType(text)).toEqual({ kind: 'opaque', text })
  })

  it('memoizes: the same text yields the same frozen object', () => {
    const first = parseXapiType('(VM ref -> string set) map')
    expect(parseXapiType('(VM ref -> string set) map')).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
  })

  it('leaves only prose message results opaque across the whole datamodel', () => {
    const opaque = [...allTypeTexts()].filter((text) => parseXapiType(text).kind === 'opaque')
    expect(opaque).toEqual(['an event batch'])
  })

  it('formats every parsed datamodel type back to its original text', () => {
    const mismatches = [...allTypeTexts()].filter((text) => formatXapiType(parseXapiType(text)) !== text)
    expect(mismatches).toEqual([])
  })
})

describe('defaultValue', () => {
  it.each<[string, string | undefined, unknown]>([
    ['string', undefined, ''],
    ['int', undefined, 0],
    ['float', undefined, 0],
    ['bool', undefined, false],
    ['datetime', undefined, EPOCH],
    ['enum domain_type', undefined, 'hvm'],
    ['enum no_such_enum', undefined, ''],
    ['VM ref', undefined, NULL],
    ['string set', undefined, []],
    ['(string -> string) map', undefined, {}],
    ['VM record', undefined, {}],
    ['string option', undefined, ''],
    ['sr_stat record option', undefined, {}],
    ['void', undefined, ''],
    ['an event batch', undefined, ''],
    // Literals as the datamodel writes them.
    ['(string -> string) map', '{}', {}],
    ['string set', '{}', []],
    ['string', '""', ''],
    ['string', '"()"', '()'],
    ['string', '"1.0"', '1.0'],
    ['string', '"say \\"hi\\" \\\\ \\065"', 'say "hi" \\ A'],
    ['bool', 'false', false],
    ['bool', 'true', true],
    ['VM ref', 'OpaqueRef:NULL', NULL],
    ['PIF ref', 'Null', NULL],
    ['int', '0', 0],
    ['int', '-1', -1],
    ['int', '21474836480', 21474836480],
    ['float', '0.', 0],
    ['float', '1.', 1],
    ['float', '-1.', -1],
    ['float', '20.', 20],
    ['float', '2.5', 2.5],
    ['datetime', EPOCH, EPOCH],
    ['datetime', '20240229T12:34:56Z', '20240229T12:34:56Z'],
    ['enum vm_power_state', 'Halted', 'Halted'],
    ['enum on_softreboot_behavior', 'soft_reboot', 'soft_reboot'],
    ['enum domain_type', 'unspecified', 'unspecified'],
    ['role ref set', '{OpaqueRef:0165f154-ba3e-034e-6b27-5d271af109ba}', []],
    ['int set', '{0}', [0]],
    ['int set', '{1, -2, 3}', [1, -2, 3]],
    ['string set', '{"a", "b, c"}', ['a', 'b, c']],
    [
      '(string -> string) map',
      '{"address" -> "localhost", "port" -> "27000"}',
      { address: 'localhost', port: '27000' },
    ],
    ['(string -> string) map', '{"active" -> "false"}', { active: 'false' }],
    ['(string -> int) map', '{"a -> b" -> 4}', { 'a -> b': 4 }],
    // Unknown literals fall back to the type's default rather than throwing.
    ['enum vm_power_state', 'Exploded', 'Halted'],
    ['enum domain_type', 'HVM', 'hvm'],
    ['string', 'unquoted', ''],
    ['int', '12abc', 0],
    ['int', '1.5', 0],
    ['float', 'nan', 0],
    ['bool', 'yes', false],
    ['datetime', 'yesterday', EPOCH],
    ['VM ref', 'garbage', NULL],
    ['int set', '{0, x}', []],
    ['string set', 'not a set', []],
    ['(string -> string) map', '{"a" => "b"}', {}],
    ['(int -> int) map', '{"1" -> 2}', {}],
    ['VM record', '{"x" -> 1}', {}],
  ])('%s with %j → %j', (typeText, text, expected) => {
    expect(defaultValue(parseXapiType(typeText), text, enumValues)).toEqual(expected)
  })

  it('builds fresh containers on every call', () => {
    const set = parseXapiType('string set')
    expect(defaultValue(set, undefined, enumValues)).not.toBe(defaultValue(set, undefined, enumValues))
  })

  it('honours every enum default the datamodel names', () => {
    const replaced: string[] = []
    for (const [cls, { fields }] of Object.entries(dm.classes)) {
      for (const [name, typeText = '', , text] of fields) {
        const type = parseXapiType(typeText)
        if (type.kind === 'enum' && text !== undefined && defaultValue(type, text, enumValues) !== text) {
          replaced.push(`${cls}.${name}`)
        }
      }
    }
    expect(replaced).toEqual([])
  })

  it('gives every field of every class a default that checks against its own type', () => {
    const askedAbout: string[] = []
    const ctx = {
      enumValues,
      classOfRef: (ref: string) => {
        askedAbout.push(ref)
        return undefined
      },
    }
    const problems: string[] = []
    let fieldCount = 0
    for (const [cls, { fields }] of Object.entries(dm.classes)) {
      for (const [name = '', typeText = '', , text] of fields) {
        const type = parseXapiType(typeText)
        fieldCount++
        problems.push(...checkValue(defaultValue(type, text, enumValues), type, ctx, `${cls}.${name}`))
      }
    }
    expect(fieldCount).toBeGreaterThan(800)
    expect(problems).toEqual([])
    expect(askedAbout.filter((ref) => ref !== NULL)).toEqual([])
  })
})

describe('checkValue', () => {
  const refs = new Map([
    ['OpaqueRef:vm1', 'VM'],
    ['OpaqueRef:vdi1', 'VDI'],
    ['OpaqueRef:vbd1', 'VBD'],
    ['OpaqueRef:host1', 'host'],
  ])
  const ctx = { enumValues, classOfRef: (ref: string) => refs.get(ref) }
  const check = (value: unknown, typeText: string, path?: string) =>
    checkValue(value, parseXapiType(typeText), ctx, path)

  it.each<[unknown, string]>([
    ['', 'string'],
    [-3, 'int'],
    [21474836480, 'int'],
    [3, 'float'],
    [0.5, 'float'],
    [true, 'bool'],
    ['20240229T12:34:56Z', 'datetime'],
    ['Running', 'enum vm_power_state'],
    [NULL, 'VM ref'],
    ['OpaqueRef:vm1', 'VM ref'],
    ['OpaqueRef:host1', 'host ref'],
    ['OpaqueRef:vm1', 'vm ref'],
    [['OpaqueRef:vbd1', NULL], 'VBD ref set'],
    [[['a'], []], 'string set set'],
    [{ 'OpaqueRef:vm1': { k: 'v' } }, '(VM ref -> (string -> string) map) map'],
    [{ '0': ['a'], '-7': [] }, '(int -> string set) map'],
    [{ power_state: 42 }, 'VM record'],
    ['', 'string option'],
    [undefined, 'sr_stat record option'],
    [{}, 'sr_stat record option'],
    ['', 'void'],
    [Symbol('anything'), 'an event batch'],
  ])('accepts %o as %s', (value, typeText) => {
    expect(check(value, typeText)).toEqual([])
  })

  it.each<[unknown, string, string[]]>([
    [5, 'string', ['$: expected string, got 5']],
    [1.5, 'int', ['$: expected int, got 1.5']],
    ['5', 'int', ['$: expected int, got "5"']],
    [Number.POSITIVE_INFINITY, 'float', ['$: expected float, got Infinity']],
    [Number.NaN, 'float', ['$: expected float, got NaN']],
    ['true', 'bool', ['$: expected bool, got "true"']],
    ['2024-02-29T12:34:56Z', 'datetime', ['$: expected datetime, got "2024-02-29T12:34:56Z"']],
    ['20240229T12:34:56', 'datetime', ['$: expected datetime, got "20240229T12:34:56"']],
    ['20240229T12:34:56.000Z', 'datetime', ['$: expected datetime, got "20240229T12:34:56.000Z"']],
    ['running', 'enum vm_power_state', ['$: expected enum vm_power_state, got "running"']],
    [1, 'enum vm_power_state', ['$: expected enum vm_power_state, got 1']],
    ['x', 'enum no_such_enum', ['$: unknown enum no_such_enum']],
    ['vm1', 'VM ref', ['$: expected VM ref, got "vm1"']],
    ['OpaqueRef:vdi1', 'VM ref', ['$: expected VM ref, got OpaqueRef:vdi1 of class VDI']],
    ['OpaqueRef:gone', 'VM ref', ['$: expected VM ref, got dangling OpaqueRef:gone']],
    [{}, 'string set', ['$: expected string set, got object']],
    [['a', 2, 'c', null], 'string set', ['$[1]: expected string, got 2', '$[3]: expected string, got null']],
    [[], '(string -> string) map', ['$: expected (string -> string) map, got array']],
    [new Map(), '(string -> string) map', ['$: expected (string -> string) map, got object']],
    [
      { '0': ['a'], '1.5': ['b'], cpu: 'c' },
      '(int -> string set) map',
      [
        '$["1.5"]: expected int key, got "1.5"',
        '$.cpu: expected int key, got "cpu"',
        '$.cpu: expected string set, got "c"',
      ],
    ],
    [
      { task1: 'start', task2: 'fly' },
      '(string -> enum vm_operations) map',
      ['$.task2: expected enum vm_operations, got "fly"'],
    ],
    [
      { 'OpaqueRef:gone': 'x', 'OpaqueRef:vm1': 'y' },
      '(VM ref -> string) map',
      ['$["OpaqueRef:gone"] (key): expected VM ref, got dangling OpaqueRef:gone'],
    ],
    [['OpaqueRef:vm1'], 'VM record', ['$: expected VM record, got array']],
    [5, 'string option', ['$: expected string, got 5']],
    [null, 'void', ['$: expected void, got null']],
  ])('rejects %o as %s', (value, typeText, problems) => {
    expect(check(value, typeText)).toEqual(problems)
  })

  it('reports the path of a bad set item under the given root', () => {
    expect(check(['OpaqueRef:vbd1', 'OpaqueRef:vdi1'], 'VBD ref set', '$.VBDs')).toEqual([
      '$.VBDs[1]: expected VBD ref, got OpaqueRef:vdi1 of class VDI',
    ])
  })

  it('truncates long strings in problems', () => {
    const [problem] = check('x'.repeat(100), 'int')
    expect(problem).toBe(`$: expected int, got "${'x'.repeat(57)}..."`)
  })
})
