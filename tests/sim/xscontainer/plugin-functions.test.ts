/**
 * The xscontainer plugin's function table as a XAPI client sees it over JSON-RPC
 * (`host.call_plugin(session, host, 'xscontainer', fn, args)`, xscontainer.md §1): the exact success
 * strings, Docker failures turned into XSContainerException texts and XAPI messages, argument and
 * container-id checks, the dev-mode refusal, how dom0 fails to reach a guest, and forwarding between
 * pool members. Everything runs against the demo scenario's lab-legacy pool on a ManualClock.
 */
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import type { DockerDaemon } from '../../../src/sim/docker/docker-daemon.js'
import { call, errorOf, login, ManualClock, startSim } from '../../helpers/sim.js'

type Args = Record<string, string>

/** XO's parseXml options (§5.3), attributes kept under their own names. */
const xml = new XMLParser({
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
})

const NOT_MODIFIED_TEXT = 'The requested operation is currently not possible. Please try again later. (304)'
const DEV_MODE = 'ERROR: This call is only enabled when in dev mode.'
const requestText = (method: 'GET' | 'POST', path: string) =>
  `Request '${method} ${path} HTTP/1.0\r\n\r\n' led to status`

async function legacy() {
  const sim = await startSim({ scenario: 'demo', clock: new ManualClock() })
  const { url, pool } = sim.pool('lab-legacy')
  const session = await login(sim, 'lab-legacy')
  const hostRef = (name: string) => pool.store.find('host', (r) => r.name_label === name)[0] ?? expect.fail(name)
  const hosts = { a: hostRef('xs76-a'), b: hostRef('xs76-b'), c: hostRef('xs76-c') }
  const vm = (name: string) => {
    const ref = pool.store.find('VM', (r) => r.name_label === name)[0] ?? expect.fail(`no VM ${name}`)
    return { ref, uuid: String(pool.store.get('VM', ref).uuid) }
  }
  const rpc = <T = unknown>(method: string, ...params: unknown[]) => call<T>(url, method, session, ...params)
  return {
    sim,
    url,
    pool,
    session,
    hosts,
    vm,
    rpc,
    /** host.call_plugin on xs76-a (the master) unless another host is given. */
    plugin: (fn: string, args: Args, host = hosts.a) =>
      call<string>(url, 'host.call_plugin', session, host, 'xscontainer', fn, args),
    daemon: (name: string): DockerDaemon =>
      pool.guests.get(vm(name).ref)?.docker ?? expect.fail(`no daemon in ${name}`),
    otherConfig: (name: string) => rpc<Record<string, string>>('VM.get_other_config', vm(name).ref),
    messages: async () => Object.values(await rpc<Record<string, Record<string, unknown>>>('message.get_all_records')),
  }
}

const elapsed = async <T>(promise: Promise<T>): Promise<{ ms: number; value: T }> => {
  const start = performance.now()
  const value = await promise
  return { ms: performance.now() - start, value }
}

function psEntries(dockerPs: string | undefined): Record<string, string>[] {
  const parsed = xml.parse(dockerPs ?? expect.fail('no docker_ps')) as { docker_ps: { item: unknown } | '' }
  if (parsed.docker_ps === '') return []
  const items = parsed.docker_ps.item
  return (Array.isArray(items) ? items : [items]).map((i) => (i as { entry: Record<string, string> }).entry)
}

describe('lifecycle functions', () => {
  const SUCCESS = [
    { fn: 'start', container: 'nightly-report', before: 'exited', after: 'running' },
    { fn: 'stop', container: 'redis-cache', before: 'running', after: 'exited' },
    { fn: 'restart', container: 'nginx-front', before: 'running', after: 'running' },
    { fn: 'pause', container: 'redis-cache', before: 'running', after: 'paused' },
    { fn: 'unpause', container: 'image-resizer', before: 'paused', after: 'running' },
  ] as const

  it.each(SUCCESS)('$fn $container answers exactly True and changes the container ($before → $after)', async (row) => {
    const t = await legacy()
    const daemon = t.daemon('web-1')
    const before = daemon.inspect(row.container).State
    expect(before.Status).toBe(row.before)

    expect(await t.plugin(row.fn, { vmuuid: t.vm('web-1').uuid, container: row.container })).toBe('True')

    const after = daemon.inspect(row.container).State
    expect(after.Status).toBe(row.after)
    if (row.fn === 'restart') expect(after.StartedAt).not.toBe(before.StartedAt)
    expect(await t.messages()).toEqual([])
  })

  it('accepts the 10-character short id XO passes, which works for a container whose name has upper case', async () => {
    const t = await legacy()
    const daemon = t.daemon('web-1')
    const shortId = daemon.inspect('WebAPI').Id.slice(0, 10)
    expect(shortId).toMatch(/^[0-9a-f]{10}$/)

    expect(await t.plugin('stop', { vmuuid: t.vm('web-1').uuid, container: shortId })).toBe('True')
    expect(daemon.inspect('WebAPI').State.Status).toBe('exited')
    expect(await t.plugin('start', { vmuuid: t.vm('web-1').uuid, container: shortId })).toBe('True')
    expect(daemon.inspect('WebAPI').State.Status).toBe('running')
  })

  // Failures of POST calls: the exception text, and a XAPI message whose name is the title.
  const FAILURES: {
    fn: string
    container: string
    reason: string
    title: string
    body: (id: string) => string
  }[] = [
    {
      fn: 'start',
      container: 'nginx-front',
      reason: 'Not Modified',
      title: 'Container Management Error',
      body: () => NOT_MODIFIED_TEXT,
    },
    {
      fn: 'stop',
      container: 'nightly-report',
      reason: 'Not Modified',
      title: 'Container Management Error',
      body: () => NOT_MODIFIED_TEXT,
    },
    {
      fn: 'start',
      container: 'image-resizer',
      reason: 'Conflict',
      title: '{"message"',
      body: () => '"cannot start a paused container, try unpause instead"} (409)',
    },
    {
      fn: 'pause',
      container: 'nightly-report',
      reason: 'Conflict',
      title: '{"message"',
      body: (id) => `"Container ${id} is not running"} (409)`,
    },
    {
      fn: 'pause',
      container: 'image-resizer',
      reason: 'Conflict',
      title: '{"message"',
      body: (id) => `"Container ${id} is already paused"} (409)`,
    },
    // [UNVERIFIED] (§7.6.4) 409 or 500 depending on the Docker version: the daemon model answers 500
    // as Docker 20.10's unpause.go does (a bare fmt.Errorf).
    {
      fn: 'unpause',
      container: 'nginx-front',
      reason: 'Internal Server Error',
      title: '{"message"',
      body: (id) => `"Container ${id} is not paused"} (500)`,
    },
    // Docker's JSON body is split at its first ':', so the title is `{"message"` (§1.3). The body is
    // stripped (`body.strip()`), so the newline Docker's encoder writes does not reach the text.
    ...['start', 'stop', 'restart', 'pause', 'unpause'].map((fn) => ({
      fn,
      container: 'nosuch',
      reason: 'Not Found',
      title: '{"message"',
      body: () => '"No such container: nosuch"} (404)',
    })),
  ]

  it.each(FAILURES)('$fn $container fails with $reason and creates a message', async (row) => {
    const t = await legacy()
    const web1 = t.vm('web-1')
    const id = row.container === 'nosuch' ? 'nosuch' : t.daemon('web-1').inspect(row.container).Id
    const body = row.body(id)

    expect(await errorOf(t.plugin(row.fn, { vmuuid: web1.uuid, container: row.container }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      row.fn,
      'XSContainerException',
      `${requestText('POST', `/containers/${row.container}/${row.fn}`)} ${row.reason} - ${row.title}: ${body}`,
    ])
    const messages = await t.messages()
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ name: row.title, priority: 3, cls: 'VM', obj_uuid: web1.uuid, body })
  })

  it('gives the exact issue-#37 text for a start of a running container', async () => {
    const t = await legacy()
    const [, , , text] = await errorOf(t.plugin('start', { vmuuid: t.vm('web-1').uuid, container: 'nginx-front' }))
    expect(text).toBe(
      "Request 'POST /containers/nginx-front/start HTTP/1.0\r\n\r\n' led to status Not Modified - Container Management Error: The requested operation is currently not possible. Please try again later. (304)",
    )
  })
})

describe('pause and unpause refresh docker_ps synchronously', () => {
  it('shows Up (Paused) in docker_ps as soon as pause answers, and Up after unpause', async () => {
    const t = await legacy()
    const uuid = t.vm('web-1').uuid
    const status = async () =>
      psEntries((await t.otherConfig('web-1')).docker_ps).find((e) => e.names === 'redis-cache')?.status

    expect(await status()).toBe('Up')
    expect(await t.plugin('pause', { vmuuid: uuid, container: 'redis-cache' })).toBe('True')
    expect(await status()).toBe('Up (Paused)')
    expect(await t.plugin('unpause', { vmuuid: uuid, container: 'redis-cache' })).toBe('True')
    expect(await status()).toBe('Up')
  })

  it('refreshes by itself without the monitor, only when the key exists, and only for pause / unpause', async () => {
    const t = await legacy()
    const web1 = t.vm('web-1')
    // Stop xs76-a's monitor so that only the plugin writes docker_ps (stopping it wipes the keys).
    t.pool.xscontainer?.monitor(t.hosts.a)?.stop()
    expect(await t.otherConfig('web-1')).not.toHaveProperty('docker_ps')
    const stale = '<?xml version="1.0" ?><docker_ps/>'
    await t.rpc('VM.add_to_other_config', web1.ref, 'docker_ps', stale)

    // stop does not refresh.
    expect(await t.plugin('stop', { vmuuid: web1.uuid, container: 'nginx-front' })).toBe('True')
    expect((await t.otherConfig('web-1')).docker_ps).toBe(stale)

    expect(await t.plugin('pause', { vmuuid: web1.uuid, container: 'redis-cache' })).toBe('True')
    const entries = psEntries((await t.otherConfig('web-1')).docker_ps)
    expect(entries.map((e) => [e.names, e.status]).sort()).toEqual([
      ['WebAPI', 'Up'],
      ['image-resizer', 'Up (Paused)'],
      ['nginx-front', 'Exited (0)'],
      ['nightly-report', 'Exited (0)'],
      ['redis-cache', 'Up (Paused)'],
    ])

    // Without the key, unpause writes nothing.
    await t.rpc('VM.remove_from_other_config', web1.ref, 'docker_ps')
    expect(await t.plugin('unpause', { vmuuid: web1.uuid, container: 'redis-cache' })).toBe('True')
    expect(await t.otherConfig('web-1')).not.toHaveProperty('docker_ps')
  })
})

describe('info functions', () => {
  it('get_inspect answers True + the docker_inspect XML, ExposedPorts keys as SPECIAL_XS_ENCODED_ELEMENT', async () => {
    const t = await legacy()
    const result = await t.plugin('get_inspect', { vmuuid: t.vm('web-1').uuid, object: 'nginx-front' })

    expect(result.startsWith('True<?xml version="1.0" ?><docker_inspect><Id>')).toBe(true)
    expect(result.endsWith('</docker_inspect>')).toBe(true)
    const exposed = /<ExposedPorts>(.*?)<\/ExposedPorts>/.exec(result)?.[1]
    expect(exposed).toContain('<SPECIAL_XS_ENCODED_ELEMENT name="80/tcp"/>')
    expect(exposed).toContain('<SPECIAL_XS_ENCODED_ELEMENT name="443/tcp"/>')
    // Label text is escaped twice (§2.4).
    expect(result).toContain('<com.example.team>web &amp;amp; edge</com.example.team>')

    const inspect = (xml.parse(result.slice(4)) as { docker_inspect: Record<string, Record<string, unknown>> })
      .docker_inspect
    expect(inspect.Id).toBe(t.daemon('web-1').inspect('nginx-front').Id)
    expect(inspect.Name).toBe('/nginx-front')
    expect(inspect.State?.Running).toBe('True')
    const special = inspect.Config?.ExposedPorts as { SPECIAL_XS_ENCODED_ELEMENT: { name: string }[] }
    expect(special.SPECIAL_XS_ENCODED_ELEMENT.map((e) => e.name).sort()).toEqual(['443/tcp', '80/tcp'])
  })

  it('get_top answers True + docker_top, one <item><Process> per process with the Titles as elements', async () => {
    const t = await legacy()
    const top = t.daemon('web-1').top('nginx-front')
    expect(top.Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'])
    expect(top.Processes.length).toBeGreaterThan(1)
    // No text here needs escaping, so the expected XML can be spelled out.
    expect(top.Processes.flat().some((cell) => /[&<>"]/.test(cell))).toBe(false)
    const expected =
      'True<?xml version="1.0" ?><docker_top>' +
      top.Processes.map(
        (row) =>
          `<item><Process>${top.Titles.map((title, i) => `<${title}>${row[i]}</${title}>`).join('')}</Process></item>`,
      ).join('') +
      '</docker_top>'

    const result = await t.plugin('get_top', { vmuuid: t.vm('web-1').uuid, object: 'nginx-front' })
    expect(result.startsWith('True<?xml version="1.0" ?><docker_top><item><Process><UID>')).toBe(true)
    expect(result).toBe(expected)
  })

  // GET failures raise the same exception but create no XAPI message (message_error is for POST only).
  const GET_FAILURES = [
    { fn: 'get_inspect', object: 'nosuch', path: '/containers/nosuch/json', reason: 'Not Found', status: 404 },
    { fn: 'get_top', object: 'nosuch', path: '/containers/nosuch/top', reason: 'Not Found', status: 404 },
    {
      fn: 'get_top',
      object: 'nightly-report',
      path: '/containers/nightly-report/top',
      reason: 'Conflict',
      status: 409,
    },
  ]

  it.each(GET_FAILURES)('$fn $object fails with $status and creates no message', async (row) => {
    const t = await legacy()
    const text =
      row.status === 404
        ? '"No such container: nosuch"}'
        : `"Container ${t.daemon('web-1').inspect('nightly-report').Id} is not running"}`

    expect(await errorOf(t.plugin(row.fn, { vmuuid: t.vm('web-1').uuid, object: row.object }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      row.fn,
      'XSContainerException',
      `${requestText('GET', row.path)} ${row.reason} - {"message": ${text} (${row.status})`,
    ])
    expect(await t.messages()).toEqual([])
  })
})

describe('registration', () => {
  it('deregister answers TrueNone, sets xscontainer-monitor False and removes the docker_* keys', async () => {
    const t = await legacy()
    expect(Object.keys(await t.otherConfig('web-1')).sort()).toEqual([
      'docker_info',
      'docker_ps',
      'docker_version',
      'xscontainer-monitor',
    ])

    expect(await t.plugin('deregister', { vmuuid: t.vm('web-1').uuid })).toBe('TrueNone')
    expect(await t.otherConfig('web-1')).toEqual({ 'xscontainer-monitor': 'False' })
  })

  it('register answers TrueNone and sets xscontainer-monitor True, with or without the key before', async () => {
    const t = await legacy()
    const db = t.vm('legacy-db')
    await t.rpc('VM.remove_from_other_config', db.ref, 'xscontainer-monitor')
    expect(await t.otherConfig('legacy-db')).toEqual({})

    expect(await t.plugin('register', { vmuuid: db.uuid })).toBe('TrueNone')
    expect(await t.otherConfig('legacy-db')).toEqual({ 'xscontainer-monitor': 'True' })

    expect(await t.plugin('deregister', { vmuuid: t.vm('web-1').uuid })).toBe('TrueNone')
    expect(await t.plugin('register', { vmuuid: t.vm('web-1').uuid })).toBe('TrueNone')
    expect((await t.otherConfig('web-1'))['xscontainer-monitor']).toBe('True')
  })
})

describe('argument checks', () => {
  const FULL_ARGS = (t: Awaited<ReturnType<typeof legacy>>): Record<string, Args> => {
    const web1 = t.vm('web-1').uuid
    const sr = String(t.pool.store.get('SR', t.pool.store.find('SR', (r) => r.name_label === 'Local storage')[0]).uuid)
    const vdi = String(
      t.pool.store.get('VDI', t.pool.store.find('VDI', (r) => r.name_label === 'web-1 disk 0')[0]).uuid,
    )
    return {
      start: { vmuuid: web1, container: 'nightly-report' },
      stop: { vmuuid: web1, container: 'nginx-front' },
      restart: { vmuuid: web1, container: 'nginx-front' },
      pause: { vmuuid: web1, container: 'nginx-front' },
      unpause: { vmuuid: web1, container: 'image-resizer' },
      get_inspect: { vmuuid: web1, object: 'nginx-front' },
      get_top: { vmuuid: web1, object: 'nginx-front' },
      register: { vmuuid: web1 },
      deregister: { vmuuid: web1 },
      get_config_drive_default: { templateuuid: '' },
      create_config_drive: { vmuuid: web1, sruuid: sr, configuration: '#cloud-config' },
      get_config_drive_configuration: { vdiuuid: vdi },
    }
  }

  it('answers INVALID_ARGUMENTS for each required argument of each function when it is missing', async () => {
    const t = await legacy()
    const table = FULL_ARGS(t)
    expect(Object.keys(table)).toHaveLength(12)
    for (const [fn, args] of Object.entries(table)) {
      for (const missing of Object.keys(args)) {
        const { [missing]: _gone, ...rest } = args
        expect(await errorOf(t.plugin(fn, rest)), `${fn} without ${missing}`).toEqual([
          'XENAPI_PLUGIN_FAILURE',
          fn,
          'Exception',
          'INVALID_ARGUMENTS',
        ])
      }
    }
    // Nothing ran: no state change, no message.
    expect(await t.messages()).toEqual([])
    expect(t.daemon('web-1').inspect('nightly-report').State.Status).toBe('exited')
  })

  it('wants `object`, not `container`, for get_inspect and get_top', async () => {
    const t = await legacy()
    for (const fn of ['get_inspect', 'get_top']) {
      expect(await errorOf(t.plugin(fn, { vmuuid: t.vm('web-1').uuid, container: 'nginx-front' }))).toEqual([
        'XENAPI_PLUGIN_FAILURE',
        fn,
        'Exception',
        'INVALID_ARGUMENTS',
      ])
    }
  })

  // `^[a-z0-9_.-]+$` (§1.2): names with upper case — as Docker allows — cannot be managed by name.
  const INVALID_IDS = [
    'WebAPI',
    'Nginx-front',
    'NGINX-FRONT',
    'nginx front',
    ' nginx-front',
    '/nginx-front',
    'a/b',
    '',
    'ngïnx',
    'a:b',
  ]
  const ID_FUNCTIONS = [
    ...['start', 'stop', 'restart', 'pause', 'unpause'].map((fn) => ({ fn, arg: 'container' })),
    ...['get_inspect', 'get_top'].map((fn) => ({ fn, arg: 'object' })),
  ]

  it.each(ID_FUNCTIONS)('$fn rejects ids outside [a-z0-9_.-] in `$arg` with Invalid container', async ({ fn, arg }) => {
    const t = await legacy()
    for (const id of INVALID_IDS) {
      expect(await errorOf(t.plugin(fn, { vmuuid: t.vm('web-1').uuid, [arg]: id })), JSON.stringify(id)).toEqual([
        'XENAPI_PLUGIN_FAILURE',
        fn,
        'XSContainerException',
        'Invalid container',
      ])
    }
    // The WebAPI container exists and runs: only the id check stopped the calls.
    expect(t.daemon('web-1').inspect('WebAPI').State.Status).toBe('running')
    expect(await t.messages()).toEqual([])
  })

  it('checks the container id before reaching the guest', async () => {
    const t = await legacy()
    // builder-no-tools has no reachable IP, but the id is refused first.
    expect(await errorOf(t.plugin('start', { vmuuid: t.vm('builder-no-tools').uuid, container: 'BuildKit' }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      'start',
      'XSContainerException',
      'Invalid container',
    ])
  })

  it.each(['get_ps', 'get_info', 'get_version', 'unregister', 'exec', 'Start', ''])(
    'answers UNKNOWN_XENAPI_PLUGIN_FUNCTION for %j',
    async (fn) => {
      const t = await legacy()
      expect(await errorOf(t.plugin(fn, {}))).toEqual(['UNKNOWN_XENAPI_PLUGIN_FUNCTION', fn])
    },
  )

  // [UNVERIFIED] (plugin.ts): the dev-mode check comes before the argument check, so missing args
  // get the same string (upstream's `devmode_only` decorator wraps the function that calls check_args).
  it.each([
    { fn: 'install_vm', args: {} },
    { fn: 'install_vm', args: { url: 'http://example.com/coreos.vhd.bz2', sruuid: 'Local storage' } },
    { fn: 'passthrough', args: {} },
    { fn: 'passthrough', args: { vmuuid: 'web-1', command: 'docker ps' } },
  ])('$fn $args answers the plain dev-mode string, no True prefix, not an error', async ({ fn, args }) => {
    const t = await legacy()
    const sr = t.pool.store.find('SR', (r) => r.name_label === args.sruuid)[0]
    const resolved = {
      ...args,
      ...(args.vmuuid ? { vmuuid: t.vm(args.vmuuid).uuid } : {}),
      ...(sr ? { sruuid: String(t.pool.store.get('SR', sr).uuid) } : {}),
    }
    expect(await t.plugin(fn, resolved)).toBe(DEV_MODE)
  })
})

describe('reaching the guest', () => {
  it.each([
    { fn: 'start', args: { container: 'buildkitd' } },
    { fn: 'stop', args: { container: 'buildkitd' } },
    { fn: 'get_inspect', args: { object: 'buildkitd' } },
    { fn: 'get_top', args: { object: 'buildkitd' } },
  ])('$fn on a running VM without guest tools fails with No valid IP found', async ({ fn, args }) => {
    const t = await legacy()
    const vm = t.vm('builder-no-tools')
    expect(t.pool.store.get('VM', vm.ref).power_state).toBe('Running')
    expect(await errorOf(t.plugin(fn, { vmuuid: vm.uuid, ...args }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      fn,
      'XSContainerException',
      `No valid IP found for vmuuid ${vm.uuid}`,
    ])
    expect(await t.messages()).toEqual([])
  })

  it.each([
    { fn: 'start', args: { container: 'nightly-report' } },
    { fn: 'pause', args: { container: 'nginx-front' } },
    { fn: 'get_top', args: { object: 'nginx-front' } },
  ])('$fn fails with AuthenticationException when the pool key is not authorized', async ({ fn, args }) => {
    const t = await legacy()
    const vm = t.vm('web-1')
    const ssh = t.pool.guests.get(vm.ref)?.ssh ?? expect.fail('no ssh model')
    ssh.poolKeyAuthorized = false

    expect(await errorOf(t.plugin(fn, { vmuuid: vm.uuid, ...args }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      fn,
      'AuthenticationException',
      `prepare_ssh_client failed to authenticate with private key on VM ${vm.uuid}`,
    ])
    expect(t.daemon('web-1').inspect('nightly-report').State.Status).toBe('exited')
  })

  it('delays a plugin function given latency, and only that one', async () => {
    const t = await legacy()
    const uuid = t.vm('web-1').uuid
    t.pool.faults.latency.set('xscontainer.start', 200)

    const slow = await elapsed(t.plugin('start', { vmuuid: uuid, container: 'nightly-report' }))
    expect(slow.value).toBe('True')
    expect(slow.ms).toBeGreaterThanOrEqual(190)

    const fast = await elapsed(t.plugin('stop', { vmuuid: uuid, container: 'nightly-report' }))
    expect(fast.value).toBe('True')
    expect(fast.ms).toBeLessThan(150)
  })
})

describe('plugin presence and forwarding', () => {
  it.each([
    { fn: 'get_config_drive_default', args: { templateuuid: '' } },
    { fn: 'start', args: { vmuuid: 'web-1', container: 'nightly-report' } },
    { fn: 'bogus', args: {} },
  ])(
    'xs76-c (pack not installed) answers XENAPI_MISSING_PLUGIN to $fn: nothing of the plugin runs',
    async ({ fn, args }) => {
      const t = await legacy()
      const resolved = args.vmuuid ? { ...args, vmuuid: t.vm('web-1').uuid } : args
      expect(await errorOf(t.plugin(fn, resolved, t.hosts.c))).toEqual(['XENAPI_MISSING_PLUGIN', 'xscontainer'])
      expect(t.daemon('web-1').inspect('nightly-report').State.Status).toBe('exited')
    },
  )

  it('validates the host ref and the plugin name', async () => {
    const t = await legacy()
    expect(
      await errorOf(call(t.url, 'host.call_plugin', t.session, 'OpaqueRef:nope', 'xscontainer', 'start', {})),
    ).toEqual(['HANDLE_INVALID', 'host', 'OpaqueRef:nope'])
    expect(await errorOf(call(t.url, 'host.call_plugin', t.session, t.hosts.a, 'xscontainer2', 'start', {}))).toEqual([
      'XENAPI_MISSING_PLUGIN',
      'xscontainer2',
    ])
  })

  it('forwards vmuuid calls to the VM resident host: any pack host serves any VM', async () => {
    const t = await legacy()
    const web2 = t.vm('web-2')
    expect(t.pool.store.get('VM', web2.ref).resident_on).toBe(t.hosts.b)

    expect(await t.plugin('start', { vmuuid: web2.uuid, container: 'old-migration' }, t.hosts.a)).toBe('True')
    expect(t.daemon('web-2').inspect('old-migration').State.Status).toBe('running')
    const top = await t.plugin('get_top', { vmuuid: web2.uuid, object: 'nginx-front' }, t.hosts.a)
    expect(top.startsWith('True<?xml version="1.0" ?><docker_top><item><Process>')).toBe(true)
    // And the other way round: xs76-b serves web-1 (resident on xs76-a).
    expect(await t.plugin('stop', { vmuuid: t.vm('web-1').uuid, container: 'nginx-front' }, t.hosts.b)).toBe('True')
  })

  it('really forwards: with the pack gone from xs76-b, the master fails web-2 calls but still serves web-1', async () => {
    const t = await legacy()
    t.pool.xscontainer?.uninstall(t.hosts.b)

    expect(await errorOf(t.plugin('start', { vmuuid: t.vm('web-2').uuid, container: 'old-migration' }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      'start',
      'Failure',
      "['XENAPI_MISSING_PLUGIN', 'xscontainer']",
    ])
    expect(t.daemon('web-2').inspect('old-migration').State.Status).toBe('exited')
    expect(await t.plugin('start', { vmuuid: t.vm('web-1').uuid, container: 'nightly-report' })).toBe('True')
  })

  it.each([
    { fn: 'register', args: {} },
    { fn: 'start', args: { container: 'slapd' } },
    { fn: 'get_inspect', args: { object: 'slapd' } },
    { fn: 'passthrough', args: { command: 'id' } },
  ])('forwarding $fn for a registered VM on xs76-c (no pack) fails with the nested failure', async ({ fn, args }) => {
    const t = await legacy()
    const ldap = t.vm('ldap-appliance')
    expect(t.pool.store.get('VM', ldap.ref).resident_on).toBe(t.hosts.c)
    await t.rpc('VM.add_to_other_config', ldap.ref, 'xscontainer-monitor', 'True')

    expect(await errorOf(t.plugin(fn, { vmuuid: ldap.uuid, ...args }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      fn,
      'Failure',
      "['XENAPI_MISSING_PLUGIN', 'xscontainer']",
    ])
  })

  it('wraps a failure of the forwarded call as Failure with the nested list (Python repr)', async () => {
    const t = await legacy()
    const web2 = t.vm('web-2')
    // The request text holds ' only: Python's repr picks double quotes and writes \r\n as escapes.
    expect(await errorOf(t.plugin('start', { vmuuid: web2.uuid, container: 'nginx-front' }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      'start',
      'Failure',
      `['XENAPI_PLUGIN_FAILURE', 'start', 'XSContainerException', "Request 'POST /containers/nginx-front/start HTTP/1.0\\r\\n\\r\\n' led to status Not Modified - Container Management Error: ${NOT_MODIFIED_TEXT}"]`,
    ])
    // Both quote kinds: single quotes, the ' escaped.
    expect(await errorOf(t.plugin('stop', { vmuuid: web2.uuid, container: 'nosuch' }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      'stop',
      'Failure',
      `['XENAPI_PLUGIN_FAILURE', 'stop', 'XSContainerException', 'Request \\'POST /containers/nosuch/stop HTTP/1.0\\r\\n\\r\\n\\' led to status Not Found - {"message": "No such container: nosuch"} (404)']`,
    ])
    // The remote plugin still created its messages.
    const messages = await t.messages()
    expect(messages.map((m) => [m.name, m.obj_uuid])).toEqual([
      ['Container Management Error', web2.uuid],
      ['{"message"', web2.uuid],
    ])
    // XO's 2015 `unregister` for a VM elsewhere: forwarded first, refused by the remote dispatch.
    expect(await errorOf(t.plugin('unregister', { vmuuid: web2.uuid }))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      'unregister',
      'Failure',
      "['UNKNOWN_XENAPI_PLUGIN_FUNCTION', 'unregister']",
    ])
  })

  it('forwards a halted VM by its SR: without the pack on the SR host, the call fails', async () => {
    const t = await legacy()
    const db = t.vm('legacy-db')
    expect(t.pool.store.get('VM', db.ref).resident_on).toBe('OpaqueRef:NULL')
    const localSr = t.pool.store.find('SR', (r) => r.name_label === 'Local storage')[0] ?? expect.fail('no SR')
    const sruuid = String(t.pool.store.get('SR', localSr).uuid)
    // Local storage is plugged on the master only.
    const pbdHosts = (t.pool.store.get('SR', localSr).PBDs as string[]).map((p) => t.pool.store.get('PBD', p).host)
    expect(pbdHosts).toEqual([t.hosts.a])
    const diskVdi = String(
      t.pool.store.get('VDI', t.pool.store.find('VDI', (r) => r.name_label === 'legacy-db disk 0')[0]).uuid,
    )

    t.pool.xscontainer?.uninstall(t.hosts.a)
    expect(
      await errorOf(t.plugin('create_config_drive', { vmuuid: db.uuid, sruuid, configuration: 'x' }, t.hosts.b)),
    ).toEqual(['XENAPI_PLUGIN_FAILURE', 'create_config_drive', 'Failure', "['XENAPI_MISSING_PLUGIN', 'xscontainer']"])
    expect(await errorOf(t.plugin('get_config_drive_configuration', { vdiuuid: diskVdi }, t.hosts.b))).toEqual([
      'XENAPI_PLUGIN_FAILURE',
      'get_config_drive_configuration',
      'Failure',
      "['XENAPI_MISSING_PLUGIN', 'xscontainer']",
    ])
    // A halted VM with no SR or VDI argument is served where it is asked.
    expect(await t.plugin('register', { vmuuid: db.uuid }, t.hosts.b)).toBe('TrueNone')
  })

  it.each([
    { fn: 'start', args: { vmuuid: 'nope', container: 'x' }, failure: "['UUID_INVALID', 'VM', 'nope']" },
    {
      fn: 'register',
      args: { vmuuid: '00000000-0000-4000-8000-000000000000' },
      failure: "['UUID_INVALID', 'VM', '00000000-0000-4000-8000-000000000000']",
    },
    { fn: 'bogus', args: { vmuuid: 'nope' }, failure: "['UUID_INVALID', 'VM', 'nope']" },
    { fn: 'get_config_drive_configuration', args: { vdiuuid: 'nope' }, failure: "['UUID_INVALID', 'VDI', 'nope']" },
    {
      fn: 'create_config_drive',
      args: { vmuuid: 'legacy-db', sruuid: 'nope', configuration: 'x' },
      failure: "['UUID_INVALID', 'SR', 'nope']",
    },
  ])('an unknown uuid while choosing the host ($fn) makes the script exit non-zero', async ({ fn, args, failure }) => {
    const t = await legacy()
    const resolved = args.vmuuid === 'legacy-db' ? { ...args, vmuuid: t.vm('legacy-db').uuid } : args
    const [code, status, stdout, stderr] = await errorOf(t.plugin(fn, resolved))
    expect([code, status, stdout]).toEqual(['XENAPI_PLUGIN_FAILURE', 'non-zero exit', ''])
    expect(stderr?.startsWith('Traceback (most recent call last):\n')).toBe(true)
    expect(stderr?.endsWith(`XenAPI.Failure: ${failure}\n`)).toBe(true)
  })
})
