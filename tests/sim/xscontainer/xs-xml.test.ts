/**
 * xscontainer's XML encoding (`util.converttoxml`, xscontainer.md §2.4) and the docker_ps document
 * built on it (§2.5), as pure functions: minidom's output shape, the double escaping, the
 * SPECIAL_XS_ENCODED_ELEMENT workaround and the malformed XML other key characters give (XO #4617).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { dockerPsEntry, dockerPsXml, patchStatus } from '../../../src/sim/xscontainer/docker-ps.js'
import { convertToXml, type PyValue, pyStr } from '../../../src/sim/xscontainer/xs-xml.js'

const HEADER = '<?xml version="1.0" ?>'

/** XO's parseXml (§5.3): declaration ignored, every value a string, attributes under their own names. */
const xo = new XMLParser({
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
})

describe('convertToXml', () => {
  it.each<{ name: string; value: PyValue; xml: string }>([
    { name: 'an empty dict, self-closing', value: {}, xml: '<r/>' },
    { name: 'an empty list, self-closing', value: [], xml: '<r/>' },
    { name: 'a dict, one element per key, no whitespace', value: { a: '1', b: 'x' }, xml: '<r><a>1</a><b>x</b></r>' },
    { name: 'a list, each element in <item>', value: ['a', 'b'], xml: '<r><item>a</item><item>b</item></r>' },
    {
      name: 'nested lists (DriverStatus)',
      value: {
        DriverStatus: [
          ['Backing Filesystem', 'extfs'],
          ['Supports d_type', 'true'],
        ],
      },
      xml: '<r><DriverStatus><item><item>Backing Filesystem</item><item>extfs</item></item><item><item>Supports d_type</item><item>true</item></item></DriverStatus></r>',
    },
    { name: 'empty list and dict values', value: { ports: [], labels: {} }, xml: '<r><ports/><labels/></r>' },
    { name: 'an empty string is an empty text node', value: { k: '' }, xml: '<r><k></k></r>' },
    { name: 'an empty string in a list', value: [''], xml: '<r><item></item></r>' },
    { name: 'an empty string as the whole value', value: '', xml: '<r></r>' },
    { name: 'a list of empty containers', value: [[], {}], xml: '<r><item/><item/></r>' },
    {
      name: "Python's str() of scalars",
      value: { t: true, f: false, n: null, u: undefined, i: 42, neg: -7, z: 0, big: 4125007872, x: 1.5 },
      xml: '<r><t>True</t><f>False</f><n>None</n><u>None</u><i>42</i><neg>-7</neg><z>0</z><big>4125007872</big><x>1.5</x></r>',
    },
  ])('encodes $name', ({ value, xml }) => {
    expect(convertToXml('r', value)).toBe(`${HEADER}${xml}`)
  })

  it('starts with the minidom declaration and has no newline anywhere', () => {
    const out = convertToXml('docker_info', { Name: 'web-1', Labels: [], Plugins: { Volume: ['local'] } })
    expect(out).toBe(
      '<?xml version="1.0" ?><docker_info><Name>web-1</Name><Labels/><Plugins><Volume><item>local</item></Volume></Plugins></docker_info>',
    )
    expect(out).not.toMatch(/\n/)
  })

  // saxutils.escape (& < >), then minidom's text escaping (& < " >): twice for & < >, once for ".
  it.each([
    { text: 'a & b', xml: 'a &amp;amp; b' },
    { text: '<b>', xml: '&amp;lt;b&amp;gt;' },
    { text: 'say "hi"', xml: 'say &quot;hi&quot;' },
    { text: "it's", xml: "it's" },
    { text: '&amp;', xml: '&amp;amp;amp;' },
    { text: "nginx -g 'daemon off;' && echo", xml: "nginx -g 'daemon off;' &amp;amp;&amp;amp; echo" },
  ])('escapes the text $text twice', ({ text, xml }) => {
    expect(convertToXml('v', text)).toBe(`${HEADER}<v>${xml}</v>`)
  })

  it('gives back the original text after two XML decodings (a parse, then one more)', () => {
    const original = `a & b <c> "d" 'e'`
    const once = xo.parse(convertToXml('v', { t: original })).v.t as string
    expect(once).toBe(`a &amp; b &lt;c&gt; "d" 'e'`)
    const twice = xo.parse(`<x>${once}</x>`).x as string
    expect(twice).toBe(original)
  })

  // Keys minidom cannot take as element names (§2.4): start with a digit, contain '/', start with
  // . : ! ? or with xml in any case.
  it.each(['80/tcp', '0', '9lives', 'a/b', '/', '.hidden', ':x', '!x', '?x', 'xml', 'XML', 'xmlns', 'XmL-thing'])(
    'puts the key %j in a SPECIAL_XS_ENCODED_ELEMENT with a name attribute',
    (key) => {
      expect(convertToXml('r', { [key]: 'v' })).toBe(
        `${HEADER}<r><SPECIAL_XS_ENCODED_ELEMENT name="${key}">v</SPECIAL_XS_ENCODED_ELEMENT></r>`,
      )
      expect(convertToXml('r', { [key]: {} })).toBe(`${HEADER}<r><SPECIAL_XS_ENCODED_ELEMENT name="${key}"/></r>`)
    },
  )

  it.each(['a', 'Xm', 'axml', 'a.b', 'a:b', 'a-b', '_a', 'com.example.vendor', 'a1'])(
    'writes the key %j as a plain element',
    (key) => {
      expect(convertToXml('r', { [key]: 'v' })).toBe(`${HEADER}<r><${key}>v</${key}></r>`)
    },
  )

  it('escapes the name attribute once (minidom), not twice', () => {
    expect(convertToXml('r', { '1&2"<3>': 'v' })).toBe(
      `${HEADER}<r><SPECIAL_XS_ENCODED_ELEMENT name="1&amp;2&quot;&lt;3&gt;">v</SPECIAL_XS_ENCODED_ELEMENT></r>`,
    )
    const parsed = xo.parse(convertToXml('r', { '1&2"<3>': 'v', '80/tcp': {} })).r.SPECIAL_XS_ENCODED_ELEMENT
    expect(parsed.map((e: { name: string }) => e.name)).toEqual(['1&2"<3>', '80/tcp'])
  })

  it('gives ExposedPorts the shape get_inspect stores', () => {
    const out = convertToXml('docker_inspect', { Config: { ExposedPorts: { '80/tcp': {}, '443/tcp': {} } } })
    expect(out).toBe(
      '<?xml version="1.0" ?><docker_inspect><Config><ExposedPorts><SPECIAL_XS_ENCODED_ELEMENT name="80/tcp"/><SPECIAL_XS_ENCODED_ELEMENT name="443/tcp"/></ExposedPorts></Config></docker_inspect>',
    )
    expect(XMLValidator.validate(out)).toBe(true)
  })

  // Any other character outside XML names is written as is: malformed XML (XO issue #4617).
  it.each(['traefik.http.routers.dashboard@internal.rule', 'a b', 'a=b', '-x', 'a(b)', 'a,b', 'a+b'])(
    'writes the key %j unencoded, which an XML validator rejects',
    (key) => {
      const out = convertToXml('labels', { [key]: 'v' })
      expect(out).toBe(`${HEADER}<labels><${key}>v</${key}></labels>`)
      expect(XMLValidator.validate(out)).not.toBe(true)
    },
  )

  it('produces documents an XML validator accepts when every key is simple or encoded', () => {
    const out = convertToXml('docker_ps', [
      { entry: { names: 'web', labels: { 'com.example.vendor': 'A & B' }, ports: [], '80/tcp': null } },
    ])
    expect(XMLValidator.validate(out)).toBe(true)
  })

  it('pyStr follows Python 2 str()', () => {
    expect([pyStr(true), pyStr(false), pyStr(null), pyStr(undefined), pyStr(3), pyStr(0.25), pyStr('s')]).toEqual([
      'True',
      'False',
      'None',
      'None',
      '3',
      '0.25',
      's',
    ])
  })
})

describe('docker_ps', () => {
  const ID = '8dfafdbc3a40aa11a1e6b5f1c7a5b3e2d1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6'
  const ID2 = 'ff5a6a305500119d0e0091be3aa038b59165e8b9879f03f68d7c0855c956946c'
  /** A Docker `GET /containers/json?all=1&size=1` entry (API 1.41 field order). */
  const summary = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    Id: ID,
    Names: ['/web'],
    Image: 'nginx:latest',
    ImageID: 'sha256:d745',
    Command: "nginx -g 'daemon off;' && echo",
    Created: 1367854155,
    Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
    SizeRw: 12288,
    SizeRootFs: 0,
    Labels: { 'com.example.vendor': 'Acme' },
    State: 'running',
    Status: 'Up 3 hours',
    HostConfig: { NetworkMode: 'default' },
    Mounts: [],
    ...over,
  })

  it.each([
    ['Up 3 hours', 'Up'],
    ['Up Less than a second', 'Up'],
    ['Up 2 minutes (Paused)', 'Up (Paused)'],
    ['Up 24 hours (Paused)', 'Up (Paused)'],
    ['Up 5 seconds (healthy)', 'Up'],
    ['Exited (137) 5 minutes ago', 'Exited (137)'],
    ['Exited (0) About a minute ago', 'Exited (0)'],
    ['Exited (255) 2 weeks ago', 'Exited (255)'],
    ['Restarting (1) 2 seconds ago', 'Restarting (1) 2 seconds ago'],
    ['Created', 'Created'],
    ['Removal In Progress', 'Removal In Progress'],
    ['Dead', 'Dead'],
    ['', ''],
  ])('normalises the status %j to %j', (status, expected) => {
    expect(patchStatus(status)).toBe(expected)
  })

  it('builds the entry dict: first name without /, 10-char container, patched status, lower-cased top-level keys', () => {
    const entry = dockerPsEntry(summary({ Names: ['/web', '/other/alias'], Labels: { 'Com.Example.Vendor': 'Acme' } }))
    expect(entry).toEqual({
      id: ID,
      names: 'web',
      image: 'nginx:latest',
      imageid: 'sha256:d745',
      command: "nginx -g 'daemon off;' && echo",
      created: 1367854155,
      ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
      sizerw: 12288,
      sizerootfs: 0,
      labels: { 'Com.Example.Vendor': 'Acme' },
      state: 'running',
      status: 'Up',
      hostconfig: { NetworkMode: 'default' },
      mounts: [],
      container: '8dfafdbc3a',
    })
  })

  it('encodes the list as <docker_ps><item><entry>…, nested keys keeping Docker case', () => {
    expect(
      dockerPsXml([
        summary(),
        summary({ Id: ID2, Names: ['/job'], State: 'exited', Status: 'Exited (137) 5 minutes ago', Ports: [] }),
      ]),
    ).toBe(
      '<?xml version="1.0" ?><docker_ps>' +
        `<item><entry><id>${ID}</id><names>web</names><image>nginx:latest</image><imageid>sha256:d745</imageid>` +
        "<command>nginx -g 'daemon off;' &amp;amp;&amp;amp; echo</command><created>1367854155</created>" +
        '<ports><item><IP>0.0.0.0</IP><PrivatePort>80</PrivatePort><PublicPort>8080</PublicPort><Type>tcp</Type></item></ports>' +
        '<sizerw>12288</sizerw><sizerootfs>0</sizerootfs><labels><com.example.vendor>Acme</com.example.vendor></labels>' +
        '<state>running</state><status>Up</status><hostconfig><NetworkMode>default</NetworkMode></hostconfig><mounts/>' +
        '<container>8dfafdbc3a</container></entry></item>' +
        `<item><entry><id>${ID2}</id><names>job</names><image>nginx:latest</image><imageid>sha256:d745</imageid>` +
        "<command>nginx -g 'daemon off;' &amp;amp;&amp;amp; echo</command><created>1367854155</created><ports/>" +
        '<sizerw>12288</sizerw><sizerootfs>0</sizerootfs><labels><com.example.vendor>Acme</com.example.vendor></labels>' +
        '<state>exited</state><status>Exited (137)</status><hostconfig><NetworkMode>default</NetworkMode></hostconfig><mounts/>' +
        '<container>ff5a6a3055</container></entry></item></docker_ps>',
    )
  })

  it('encodes an empty container list as a self-closing docker_ps', () => {
    expect(dockerPsXml([])).toBe('<?xml version="1.0" ?><docker_ps/>')
    // XO reads that as '' and shows "No containers".
    expect(xo.parse(dockerPsXml([])).docker_ps).toBe('')
  })

  it('parses as XO parses it: one container is an object, values are strings, & comes back after two decodings', () => {
    const parsed = xo.parse(dockerPsXml([summary()])).docker_ps
    const entry = parsed.item.entry
    expect(entry.names).toBe('web')
    expect(entry.container).toBe('8dfafdbc3a')
    expect(entry.status).toBe('Up')
    expect(entry.created).toBe('1367854155')
    expect(entry.ports.item).toEqual({ IP: '0.0.0.0', PrivatePort: '80', PublicPort: '8080', Type: 'tcp' })
    expect(entry.command).toBe("nginx -g 'daemon off;' &amp;&amp; echo")
    expect(xo.parse(`<c>${entry.command}</c>`).c).toBe("nginx -g 'daemon off;' && echo")
  })

  it('is malformed when a label key holds characters XML names cannot (Traefik, XO #4617)', () => {
    const traefik = summary({
      Labels: { 'traefik.enable': 'true', 'traefik.http.routers.dashboard@internal.rule': 'Host(`t.example.com`)' },
    })
    const out = dockerPsXml([traefik])
    expect(out).toContain(
      '<traefik.http.routers.dashboard@internal.rule>Host(`t.example.com`)</traefik.http.routers.dashboard@internal.rule>',
    )
    expect(XMLValidator.validate(out)).toMatchObject({ err: { code: 'InvalidTag' } })
    expect(XMLValidator.validate(dockerPsXml([summary()]))).toBe(true)
  })
})
