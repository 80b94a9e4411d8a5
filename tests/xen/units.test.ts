/**
 * The pure parts of the Xen layer, table by table: reading xscontainer's XML, the main-IP rule, VM
 * lookup, XAPI errors → sentences, the backend choice, the docker_* parse cache, and the pool config
 * schema with its secret references.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { poolConfigSchema, resolveSecret } from '../../src/config.js'
import { UserError } from '../../src/core/errors.js'
import type { VmSummary } from '../../src/core/ports.js'
import { chooseBackend, dockerMonitor } from '../../src/xen/backend-choice.js'
import { parseDockerPs, parseDockerTop, parseXsRecord } from '../../src/xen/docker-xml.js'
import { findVm } from '../../src/xen/find-vm.js'
import { mainIp } from '../../src/xen/main-ip.js'
import { FingerprintMismatchError, normaliseFingerprint } from '../../src/xen/pinned-dispatcher.js'
import { type CachedVm, DockerXmlCache, isPlainVm, sameSummary, summarise } from '../../src/xen/vm-summary.js'
import { type ErrorContext, translateXenError } from '../../src/xen/xapi-errors.js'

const XML = '<?xml version="1.0" ?>'
const NGINX_ID = 'c81f0b54e80d2f4292debfab710c543a4b9d68e641214a2526c13cbb790a7225'
const REDIS_ID = 'ff5a6a305500119d0e0091be3aa038b59165e8b9879f03f68d7c0855c956946c'

/** One docker_ps entry as xscontainer writes it (lower-cased keys, text escaped twice). */
const nginxEntry =
  `<item><entry><id>${NGINX_ID}</id><names>nginx-front</names><image>nginx:1.25</image>` +
  `<command>/docker-entrypoint.sh nginx -g 'daemon off;'</command><created>1767214798</created>` +
  '<ports><item><IP>0.0.0.0</IP><PrivatePort>80</PrivatePort><PublicPort>8080</PublicPort><Type>tcp</Type></item>' +
  '<item><PrivatePort>443</PrivatePort><Type>tcp</Type></item></ports>' +
  '<labels><com.example.team>web &amp;amp; edge</com.example.team>' +
  '<maintainer>NGINX &amp;lt;docker-maint@nginx.com&amp;gt;</maintainer></labels>' +
  '<state>running</state><status>Up</status><container>c81f0b54e8</container></entry></item>'
const redisEntry =
  `<item><entry><id>${REDIS_ID}</id><names>redis-cache</names><image>redis:7</image>` +
  '<command>docker-entrypoint.sh redis-server</command><created>1767214798</created><ports/><labels/>' +
  '<state>exited</state><status>Exited (0)</status><container>ff5a6a3055</container></entry></item>'

const nginx = {
  id: NGINX_ID,
  key: 'c81f0b54e8',
  name: 'nginx-front',
  image: 'nginx:1.25',
  command: "/docker-entrypoint.sh nginx -g 'daemon off;'",
  state: 'running',
  status: 'Up',
  created: '1767214798',
  ports: [
    { ip: '0.0.0.0', privatePort: '80', publicPort: '8080', type: 'tcp' },
    { ip: undefined, privatePort: '443', publicPort: undefined, type: 'tcp' },
  ],
  labels: { 'com.example.team': 'web & edge', maintainer: 'NGINX <docker-maint@nginx.com>' },
}
const redis = {
  id: REDIS_ID,
  key: 'ff5a6a3055',
  name: 'redis-cache',
  image: 'redis:7',
  command: 'docker-entrypoint.sh redis-server',
  state: 'exited',
  status: 'Exited (0)',
  created: '1767214798',
  ports: [],
  labels: {},
}

describe('docker-xml: docker_ps', () => {
  it.each([
    { what: 'two containers', xml: `${XML}<docker_ps>${nginxEntry}${redisEntry}</docker_ps>`, value: [nginx, redis] },
    {
      what: 'one container (a single <item>, not a list)',
      xml: `${XML}<docker_ps>${redisEntry}</docker_ps>`,
      value: [redis],
    },
    { what: 'no container: <docker_ps/>', xml: `${XML}<docker_ps/>`, value: [] },
    { what: 'no container: <docker_ps></docker_ps>', xml: `${XML}<docker_ps></docker_ps>`, value: [] },
  ])('$what', ({ xml, value }) => {
    expect(parseDockerPs(xml)).toEqual({ ok: true, value })
  })

  it('falls back to the first 10 characters of the id when the container key is missing, and drops the / of a name', () => {
    const xml = `${XML}<docker_ps><item><entry><id>${REDIS_ID}</id><names>/redis-cache</names></entry></item></docker_ps>`
    const parsed = parseDockerPs(xml)
    expect(parsed.ok && parsed.value[0]).toMatchObject({ key: 'ff5a6a3055', name: 'redis-cache', state: '' })
  })

  it.each([
    {
      what: 'a label key that is not an XML name (XO issue 4617)',
      xml: `${XML}<docker_ps><item><entry><labels><traefik.http.routers.dashboard@internal.rule>x</traefik.http.routers.dashboard@internal.rule></labels></entry></item></docker_ps>`,
      reason: "InvalidTag: Tag 'traefik.http.routers.dashboard@internal.rule' is an invalid name. (line 1, column 100)",
    },
    {
      what: 'an unclosed element',
      xml: `${XML}<docker_ps><item><entry></docker_ps>`,
      reason:
        "InvalidTag: Expected closing tag 'entry' (opened in line 1, col 40) instead of closing tag 'docker_ps'. (line 1, column 47)",
    },
    {
      what: 'text that is not XML',
      xml: 'not xml',
      reason: "InvalidChar: char 'n' is not expected. (line 1, column 1)",
    },
    { what: 'an empty string', xml: '', reason: 'InvalidXml: Start tag expected. (line 1)' },
    { what: 'another document', xml: `${XML}<docker_info/>`, reason: 'no <docker_ps> element' },
  ])('malformed — $what — is a reason, never an exception', ({ xml, reason }) => {
    expect(parseDockerPs(xml)).toEqual({ ok: false, reason })
  })
})

describe('docker-xml: escaping and special elements', () => {
  it.each([
    { stored: 'web &amp;amp; edge', text: 'web & edge' },
    { stored: '&amp;lt;b&amp;gt;', text: '<b>' },
    { stored: '&quot;quoted&quot;', text: '"quoted"' },
    // A literal "&amp;" in the original was escaped twice too: one unescape gives it back, not "&".
    { stored: 'a &amp;amp;amp; b', text: 'a &amp; b' },
    { stored: '&amp;amp;lt;', text: '&lt;' },
    { stored: 'plain', text: 'plain' },
  ])('the double escaping is undone exactly once: $stored → $text', ({ stored, text }) => {
    expect(parseXsRecord(`${XML}<r><v>${stored}</v></r>`, 'r')).toEqual({ ok: true, value: { v: text } })
  })

  it('turns SPECIAL_XS_ENCODED_ELEMENT back into the real keys, with their content', () => {
    const xml =
      `${XML}<docker_inspect><Config><ExposedPorts><SPECIAL_XS_ENCODED_ELEMENT name="443/tcp"/>` +
      '<SPECIAL_XS_ENCODED_ELEMENT name="80/tcp"/></ExposedPorts></Config><HostConfig><PortBindings>' +
      '<SPECIAL_XS_ENCODED_ELEMENT name="80/tcp"><item><HostIp></HostIp><HostPort>8080</HostPort></item>' +
      '</SPECIAL_XS_ENCODED_ELEMENT></PortBindings></HostConfig>' +
      '<Labels><SPECIAL_XS_ENCODED_ELEMENT name="1st&amp;only">x &amp;amp; y</SPECIAL_XS_ENCODED_ELEMENT></Labels>' +
      '<Args><item>nginx</item><item>-g</item></Args><Env/></docker_inspect>'
    expect(parseXsRecord(xml, 'docker_inspect')).toEqual({
      ok: true,
      value: {
        Config: { ExposedPorts: { '443/tcp': '', '80/tcp': '' } },
        HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
        // The attribute is escaped once (minidom), its text twice.
        Labels: { '1st&only': 'x & y' },
        Args: ['nginx', '-g'],
        Env: '',
      },
    })
  })

  it('a special key named like an Object prototype member stays a plain own key', () => {
    const parsed = parseXsRecord(
      `${XML}<r><SPECIAL_XS_ENCODED_ELEMENT name="__proto__">v</SPECIAL_XS_ENCODED_ELEMENT></r>`,
      'r',
    )
    expect(parsed.ok && Object.getOwnPropertyDescriptor(parsed.value, '__proto__')?.value).toBe('v')
    expect(parsed.ok && Object.getPrototypeOf(parsed.value)).toBe(Object.prototype)
  })

  it.each([
    {
      what: 'two processes',
      xml: `${XML}<docker_top><item><Process><UID>999</UID><PID>1823</PID><CMD>redis-server *:6379</CMD></Process></item><item><Process><UID>0</UID><PID>1900</PID><CMD>sh -c &amp;amp;&amp;amp; x</CMD></Process></item></docker_top>`,
      value: {
        titles: ['UID', 'PID', 'CMD'],
        processes: [
          ['999', '1823', 'redis-server *:6379'],
          ['0', '1900', 'sh -c && x'],
        ],
      },
    },
    { what: 'none', xml: `${XML}<docker_top/>`, value: { titles: [], processes: [] } },
  ])('docker_top with $what', ({ xml, value }) => {
    expect(parseDockerTop(xml)).toEqual({ ok: true, value })
  })
})

describe('main IP (Xen Orchestra rule)', () => {
  it.each([
    { what: 'no guest metrics', networks: undefined, ip: undefined },
    { what: 'no networks', networks: {}, ip: undefined },
    { what: 'a <dev>/ip key', networks: { '0/ip': '10.0.0.1' }, ip: '10.0.0.1' },
    { what: 'a <dev>/ipv4/<n> key', networks: { '0/ipv4/0': '10.0.0.2' }, ip: '10.0.0.2' },
    {
      what: 'IPv4 wins over an IPv6 key that sorts first',
      networks: { '1/ip': '10.0.1.1', '0/ipv6/0': 'fe80::1' },
      ip: '10.0.1.1',
    },
    {
      what: 'IPv6 only: the first IPv6 key (sorted)',
      networks: { '0/ipv6/1': '2001:db8::1', '0/ipv6/0': 'fe80::1' },
      ip: 'fe80::1',
    },
    {
      what: 'keys sorted, not in insertion order',
      networks: { '1/ip': '10.0.0.11', '0/ipv4/1': '10.0.0.2', '0/ipv4/0': '10.0.0.1' },
      ip: '10.0.0.1',
    },
    {
      what: 'sorted as strings: 10/ip before 2/ip',
      networks: { '2/ip': '10.0.0.2', '10/ip': '10.0.0.10' },
      ip: '10.0.0.10',
    },
    {
      what: 'other keys are ignored',
      networks: { '0/mac': 'aa:bb', 'eth0/ip': '1.2.3.4', '0/ipv4': 'x' },
      ip: undefined,
    },
  ])('$what → $ip', ({ networks, ip }) => {
    expect(mainIp(networks)).toBe(ip)
  })
})

describe('finding a VM', () => {
  const vm = (pool: string, name: string, uuid: string): VmSummary => ({
    pool,
    uuid,
    name,
    power: 'running',
    tags: [],
    docker: { monitor: 'absent', backend: { kind: 'none', reason: '' } },
  })
  const VMS = [
    vm('lab-legacy', 'web-1', 'aaaa1111-0000-4000-8000-000000000001'),
    vm('lab-legacy', 'web-2', 'aaaa2222-0000-4000-8000-000000000002'),
    vm('lab-legacy', 'registry', 'bbbb3333-0000-4000-8000-000000000003'),
    vm('lab-legacy', 'Build', 'dddd5555-0000-4000-8000-000000000005'),
    vm('lab-legacy', 'build', 'eeee6666-0000-4000-8000-000000000006'),
    vm('lab-modern', 'web-1', 'cccc4444-0000-4000-8000-000000000004'),
    vm('lab-modern', 'web/frontend', 'ffff7777-0000-4000-8000-000000000007'),
  ]
  const show = (lookup: ReturnType<typeof findVm>) =>
    lookup.kind === 'found'
      ? `${lookup.vm.pool}/${lookup.vm.name}`
      : lookup.kind === 'ambiguous'
        ? lookup.candidates.map((c) => `${c.pool}/${c.name}`)
        : 'not-found'

  it.each([
    { query: 'registry', result: 'lab-legacy/registry' },
    { query: '  registry ', result: 'lab-legacy/registry' },
    { query: 'bbbb3333-0000-4000-8000-000000000003', result: 'lab-legacy/registry' },
    { query: 'BBBB3333-0000-4000-8000-000000000003', result: 'lab-legacy/registry' },
    { query: 'web-1', result: ['lab-legacy/web-1', 'lab-modern/web-1'] },
    { query: 'lab-modern/web-1', result: 'lab-modern/web-1' },
    { query: 'lab-legacy/web-1', result: 'lab-legacy/web-1' },
    { query: 'lab-legacy/web', result: ['lab-legacy/web-1', 'lab-legacy/web-2'] },
    { query: 'lab-modern/registry', result: 'not-found' },
    { query: 'WEB-2', result: 'lab-legacy/web-2' },
    { query: 'build', result: 'lab-legacy/build' },
    { query: 'Build', result: 'lab-legacy/Build' },
    { query: 'BUILD', result: ['lab-legacy/Build', 'lab-legacy/build'] },
    { query: 'regi', result: 'lab-legacy/registry' },
    { query: 'REGI', result: 'lab-legacy/registry' },
    { query: 'web', result: ['lab-legacy/web-1', 'lab-legacy/web-2', 'lab-modern/web-1', 'lab-modern/web/frontend'] },
    { query: 'bbbb', result: 'lab-legacy/registry' },
    { query: 'bbb', result: 'not-found' },
    { query: 'aaaa', result: ['lab-legacy/web-1', 'lab-legacy/web-2'] },
    { query: 'aaaa2', result: 'lab-legacy/web-2' },
    { query: 'web/frontend', result: 'lab-modern/web/frontend' },
    { query: 'lab-modern/web/frontend', result: 'lab-modern/web/frontend' },
    { query: 'lab-legacy/', result: 'not-found' },
    { query: '', result: 'not-found' },
    { query: '   ', result: 'not-found' },
    { query: 'nope', result: 'not-found' },
  ])('$query → $result', ({ query, result }) => {
    expect(show(findVm(VMS, query))).toEqual(result)
  })

  it('an ambiguity carries the whole candidates, pools included', () => {
    const lookup = findVm(VMS, 'web-1')
    expect(lookup.kind).toBe('ambiguous')
    if (lookup.kind !== 'ambiguous') return
    expect(lookup.candidates.map((c) => ({ pool: c.pool, uuid: c.uuid }))).toEqual([
      { pool: 'lab-legacy', uuid: 'aaaa1111-0000-4000-8000-000000000001' },
      { pool: 'lab-modern', uuid: 'cccc4444-0000-4000-8000-000000000004' },
    ])
  })
})

describe('XAPI errors → sentences', () => {
  const xapiError = (code: string, ...params: string[]) =>
    Object.assign(new Error(`${code}(${params.join(', ')})`), { code, params })
  const request = (method: string, path: string) => `Request '${method} ${path} HTTP/1.0\r\n\r\n' led to status`
  const notModified = (fn: string) =>
    `${request('POST', `/containers/redis-cache/${fn}`)} Not Modified - Container Management Error: The requested operation is currently not possible. Please try again later. (304)`
  const dockerMessage = (fn: string, status: string, message: string, code: number) =>
    `${request('POST', `/containers/redis-cache/${fn}`)} ${status} - {"message": "${message}"} (${code})`
  const ctx: ErrorContext = { pool: 'lab-legacy', vm: 'web-1', container: 'redis-cache', host: 'xs76-a' }
  const ID = 'ff5a6a305500119d0e0091be3aa038b59165e8b9879f03f68d7c0855c956946c'

  const ROWS: { code: string; params: string[]; ctx?: ErrorContext; user: string; message: string }[] = [
    {
      code: 'VM_BAD_POWER_STATE',
      params: ['OpaqueRef:1', 'halted', 'running'],
      user: 'vm.bad_power_state',
      message: 'web-1 is running; it must be halted for that',
    },
    {
      code: 'HANDLE_INVALID',
      params: ['VM', 'OpaqueRef:1'],
      user: 'xen.not_found',
      message: 'that VM no longer exists on pool lab-legacy',
    },
    {
      code: 'HANDLE_INVALID',
      params: ['VM', 'OpaqueRef:1'],
      ctx: {},
      user: 'xen.not_found',
      message: 'that VM no longer exists',
    },
    {
      code: 'UUID_INVALID',
      params: ['VM', '0000'],
      user: 'xen.not_found',
      message: 'that VM no longer exists on pool lab-legacy',
    },
    {
      code: 'SESSION_AUTHENTICATION_FAILED',
      params: ['root', 'Authentication failure'],
      user: 'xen.auth_failed',
      message: 'pool lab-legacy refused the configured credentials: check its username and password secret',
    },
    {
      code: 'SESSION_AUTHENTICATION_FAILED',
      params: ['root', 'Authentication failure'],
      ctx: {},
      user: 'xen.auth_failed',
      message: 'the pool refused the configured credentials: check its username and password secret',
    },
    { code: 'HOST_OFFLINE', params: ['OpaqueRef:h'], user: 'xen.host_offline', message: 'host xs76-a is offline' },
    {
      code: 'HOST_OFFLINE',
      params: ['OpaqueRef:h'],
      ctx: { pool: 'lab-legacy' },
      user: 'xen.host_offline',
      message: 'a host of pool lab-legacy is offline',
    },
    {
      code: 'HOST_IS_SLAVE',
      params: ['10.0.0.1'],
      user: 'xen.not_master',
      message: 'pool lab-legacy answered from a member host; its master at 10.0.0.1 is not reachable',
    },
    {
      code: 'RBAC_PERMISSION_DENIED',
      params: ['VM.start', 'No permission'],
      user: 'xen.permission_denied',
      message: 'the pool account lacks the XenServer role for that (VM.start); it needs pool-admin',
    },
    {
      code: 'XENAPI_MISSING_PLUGIN',
      params: ['xscontainer'],
      ctx: { pool: 'lab-legacy', vm: 'ldap-appliance', host: 'xs76-c' },
      user: 'docker.no_xscontainer',
      message:
        'host xs76-c has no xscontainer pack: install the supplemental pack on that host (every host of the pool needs it), or use the SSH backend',
    },
    {
      code: 'XENAPI_MISSING_PLUGIN',
      params: ['xscontainer'],
      ctx: { vm: 'ldap-appliance' },
      user: 'docker.no_xscontainer',
      message:
        'the host running ldap-appliance has no xscontainer pack: install the supplemental pack on that host (every host of the pool needs it), or use the SSH backend',
    },
    {
      code: 'OTHER_OPERATION_IN_PROGRESS',
      params: ['VM', 'OpaqueRef:1', 'clean_shutdown', 'OpaqueRef:t'],
      user: 'xen.busy',
      message: 'web-1 is busy with another operation (clean_shutdown); try again when it ends',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: ['non-zero exit', '', "XenAPI.Failure: ['UUID_INVALID', 'VM', 'x']\n"],
      user: 'vm.not_found',
      message: 'web-1 is not known to pool lab-legacy any more',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: ['start', 'XSContainerException', 'Invalid container'],
      ctx: { ...ctx, container: 'WebAPI' },
      user: 'docker.invalid_container',
      message:
        '"WebAPI" is not a container id xscontainer accepts (lower-case letters, digits, _ . - only); use the container\'s short id',
    },
    ...(
      [
        ['start', 'docker.already_running', 'redis-cache is already running'],
        ['stop', 'docker.already_stopped', 'redis-cache is already stopped'],
        ['restart', 'docker.cannot_restart', 'redis-cache cannot be restarted right now'],
        ['pause', 'docker.already_paused', 'redis-cache is already paused'],
        ['unpause', 'docker.not_paused', 'redis-cache is not paused'],
      ] as const
    ).map(([fn, user, message]) => ({
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [fn, 'XSContainerException', notModified(fn)],
      ctx: { ...ctx, action: fn },
      user,
      message,
    })),
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'start',
        'XSContainerException',
        dockerMessage('start', 'Not Found', 'No such container: redis-cache', 404),
      ],
      user: 'docker.no_such_container',
      message: 'there is no container "redis-cache" in web-1',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'start',
        'XSContainerException',
        dockerMessage('start', 'Internal Server Error', 'Multiple IDs found with provided prefix: ff', 500),
      ],
      ctx: { ...ctx, container: 'ff' },
      user: 'docker.ambiguous_container',
      message: '"ff" matches several containers in web-1: give more of its id, or its name',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'pause',
        'XSContainerException',
        dockerMessage('pause', 'Conflict', `Container ${ID} is not running`, 409),
      ],
      user: 'docker.not_running',
      message: 'redis-cache is not running',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'pause',
        'XSContainerException',
        dockerMessage('pause', 'Conflict', `Container ${ID} is already paused`, 409),
      ],
      user: 'docker.already_paused',
      message: 'redis-cache is already paused',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'pause',
        'XSContainerException',
        dockerMessage('pause', 'Conflict', `Container ${ID} is restarting, wait until the container is running`, 409),
      ],
      user: 'docker.restarting',
      message: 'redis-cache is restarting: try again once it is running',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'unpause',
        'XSContainerException',
        dockerMessage('unpause', 'Internal Server Error', `Container ${ID} is not paused`, 500),
      ],
      user: 'docker.not_paused',
      message: 'redis-cache is not paused',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'start',
        'XSContainerException',
        dockerMessage('start', 'Conflict', 'cannot start a paused container, try unpause instead', 409),
      ],
      user: 'docker.paused',
      message: 'redis-cache is paused: unpause it instead',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: ['start', 'XSContainerException', 'No valid IP found for vmuuid 1234'],
      user: 'docker.unreachable',
      message:
        'web-1 reports no IP address dom0 can reach: check that its guest tools are installed and its network is up',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'start',
        'AuthenticationException',
        'prepare_ssh_client failed to authenticate with private key on VM 1',
      ],
      user: 'docker.key_not_authorized',
      message: "the pool's xscontainer SSH key is not authorized in web-1: run /docker enable web-1 to install it",
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: ['start', 'SshException', "Command 'ncat -U /var/run/docker.sock' failed with exit status 1"],
      user: 'docker.unreachable',
      message: 'Docker is not reachable inside web-1 over SSH (is ncat installed and Docker running?)',
    },
    {
      code: 'XENAPI_PLUGIN_FAILURE',
      params: ['start', 'Failure', "['XENAPI_MISSING_PLUGIN', 'xscontainer']"],
      user: 'docker.no_xscontainer',
      message: 'the host running web-1 has no xscontainer pack: install it on that host, or use the SSH backend',
    },
    {
      // A call forwarded to the VM's host: the nested failure's text still carries Docker's answer.
      code: 'XENAPI_PLUGIN_FAILURE',
      params: [
        'start',
        'Failure',
        `['XENAPI_PLUGIN_FAILURE', 'start', 'XSContainerException', "${notModified('start')}"]`,
      ],
      ctx: { ...ctx, action: 'start' },
      user: 'docker.already_running',
      message: 'redis-cache is already running',
    },
  ]

  it.each(ROWS)('$code $params.0 → $user: $message', (row) => {
    const original = xapiError(row.code, ...row.params)
    const translated = translateXenError(original, row.ctx ?? ctx)
    expect(translated).toBeInstanceOf(UserError)
    const error = translated as UserError
    expect({ code: error.code, message: error.message }).toEqual({ code: row.user, message: row.message })
    expect(error.source).toEqual({ code: row.code, params: row.params })
    expect(error.cause).toBe(original)
  })

  it.each([
    { what: 'an unknown XAPI code', error: xapiError('INTERNAL_ERROR', 'boom') },
    { what: 'a plugin failure it has no sentence for', error: xapiError('XENAPI_PLUGIN_FAILURE', 'start', 'X', 'odd') },
    {
      what: "the plugin's INVALID_ARGUMENTS (our bug)",
      error: xapiError('XENAPI_PLUGIN_FAILURE', 'start', 'Exception', 'INVALID_ARGUMENTS'),
    },
    { what: 'a plain Error', error: new Error('socket hang up') },
    { what: 'a non-Error', error: 'text' },
  ])('leaves $what alone (a bug to log, not a user error)', ({ error }) => {
    expect(translateXenError(error, ctx)).toBe(error)
  })

  it('a connection dropped after the request went out: the outcome is unknown, and the sentence says so', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
    expect(translateXenError(socket, { ...ctx, action: 'stop' })).toMatchObject({
      code: 'xen.connection_lost',
      message:
        'the connection to pool lab-legacy dropped before it answered; the stop of redis-cache may have happened: check /docker ps web-1 before trying again',
    })
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    })
    expect(translateXenError(reset, { pool: 'lab-modern' })).toMatchObject({
      code: 'xen.connection_lost',
      message:
        'the connection to pool lab-modern dropped before it answered; what it was asked may have been done: check before trying again',
    })
    // Refused: nothing was sent, so nothing is claimed either way; it stays what it was.
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(translateXenError(refused, ctx)).toBe(refused)
  })

  it('passes a UserError through unchanged', () => {
    const error = new UserError('x.y', 'words')
    expect(translateXenError(error, ctx)).toBe(error)
  })

  it('a timeout and a fingerprint mismatch are user errors naming the pool', () => {
    const timeout = Object.assign(new Error('operation timed out'), { name: 'TimeoutError' })
    expect(translateXenError(timeout, ctx)).toMatchObject({
      code: 'xen.timeout',
      message: 'pool lab-legacy did not answer in time; it may be overloaded or unreachable',
    })
    // A container action that timed out may still take effect: the sentence says where to look first.
    expect(translateXenError(timeout, { ...ctx, action: 'restart' })).toMatchObject({
      code: 'xen.timeout',
      message:
        'pool lab-legacy did not answer in time; it may be overloaded or unreachable; the restart of redis-cache may still happen: check /docker ps web-1 before trying again',
    })
    const mismatch = new FingerprintMismatchError('aa'.repeat(32), 'bb'.repeat(32))
    expect(translateXenError(mismatch, ctx)).toMatchObject({
      code: 'xen.tls_pin_mismatch',
      message: `pool lab-legacy: the pool's TLS certificate does not match the pinned fingerprint (expected sha256 ${'aa'.repeat(32)}, got ${'bb'.repeat(32)})`,
    })
    expect((translateXenError(mismatch, {}) as Error).message).toMatch(/^the pool's TLS certificate does not match/)
  })

  it.each([
    ['AB:CD:EF', 'abcdef'],
    ['abcdef', 'abcdef'],
  ])('normalises the fingerprint %s to %s', (input, output) => {
    expect(normaliseFingerprint(input)).toBe(output)
  })
})

describe('backend choice', () => {
  it.each([
    { otherConfig: {}, monitor: 'absent', kind: 'none', reason: 'no xscontainer-monitor key and no "docker" tag' },
    {
      otherConfig: { 'xscontainer-monitor': 'True' },
      monitor: 'enabled',
      kind: 'xscontainer',
      reason: 'registered with xscontainer (xscontainer-monitor is on)',
    },
    {
      otherConfig: { 'xscontainer-monitor': 'true' },
      monitor: 'enabled',
      kind: 'xscontainer',
      reason: 'registered with xscontainer (xscontainer-monitor is on)',
    },
    {
      otherConfig: { 'xscontainer-monitor': 'False' },
      monitor: 'disabled',
      kind: 'none',
      reason: 'xscontainer monitoring is turned off for this VM (xscontainer-monitor=False)',
    },
  ] as const)('$otherConfig → $monitor, $kind', ({ otherConfig, monitor, kind, reason }) => {
    expect(dockerMonitor(otherConfig)).toBe(monitor)
    expect(chooseBackend(monitor)).toEqual({ kind, reason })
  })

  it('a VM tagged "docker" without xscontainer registration is served over SSH; registration wins', () => {
    expect(chooseBackend('absent', ['prod', 'docker'])).toEqual({
      kind: 'ssh',
      reason: 'tagged "docker": Docker is reached over SSH',
    })
    expect(chooseBackend('disabled', ['docker'])).toEqual({
      kind: 'ssh',
      reason: 'tagged "docker": Docker is reached over SSH',
    })
    expect(chooseBackend('enabled', ['docker']).kind).toBe('xscontainer')
    expect(chooseBackend('absent', ['docker-ready']).kind).toBe('none')
  })

  it('a pool configured for SSH serves its registered VMs over SSH; unmanaged VMs stay unmanaged', () => {
    expect(chooseBackend('enabled', [], 'ssh')).toEqual({
      kind: 'ssh',
      reason: 'registered with xscontainer, and the pool is configured to use SSH',
    })
    expect(chooseBackend('absent', [], 'ssh').kind).toBe('none')
  })
})

describe('VM summaries and the docker_* parse cache', () => {
  const base: CachedVm = {
    $ref: 'OpaqueRef:vm',
    uuid: 'aaaa1111-0000-4000-8000-000000000001',
    name_label: 'web-1',
    power_state: 'Running',
    resident_on: 'OpaqueRef:host',
    guest_metrics: 'OpaqueRef:gm',
    other_config: { 'xscontainer-monitor': 'True', docker_ps: `${XML}<docker_ps>${redisEntry}</docker_ps>` },
    tags: ['prod'],
    is_a_template: false,
    is_control_domain: false,
    is_a_snapshot: false,
  }

  it('summarises a cached VM', () => {
    const summary = summarise(
      'lab-legacy',
      base,
      { uuid: 'h-uuid', name_label: 'xs76-a' },
      { '0/ip': '10.0.0.1' },
      new DockerXmlCache(),
    )
    expect(summary).toEqual({
      pool: 'lab-legacy',
      uuid: base.uuid,
      name: 'web-1',
      power: 'running',
      host: { name: 'xs76-a', uuid: 'h-uuid' },
      ip: '10.0.0.1',
      tags: ['prod'],
      docker: {
        monitor: 'enabled',
        backend: { kind: 'xscontainer', reason: 'registered with xscontainer (xscontainer-monitor is on)' },
        containers: [redis],
        info: undefined,
        version: undefined,
        unreadable: undefined,
      },
    })
  })

  it('flags unreadable XML per key, keeping what parsed', () => {
    const vm = { ...base, other_config: { ...base.other_config, docker_info: `${XML}<docker_info><a b>` } }
    const { docker } = summarise('p', vm, undefined, undefined, new DockerXmlCache())
    expect(docker.containers).toEqual([redis])
    expect(docker.info).toBeUndefined()
    expect(docker.unreadable).toMatch(/^docker_info: /)
  })

  it('parses each raw document on first read, once per VM, again only when its text changes or the VM is forgotten', () => {
    const cache = new DockerXmlCache()
    const first = summarise('p', base, undefined, undefined, cache)
    expect(cache.parses).toBe(0)
    expect(first.docker.containers).toEqual([redis])
    expect(cache.parses).toBe(1)
    const renamed = summarise('p', { ...base, name_label: 'renamed', tags: [] }, undefined, undefined, cache)
    expect(renamed.docker.containers).toEqual([redis])
    expect(cache.parses).toBe(1)
    const changed = { ...base, other_config: { ...base.other_config, docker_ps: `${XML}<docker_ps/>` } }
    expect(summarise('p', changed, undefined, undefined, cache).docker.containers).toEqual([])
    expect(cache.parses).toBe(2)
    cache.forget(base.$ref)
    expect(summarise('p', changed, undefined, undefined, cache).docker.containers).toEqual([])
    expect(cache.parses).toBe(3)
  })

  it('reads as plain values: JSON, spreads and deep equality see the parsed fields', () => {
    const { docker } = summarise('p', base, undefined, undefined, new DockerXmlCache())
    const plain = {
      monitor: docker.monitor,
      backend: docker.backend,
      containers: [redis],
      info: undefined,
      version: undefined,
      unreadable: undefined,
      sshUser: undefined,
    }
    expect({ ...docker }).toEqual(plain)
    expect(JSON.parse(JSON.stringify(docker))).toEqual(JSON.parse(JSON.stringify(plain)))
    expect(Object.keys(docker)).toEqual(Object.keys(plain))
  })

  it('sameSummary compares without parsing unchanged documents, and by parse when the text differs', () => {
    const cache = new DockerXmlCache()
    const a = summarise('p', base, undefined, undefined, cache)
    const b = summarise('p', { ...base }, undefined, undefined, cache)
    expect(sameSummary(a, b)).toBe(true)
    expect(cache.parses).toBe(0)
    expect(sameSummary(a, summarise('p', { ...base, name_label: 'other' }, undefined, undefined, cache))).toBe(false)
    // Another text that parses the same (whitespace between elements) is the same summary.
    const ps = base.other_config.docker_ps ?? ''
    const spaced = { ...base, other_config: { ...base.other_config, docker_ps: ps.replace('<item>', ' <item>') } }
    expect(spaced.other_config.docker_ps).not.toBe(ps)
    expect(sameSummary(a, summarise('p', spaced, undefined, undefined, new DockerXmlCache()))).toBe(true)
    const empty = { ...base, other_config: { ...base.other_config, docker_ps: `${XML}<docker_ps/>` } }
    expect(sameSummary(a, summarise('p', empty, undefined, undefined, new DockerXmlCache()))).toBe(false)
  })

  it.each([
    { flags: {}, plain: true },
    { flags: { is_a_template: true }, plain: false },
    { flags: { is_control_domain: true }, plain: false },
    { flags: { is_a_snapshot: true }, plain: false },
  ])('isPlainVm($flags) is $plain', ({ flags, plain }) => {
    expect(isPlainVm({ ...base, ...flags })).toBe(plain)
  })
})

describe('pool config', () => {
  const valid = { name: 'lab-legacy', url: 'https://xs76.example', password: { env: 'XS_PASSWORD' } }
  const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89'

  it('fills the defaults: username root, TLS verified, Docker backend chosen per VM', () => {
    expect(poolConfigSchema.parse(valid)).toEqual({ ...valid, username: 'root', tls: 'verify', dockerBackend: 'auto' })
  })

  it('normalises a fingerprint with colons to 64 lower-case hex digits', () => {
    expect(poolConfigSchema.parse({ ...valid, tls: { fingerprint: FP } }).tls).toEqual({
      fingerprint: 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789',
    })
  })

  it.each([
    { what: 'an unknown key', input: { ...valid, passwd: 'x' }, message: /^: Unrecognized key: "passwd"$/ },
    {
      what: 'an unknown key in tls',
      input: { ...valid, tls: { fingerprint: FP, ca: 'x' } },
      message: /^tls: Unrecognized key: "ca"$/m,
    },
    { what: 'a URL without a scheme', input: { ...valid, url: 'xs76.example' }, message: /^url: Invalid URL$/ },
    { what: 'a non-HTTP URL', input: { ...valid, url: 'ftp://xs76.example' }, message: /^url: Invalid URL$/ },
    { what: 'an inline password', input: { ...valid, password: 'hunter2' }, message: /^password: / },
    {
      what: 'a lower-case env name',
      input: { ...valid, password: { env: 'xs_pw' } },
      message: /^password\.env: an environment variable name$/m,
    },
    {
      what: 'a secret ref with two kinds',
      input: { ...valid, password: { env: 'A', file: '/x' } },
      message: /^password: /,
    },
    {
      what: 'a name with a space',
      input: { ...valid, name: 'lab legacy' },
      message: /^name: letters, digits, \. _ - \(it appears in commands\)$/,
    },
    {
      what: 'a short fingerprint',
      input: { ...valid, tls: { fingerprint: 'ab:cd' } },
      message: /^tls\.fingerprint: a SHA-256 fingerprint: 64 hex digits, colons allowed$/m,
    },
    {
      what: 'a non-hex fingerprint',
      input: { ...valid, tls: { fingerprint: 'zz'.repeat(32) } },
      message: /^tls\.fingerprint: a SHA-256 fingerprint: 64 hex digits, colons allowed$/m,
    },
    { what: 'an unknown TLS mode', input: { ...valid, tls: 'none' }, message: /^tls: / },
    {
      what: 'a pin on a plain-HTTP URL',
      input: { ...valid, url: 'http://xs76.example', tls: { fingerprint: FP } },
      message: /^tls: a pinned fingerprint needs an https:\/\/ URL \(plain HTTP has no certificate to pin\)$/,
    },
  ])('rejects $what', ({ input, message }) => {
    const result = poolConfigSchema.safeParse(input)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(message)
  })

  it.each(['insecure', 'verify'] as const)('accepts tls: %s', (tls) => {
    expect(poolConfigSchema.parse({ ...valid, tls }).tls).toBe(tls)
  })
})

describe('secret references', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xen-secrets-'))
  const file = (name: string, content: string) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }

  it('reads an environment variable', () => {
    expect(resolveSecret({ env: 'XS_PASSWORD' }, { XS_PASSWORD: 'hunter2' })).toBe('hunter2')
  })

  it.each([
    { what: 'missing', env: { OTHER: 'hunter2' } },
    { what: 'empty', env: { XS_PASSWORD: '', OTHER: 'hunter2' } },
  ])('an $what variable is named in the error, and no value appears', ({ env }) => {
    let message = ''
    try {
      resolveSecret({ env: 'XS_PASSWORD' }, env)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toBe('environment variable XS_PASSWORD is not set')
    expect(message).not.toContain('hunter2')
  })

  it.each([
    { content: 's3cret\n', value: 's3cret' },
    { content: 's3cret\r\n', value: 's3cret' },
    { content: 's3cret', value: 's3cret' },
    { content: 's3cret\n\n', value: 's3cret\n' },
    { content: ' spaced s3cret \n', value: ' spaced s3cret ' },
  ])('reads a file, stripping one trailing newline: $content', ({ content, value }) => {
    expect(resolveSecret({ file: file('pw', content) })).toBe(value)
  })

  it('a missing file is named with its error code; an empty one is refused', () => {
    const missing = join(dir, 'nope')
    expect(() => resolveSecret({ file: missing })).toThrow(`cannot read secret file ${missing}: ENOENT`)
    const empty = file('empty', '\n')
    expect(() => resolveSecret({ file: empty })).toThrow(`secret file ${empty} is empty`)
  })
})
