import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { TypeLookup, XapiType } from '../../src/sim/xapi-type.js'
import {
  encodeTaskResult,
  encodeXmlRpcValue,
  escapeXmlText,
  formatXmlRpcFailure,
  formatXmlRpcSuccess,
} from '../../src/sim/xmlrpc-encode.js'
import { parseXmlRpcCall, XmlRpcParseError } from '../../src/sim/xmlrpc-parse.js'

// --- a small fake datamodel ------------------------------------------------------------------

const T = {
  string: { kind: 'string' },
  int: { kind: 'int' },
  float: { kind: 'float' },
  bool: { kind: 'bool' },
  datetime: { kind: 'datetime' },
  powerState: { kind: 'enum', name: 'vm_power_state' },
  vmRef: { kind: 'ref', cls: 'VM' },
  vbdRef: { kind: 'ref', cls: 'VBD' },
  void: { kind: 'void' },
} as const satisfies Record<string, XapiType>

const setOf = (of: XapiType): XapiType => ({ kind: 'set', of })
const mapOf = (key: XapiType, value: XapiType): XapiType => ({ kind: 'map', key, value })
const optionOf = (of: XapiType): XapiType => ({ kind: 'option', of })
const recordOf = (cls: string): XapiType => ({ kind: 'record', cls })

const vmFields = new Map<string, XapiType>([
  ['uuid', T.string],
  ['name_label', T.string],
  ['power_state', T.powerState],
  ['VCPUs_max', T.int],
  ['memory_static_max', T.int],
  ['is_a_template', T.bool],
  ['start_time', T.datetime],
  ['other_config', mapOf(T.string, T.string)],
  ['VCPUs_utilisation', mapOf(T.int, T.float)],
  ['VBDs', setOf(T.vbdRef)],
  ['resident_on', optionOf({ kind: 'ref', cls: 'host' })],
])

const lookup: TypeLookup = {
  fieldTypes: (cls) => (cls === 'VM' ? vmFields : undefined),
  enumValues: (name) => (name === 'vm_power_state' ? ['Halted', 'Paused', 'Running', 'Suspended'] : undefined),
}

// --- helpers ---------------------------------------------------------------------------------

const call = (params: string, method = 'VM.get_record') =>
  `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`

/** Parses a methodCall with a single `<param>` holding `valueXml`, returning that parameter. */
const parseOne = (valueXml: string): unknown => {
  const { params } = parseXmlRpcCall(call(`<param>${valueXml}</param>`))
  expect(params).toHaveLength(1)
  return params[0]
}

const enc = (value: unknown, type: XapiType | undefined, recordClass?: string) =>
  recordClass === undefined
    ? encodeXmlRpcValue(value, type, lookup)
    : encodeXmlRpcValue(value, type, lookup, recordClass)

const member = (name: string, valueXml: string) => `<member><name>${name}</name>${valueXml}</member>`

// --- parsing ---------------------------------------------------------------------------------

describe('parseXmlRpcCall: value kinds', () => {
  it.each<[string, string, unknown]>([
    ['bare text', '<value>hello</value>', 'hello'],
    ['<string>', '<value><string>hello</string></value>', 'hello'],
    ['empty bare value', '<value></value>', ''],
    ['self-closing value', '<value/>', ''],
    ['empty <string>', '<value><string></string></value>', ''],
    ['self-closing <string/>', '<value><string/></value>', ''],
    ['whitespace-only <string> is data', '<value><string>  \t </string></value>', '  \t '],
    ['whitespace-only bare value is data', '<value>   </value>', '   '],
    ['surrounding whitespace inside <string> is kept', '<value><string> a  b </string></value>', ' a  b '],
    ['newlines inside <string> are kept', '<value><string>line1\nline2\n</string></value>', 'line1\nline2\n'],
    ['whitespace around a typed element is not data', '<value>\n  <string>x</string>\n</value>', 'x'],
    ['"007" stays a string (bare)', '<value>007</value>', '007'],
    ['"007" stays a string (<string>)', '<value><string>007</string></value>', '007'],
    ['"1e3" stays a string', '<value><string>1e3</string></value>', '1e3'],
    ['"0x1F" stays a string', '<value>0x1F</value>', '0x1F'],
    ['"-5" stays a string', '<value>-5</value>', '-5'],
    ['"true" stays a string', '<value><string>true</string></value>', 'true'],
    [
      'entities are decoded',
      '<value>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;&#x1F600;</value>',
      'a & b <c> "d" \'e\' AB\u{1F600}',
    ],
    ['entities inside <string>', '<value><string>&lt;tag&gt;&amp;</string></value>', '<tag>&'],
    ['CDATA is literal text', '<value><string><![CDATA[<raw> & &amp;]]></string></value>', '<raw> & &amp;'],
    ['non-ASCII text', '<value>caf\u00e9 \u{1F600}</value>', 'caf\u00e9 \u{1F600}'],
    ['<int>', '<value><int>42</int></value>', 42],
    ['negative <int>', '<value><int>-7</int></value>', -7],
    ['<int> with a plus sign and whitespace', '<value><int> +8 </int></value>', 8],
    ['<i4>', '<value><i4>2147483647</i4></value>', 2147483647],
    ['<i8>', '<value><i8>4294967296</i8></value>', 4294967296],
    ['<double>', '<value><double>1.5</double></value>', 1.5],
    ['negative <double>', '<value><double>-0.25</double></value>', -0.25],
    ['<double> in exponent form', '<value><double>1e3</double></value>', 1000],
    ['<double> without a fraction', '<value><double>3</double></value>', 3],
    ['<boolean>1', '<value><boolean>1</boolean></value>', true],
    ['<boolean>0', '<value><boolean>0</boolean></value>', false],
    [
      '<dateTime.iso8601> as-is',
      '<value><dateTime.iso8601>20240101T13:20:11Z</dateTime.iso8601></value>',
      '20240101T13:20:11Z',
    ],
    ['<base64>', '<value><base64>aGVsbG8gd29ybGQ=</base64></value>', 'hello world'],
    ['<base64> with line breaks, UTF-8', '<value><base64>aMOp\nbGxv</base64></value>', 'h\u00e9llo'],
    ['<nil/>', '<value><nil/></value>', null],
    ['<nil></nil>', '<value><nil></nil></value>', null],
    [
      '<struct>',
      '<value><struct><member><name>a</name><value>x</value></member><member><name>b</name><value><int>1</int></value></member></struct></value>',
      { a: 'x', b: 1 },
    ],
    ['empty <struct>', '<value><struct></struct></value>', {}],
    ['self-closing <struct/>', '<value><struct/></value>', {}],
    [
      'member with an empty name',
      '<value><struct><member><name></name><value>v</value></member></struct></value>',
      { '': 'v' },
    ],
    ['<array>', '<value><array><data><value>a</value><value><int>2</int></value></data></array></value>', ['a', 2]],
    ['empty <array>', '<value><array><data></data></array></value>', []],
    ['<array> with <data/>', '<value><array><data/></array></value>', []],
    [
      'struct in array in struct',
      `<value><struct>${member(
        'list',
        `<value><array><data><value><struct>${member('k', '<value><string>v</string></value>')}${member(
          'n',
          '<value><array><data><value><boolean>1</boolean></value></data></array></value>',
        )}</struct></value><value>tail</value></data></array></value>`,
      )}</struct></value>`,
      { list: [{ k: 'v', n: [true] }, 'tail'] },
    ],
    [
      'pretty-printed nesting (whitespace between elements is ignored)',
      `<value>
        <struct>
          <member>
            <name>items</name>
            <value>
              <array>
                <data>
                  <value><int>1</int></value>
                  <value>  two  </value>
                </data>
              </array>
            </value>
          </member>
        </struct>
      </value>`,
      { items: [1, '  two  '] },
    ],
  ])('%s', (_name, valueXml, expected) => {
    expect(parseOne(valueXml)).toEqual(expected)
  })
})

describe('parseXmlRpcCall: documents', () => {
  it('reads the method name and the params in order', () => {
    const parsed = parseXmlRpcCall(
      call('<param><value>OpaqueRef:abc</value></param><param><value><int>3</int></value></param>', 'VM.set_VCPUs_max'),
    )
    expect(parsed).toEqual({ method: 'VM.set_VCPUs_max', params: ['OpaqueRef:abc', 3] })
  })

  it.each<[string, string]>([
    ['<params/>', '<methodCall><methodName>session.get_all</methodName><params/></methodCall>'],
    ['<params></params>', '<methodCall><methodName>session.get_all</methodName><params></params></methodCall>'],
    ['no <params> at all', '<methodCall><methodName>session.get_all</methodName></methodCall>'],
  ])('empty params: %s', (_name, body) => {
    expect(parseXmlRpcCall(body)).toEqual({ method: 'session.get_all', params: [] })
  })

  it("parses Python xmlrpc.client's pretty-printed layout", () => {
    const body =
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>session.login_with_password</methodName>\n<params>\n" +
      '<param>\n<value><string>root</string></value>\n</param>\n<param>\n<value><string> pa ss </string></value>\n</param>\n' +
      '</params>\n</methodCall>\n'
    expect(parseXmlRpcCall(body)).toEqual({ method: 'session.login_with_password', params: ['root', ' pa ss '] })
  })

  it("parses Xen Orchestra's compact layout (bare strings, <nil />, encoding declaration)", () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>VM.add_to_other_config</methodName><params>' +
      '<param><value>OpaqueRef:1</value></param><param><value>k</value></param><param><value><nil /></value></param>' +
      '</params></methodCall>'
    expect(parseXmlRpcCall(body)).toEqual({ method: 'VM.add_to_other_config', params: ['OpaqueRef:1', 'k', null] })
  })

  it('accepts a leading byte-order mark', () => {
    expect(parseXmlRpcCall(`\uFEFF${call('')}`)).toEqual({ method: 'VM.get_record', params: [] })
  })

  it('preserves struct member order', () => {
    const struct = parseOne(
      `<value><struct>${member('zeta', '<value>1</value>')}${member('alpha', '<value>2</value>')}${member(
        'mid',
        '<value>3</value>',
      )}</struct></value>`,
    )
    expect(Object.keys(struct as object)).toEqual(['zeta', 'alpha', 'mid'])
  })

  it('stores a "__proto__" member as an own property without touching prototypes', () => {
    const struct = parseOne(
      `<value><struct>${member('__proto__', `<value><struct>${member('polluted', '<value>yes</value>')}</struct></value>`)}</struct></value>`,
    ) as Record<string, unknown>
    expect(Object.getPrototypeOf(struct)).toBe(Object.prototype)
    expect(Object.keys(struct)).toEqual(['__proto__'])
    expect(Object.getOwnPropertyDescriptor(struct, '__proto__')?.value).toEqual({ polluted: 'yes' })
    expect((struct as { polluted?: unknown }).polluted).toBeUndefined()
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it.each<[string, string]>([
    ['not XML', 'this is not xml'],
    ['empty body', ''],
    ['JSON body', '{"method":"VM.get_all","params":[]}'],
    ['unclosed element', '<methodCall><methodName>x</methodName><params>'],
    ['mismatched closing tag', '<methodCall><methodName>x</methodName></params></methodCall>'],
    ['trailing garbage', `${call('')}garbage`],
    ['two root elements', '<methodCall><methodName>x</methodName></methodCall><methodCall/>'],
    ['wrong root element', '<methodResponse><params/></methodResponse>'],
    ['no methodName', '<methodCall><params/></methodCall>'],
    ['empty methodName', '<methodCall><methodName></methodName><params/></methodCall>'],
    ['element inside methodName', '<methodCall><methodName><b>x</b></methodName></methodCall>'],
    ['unexpected element in methodCall', '<methodCall><methodName>x</methodName><extra/></methodCall>'],
    ['unknown value tag', call('<param><value><foo>1</foo></value></param>')],
    ['<param> without <value>', call('<param></param>')],
    ['<param> with two <value>s', call('<param><value>a</value><value>b</value></param>')],
    ['non-param inside params', call('<value>a</value>')],
    ['two typed elements in one value', call('<param><value><int>1</int><int>2</int></value></param>')],
    ['text mixed with a typed element', call('<param><value>x<string>y</string></value></param>')],
    ['<int> with a fraction', call('<param><value><int>1.5</int></value></param>')],
    ['<int> with letters', call('<param><value><int>12abc</int></value></param>')],
    ['empty <int>', call('<param><value><int></int></value></param>')],
    ['<i8> beyond 2^53', call('<param><value><i8>9223372036854775807</i8></value></param>')],
    ['<double> that is not a number', call('<param><value><double>abc</double></value></param>')],
    ['<double>NaN', call('<param><value><double>NaN</double></value></param>')],
    ['<boolean>2', call('<param><value><boolean>2</boolean></value></param>')],
    ['<boolean>true', call('<param><value><boolean>true</boolean></value></param>')],
    ['<nil> with content', call('<param><value><nil>x</nil></value></param>')],
    ['invalid <base64>', call('<param><value><base64>@@@</base64></value></param>')],
    [
      '<member> without <name>',
      call('<param><value><struct><member><value>v</value></member></struct></value></param>'),
    ],
    [
      '<member> without <value>',
      call('<param><value><struct><member><name>k</name></member></struct></value></param>'),
    ],
    ['non-member inside struct', call('<param><value><struct><value>v</value></struct></value></param>')],
    ['<array> without <data>', call('<param><value><array><value>v</value></array></value></param>')],
    ['non-value inside <data>', call('<param><value><array><data><string>v</string></data></array></value></param>')],
    ['text inside <struct>', call('<param><value><struct>junk</struct></value></param>')],
    ['unknown entity', call('<param><value>&nbsp;</value></param>')],
    ['DOCTYPE-declared entity', `<!DOCTYPE x [<!ENTITY e "zz">]>${call('<param><value>&e;</value></param>')}`],
    ['character reference to NUL', call('<param><value>&#0;</value></param>')],
    ['unescaped ampersand', call('<param><value>a & b</value></param>')],
  ])('rejects %s', (_name, body) => {
    expect(() => parseXmlRpcCall(body)).toThrow(XmlRpcParseError)
  })
})

// --- encoding --------------------------------------------------------------------------------

describe('encodeXmlRpcValue: by type', () => {
  it.each<[string, unknown, XapiType | undefined, string]>([
    ['int as plain digits', 42, T.int, '<value>42</value>'],
    ['negative int', -5, T.int, '<value>-5</value>'],
    ['zero int', 0, T.int, '<value>0</value>'],
    ['int beyond int32', 8589934592, T.int, '<value>8589934592</value>'],
    ['int beyond 2^53', 2 ** 60, T.int, '<value>1152921504606846976</value>'],
    ['int from a bigint', 9223372036854775807n, T.int, '<value>9223372036854775807</value>'],
    ['int stored as digit string', '123', T.int, '<value>123</value>'],
    ['float', 1.5, T.float, '<value><double>1.5</double></value>'],
    ['integral float keeps a decimal point', 2, T.float, '<value><double>2.0</double></value>'],
    ['negative float', -0.125, T.float, '<value><double>-0.125</double></value>'],
    ['large float', 1e21, T.float, '<value><double>1e+21</double></value>'],
    ['NaN float', Number.NaN, T.float, '<value><double>0.0</double></value>'],
    ['Infinity float', Number.POSITIVE_INFINITY, T.float, '<value><double>0.0</double></value>'],
    ['-Infinity float', Number.NEGATIVE_INFINITY, T.float, '<value><double>0.0</double></value>'],
    ['bool true', true, T.bool, '<value><boolean>1</boolean></value>'],
    ['bool false', false, T.bool, '<value><boolean>0</boolean></value>'],
    [
      'datetime unchanged',
      '20240101T13:20:11Z',
      T.datetime,
      '<value><dateTime.iso8601>20240101T13:20:11Z</dateTime.iso8601></value>',
    ],
    ['string as bare text', 'hello', T.string, '<value>hello</value>'],
    ['empty string', '', T.string, '<value></value>'],
    ['numeric-looking string stays text', '007', T.string, '<value>007</value>'],
    ['string escaping', '<tag>&"', T.string, '<value>&lt;tag&gt;&amp;&quot;</value>'],
    ['enum', 'Running', T.powerState, '<value>Running</value>'],
    ['ref', 'OpaqueRef:abc', T.vmRef, '<value>OpaqueRef:abc</value>'],
    ['null ref', 'OpaqueRef:NULL', T.vmRef, '<value>OpaqueRef:NULL</value>'],
    [
      'set of refs',
      ['OpaqueRef:a', 'OpaqueRef:b'],
      setOf(T.vmRef),
      '<value><array><data><value>OpaqueRef:a</value><value>OpaqueRef:b</value></data></array></value>',
    ],
    ['empty set', [], setOf(T.string), '<value><array><data></data></array></value>'],
    ['set of int', [1, 2], setOf(T.int), '<value><array><data><value>1</value><value>2</value></data></array></value>'],
    [
      'set of set',
      [['x'], []],
      setOf(setOf(T.string)),
      '<value><array><data><value><array><data><value>x</value></data></array></value><value><array><data></data></array></value></data></array></value>',
    ],
    [
      'map string -> string',
      { a: '1', 'b c': 'x&y' },
      mapOf(T.string, T.string),
      `<value><struct>${member('a', '<value>1</value>')}${member('b c', '<value>x&amp;y</value>')}</struct></value>`,
    ],
    ['empty map', {}, mapOf(T.string, T.string), '<value><struct></struct></value>'],
    [
      'map with int keys (Map)',
      new Map<number, number>([
        [0, 0.5],
        [12, 1],
      ]),
      mapOf(T.int, T.float),
      `<value><struct>${member('0', '<value><double>0.5</double></value>')}${member('12', '<value><double>1.0</double></value>')}</struct></value>`,
    ],
    [
      'map with int keys (object)',
      { '3': 'x' },
      mapOf(T.int, T.string),
      `<value><struct>${member('3', '<value>x</value>')}</struct></value>`,
    ],
    [
      'map ref -> int',
      { 'OpaqueRef:a': 7 },
      mapOf(T.vmRef, T.int),
      `<value><struct>${member('OpaqueRef:a', '<value>7</value>')}</struct></value>`,
    ],
    [
      'map ref -> record',
      { 'OpaqueRef:a': { VCPUs_max: 2 } },
      mapOf(T.vmRef, recordOf('VM')),
      `<value><struct>${member('OpaqueRef:a', `<value><struct>${member('VCPUs_max', '<value>2</value>')}</struct></value>`)}</struct></value>`,
    ],
    ['option with a value', 5, optionOf(T.int), '<value>5</value>'],
    ['option with a ref', 'OpaqueRef:h', optionOf(T.vmRef), '<value>OpaqueRef:h</value>'],
    ['option without a value', null, optionOf(T.int), '<value></value>'],
    ['void', undefined, T.void, '<value></value>'],
    ['void ignores a stray value', 'ignored', T.void, '<value></value>'],
    [
      'opaque is encoded by shape',
      { n: 1 },
      { kind: 'opaque', text: 'an event batch' },
      `<value><struct>${member('n', '<value><int>1</int></value>')}</struct></value>`,
    ],
    ['a value that does not fit its type is encoded by shape', 5, T.string, '<value><int>5</int></value>'],
  ])('%s', (_name, value, type, expected) => {
    expect(enc(value, type)).toBe(expected)
  })

  const vm = {
    uuid: 'u-1',
    name_label: 'web <01>',
    power_state: 'Running',
    VCPUs_max: 4,
    memory_static_max: 2 ** 33,
    is_a_template: false,
    start_time: '20240101T13:20:11Z',
    other_config: { '007': '1e3' },
    VCPUs_utilisation: { '0': 0.25 },
    VBDs: ['OpaqueRef:vbd1'],
    resident_on: 'OpaqueRef:host1',
    not_in_datamodel: 3,
    skipped: undefined,
  }
  const vmTyped =
    '<value><struct>' +
    member('uuid', '<value>u-1</value>') +
    member('name_label', '<value>web &lt;01&gt;</value>') +
    member('power_state', '<value>Running</value>') +
    member('VCPUs_max', '<value>4</value>') +
    member('memory_static_max', '<value>8589934592</value>') +
    member('is_a_template', '<value><boolean>0</boolean></value>') +
    member('start_time', '<value><dateTime.iso8601>20240101T13:20:11Z</dateTime.iso8601></value>') +
    member('other_config', `<value><struct>${member('007', '<value>1e3</value>')}</struct></value>`) +
    member(
      'VCPUs_utilisation',
      `<value><struct>${member('0', '<value><double>0.25</double></value>')}</struct></value>`,
    ) +
    member('VBDs', '<value><array><data><value>OpaqueRef:vbd1</value></data></array></value>') +
    member('resident_on', '<value>OpaqueRef:host1</value>') +
    member('not_in_datamodel', '<value><int>3</int></value>') +
    '</struct></value>'

  it('encodes a record through the lookup’s field types (unknown fields by shape, undefined skipped)', () => {
    expect(enc(vm, recordOf('VM'))).toBe(vmTyped)
  })

  it('encodes a set of records', () => {
    expect(enc([{ VCPUs_max: 1 }], setOf(recordOf('VM')))).toBe(
      `<value><array><data><value><struct>${member('VCPUs_max', '<value>1</value>')}</struct></value></data></array></value>`,
    )
  })

  it('encodes a record of a class the lookup does not know by shape', () => {
    expect(enc({ VCPUs_max: 4 }, recordOf('nosuchclass'))).toBe(
      `<value><struct>${member('VCPUs_max', '<value><int>4</int></value>')}</struct></value>`,
    )
  })

  it('encodes a <class> record by shape, or by the class given as recordClass', () => {
    const snapshot = { VCPUs_max: 4, is_a_template: true }
    expect(enc(snapshot, recordOf('<class>'))).toBe(
      `<value><struct>${member('VCPUs_max', '<value><int>4</int></value>')}${member('is_a_template', '<value><boolean>1</boolean></value>')}</struct></value>`,
    )
    expect(enc(snapshot, recordOf('<class>'), 'VM')).toBe(
      `<value><struct>${member('VCPUs_max', '<value>4</value>')}${member('is_a_template', '<value><boolean>1</boolean></value>')}</struct></value>`,
    )
  })
})

describe('encodeXmlRpcValue: untyped, by JS shape', () => {
  it.each<[string, unknown, string]>([
    ['string', 'a<b', '<value>a&lt;b</value>'],
    ['boolean', true, '<value><boolean>1</boolean></value>'],
    ['int32 number', 17, '<value><int>17</int></value>'],
    ['int32 minimum', -(2 ** 31), '<value><int>-2147483648</int></value>'],
    ['int32 maximum', 2 ** 31 - 1, '<value><int>2147483647</int></value>'],
    ['integer beyond int32 as digits', 2 ** 31, '<value>2147483648</value>'],
    ['integer beyond 2^53 as digits', 2 ** 60, '<value>1152921504606846976</value>'],
    ['non-integer number', 0.5, '<value><double>0.5</double></value>'],
    ['NaN', Number.NaN, '<value><double>0.0</double></value>'],
    ['null', null, '<value></value>'],
    ['undefined', undefined, '<value></value>'],
    [
      'array',
      [1, 'a', false],
      '<value><array><data><value><int>1</int></value><value>a</value><value><boolean>0</boolean></value></data></array></value>',
    ],
    ['empty array', [], '<value><array><data></data></array></value>'],
    [
      'object',
      { b: 'x', a: 2 },
      `<value><struct>${member('b', '<value>x</value>')}${member('a', '<value><int>2</int></value>')}</struct></value>`,
    ],
    ['empty object', {}, '<value><struct></struct></value>'],
    [
      'Date',
      new Date(Date.UTC(2024, 0, 1, 13, 20, 11)),
      '<value><dateTime.iso8601>20240101T13:20:11Z</dateTime.iso8601></value>',
    ],
  ])('%s', (_name, value, expected) => {
    expect(enc(value, undefined)).toBe(expected)
  })
})

describe('escapeXmlText', () => {
  it.each<[string, string, string]>([
    ['markup characters', '<tag attr="v">&amp;</tag>', '&lt;tag attr=&quot;v&quot;&gt;&amp;amp;&lt;/tag&gt;'],
    ['plain text is unchanged', "it's fine\ttabs\nnewlines", "it's fine\ttabs\nnewlines"],
    ['CR is kept as a character reference', 'a\r\nb', 'a&#13;\nb'],
    ['characters XML cannot carry become U+FFFD', 'a\u0000b\u001bc\uffff', 'a\ufffdb\ufffdc\ufffd'],
    ['lone surrogates become U+FFFD, pairs are kept', '\ud800x\u{1F600}\udc00', '\ufffdx\u{1F600}\ufffd'],
  ])('%s', (_name, input, expected) => {
    expect(escapeXmlText(input)).toBe(expected)
  })
})

describe('round trip: untyped encoding parses back', () => {
  const values: [string, unknown][] = [
    ['plain string', 'plain'],
    ['empty string', ''],
    ['whitespace-only string', '   '],
    ['padded string', '  padded  '],
    ['markup string', 'a & <b> "c" \'d\''],
    ['multi-line string with CR', 'line1\nline2\r\nline3\r'],
    ['numeric-looking strings', ['007', '1e3', '-0', 'true', 'OpaqueRef:NULL']],
    ['unicode', 'caf\u00e9 \u{1F600} \u4e2d'],
    ['tab', 'a\tb'],
    ['zero', 0],
    ['negative int', -17],
    ['int32 bounds', [2147483647, -2147483648]],
    ['doubles', [1.5, -0.125, 1e-7, 123456.789]],
    ['booleans', [true, false]],
    ['empty array', []],
    ['empty object', {}],
    ['nested array', [1, 'a', [true, { k: 'v' }], []]],
    ['nested struct', { z: 1, a: { b: [{ c: 'd' }, {}] }, '': 'empty key', 'key with spaces & <x>': 'v' }],
  ]

  it.each(values)('%s', (_name, value) => {
    const body = call(`<param>${encodeXmlRpcValue(value, undefined, lookup)}</param>`, 'test.echo')
    const parsed = parseXmlRpcCall(body)
    expect(parsed.method).toBe('test.echo')
    expect(parsed.params).toEqual([value])
  })

  it('keeps struct member order and several params through a round trip', () => {
    const struct = { zeta: 1, alpha: 'two', mid: [3] }
    const body = call(
      ['first', struct, 2.5].map((v) => `<param>${encodeXmlRpcValue(v, undefined, lookup)}</param>`).join(''),
    )
    const { params } = parseXmlRpcCall(body)
    expect(params).toEqual(['first', struct, 2.5])
    expect(Object.keys(params[1] as object)).toEqual(['zeta', 'alpha', 'mid'])
  })

  it('a typed int64 comes back as its digit string', () => {
    const body = call(`<param>${encodeXmlRpcValue(2 ** 40, T.int, lookup)}</param>`)
    expect(parseXmlRpcCall(body).params).toEqual(['1099511627776'])
  })
})

// --- responses -------------------------------------------------------------------------------

describe('formatXmlRpcSuccess / formatXmlRpcFailure', () => {
  const head = '<?xml version="1.0"?><methodResponse><params><param><value><struct>'
  const tail = '</struct></value></param></params></methodResponse>'

  it('formats a successful ref result', () => {
    expect(formatXmlRpcSuccess('OpaqueRef:abc', T.vmRef, lookup)).toBe(
      `${head}<member><name>Status</name><value>Success</value></member><member><name>Value</name><value>OpaqueRef:abc</value></member>${tail}`,
    )
  })

  it('formats a successful set-of-int result', () => {
    expect(formatXmlRpcSuccess([1, 2], setOf(T.int), lookup)).toBe(
      `${head}<member><name>Status</name><value>Success</value></member><member><name>Value</name><value><array><data><value>1</value><value>2</value></data></array></value></member>${tail}`,
    )
  })

  it('formats a successful void result', () => {
    expect(formatXmlRpcSuccess(undefined, T.void, lookup)).toBe(
      `${head}<member><name>Status</name><value>Success</value></member><member><name>Value</name><value></value></member>${tail}`,
    )
  })

  it('formats a failure with its error description', () => {
    expect(formatXmlRpcFailure(['HANDLE_INVALID', 'VM', 'OpaqueRef:x'])).toBe(
      `${head}<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>HANDLE_INVALID</value><value>VM</value><value>OpaqueRef:x</value></data></array></value></member>${tail}`,
    )
  })

  it('escapes failure parameters', () => {
    expect(formatXmlRpcFailure(['INTERNAL_ERROR', 'a < b & "c"'])).toBe(
      `${head}<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>INTERNAL_ERROR</value><value>a &lt; b &amp; &quot;c&quot;</value></data></array></value></member>${tail}`,
    )
  })

  it('formats a failure with an empty description', () => {
    expect(formatXmlRpcFailure([])).toBe(
      `${head}<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data></data></array></value></member>${tail}`,
    )
  })
})

describe('encodeTaskResult', () => {
  it.each<[string, unknown, XapiType | undefined, string]>([
    ['ref', 'OpaqueRef:x', T.vmRef, '<value>OpaqueRef:x</value>'],
    ['void', undefined, T.void, ''],
    ['void with a stray value', 'OpaqueRef:x', T.void, ''],
    ['undefined value', undefined, T.vmRef, ''],
    ['string with &', 'a & b', T.string, '<value>a &amp; b</value>'],
    ['int', 5, T.int, '<value>5</value>'],
    [
      'set of refs',
      ['OpaqueRef:a'],
      setOf(T.vmRef),
      '<value><array><data><value>OpaqueRef:a</value></data></array></value>',
    ],
    ['untyped', 'x', undefined, '<value>x</value>'],
  ])('%s', (_name, value, type, expected) => {
    expect(encodeTaskResult(value, type, lookup)).toBe(expected)
  })
})

// --- interop with a real XML-RPC client ------------------------------------------------------

const PYTHON = '/usr/bin/python3'
const PY_LOADS =
  'import sys, xmlrpc.client, json; print(json.dumps(xmlrpc.client.loads(sys.stdin.read())[0][0], default=str))'

const pythonLoads = (document: string): unknown => {
  const run = spawnSync(PYTHON, ['-c', PY_LOADS], { input: document, encoding: 'utf8', timeout: 15_000 })
  expect(run.error).toBeUndefined()
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return JSON.parse(run.stdout)
}

describe("interop: Python's xmlrpc.client parses our responses", () => {
  it.skipIf(!existsSync(PYTHON))('parses a formatXmlRpcSuccess document', () => {
    const document = formatXmlRpcSuccess(vmLike(), recordOf('VM'), lookup)
    const result = pythonLoads(document) as { Status: string; Value: Record<string, unknown> }
    expect(result.Status).toBe('Success')
    const { start_time, ...rest } = result.Value
    expect(String(start_time)).toContain('20240101T13:20:11')
    expect(rest).toEqual({
      uuid: 'u-1',
      name_label: 'a & <b> "c" \u00e9\u{1F600}',
      power_state: 'Halted',
      VCPUs_max: '4',
      memory_static_max: '8589934592',
      is_a_template: true,
      other_config: { '007': '1e3', empty: '', spaces: '  ' },
      VCPUs_utilisation: { '0': 0.5, '1': 2 },
      VBDs: ['OpaqueRef:vbd1', 'OpaqueRef:vbd2'],
      resident_on: 'OpaqueRef:NULL',
      not_in_datamodel: [1, 2.5, false, {}, [], 'crlf\r\n'],
    })
  })

  it.skipIf(!existsSync(PYTHON))('parses a formatXmlRpcFailure document', () => {
    expect(pythonLoads(formatXmlRpcFailure(['HANDLE_INVALID', 'VM', '<&>']))).toEqual({
      Status: 'Failure',
      ErrorDescription: ['HANDLE_INVALID', 'VM', '<&>'],
    })
  })
})

function vmLike(): Record<string, unknown> {
  return {
    uuid: 'u-1',
    name_label: 'a & <b> "c" \u00e9\u{1F600}',
    power_state: 'Halted',
    VCPUs_max: 4,
    memory_static_max: 2 ** 33,
    is_a_template: true,
    start_time: '20240101T13:20:11Z',
    other_config: { '007': '1e3', empty: '', spaces: '  ' },
    VCPUs_utilisation: new Map([
      [0, 0.5],
      [1, 2],
    ]),
    VBDs: ['OpaqueRef:vbd1', 'OpaqueRef:vbd2'],
    resident_on: 'OpaqueRef:NULL',
    not_in_datamodel: [1, 2.5, false, {}, [], 'crlf\r\n'],
  }
}
