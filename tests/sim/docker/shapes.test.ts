/**
 * The JSON the daemon answers with, field by field: /containers/json and /containers/{id}/json.
 */
import { describe, expect, it } from 'vitest'
import { makeDaemon } from './daemon-fixture.js'

const HEX64 = /^[0-9a-f]{64}$/

const web = {
  name: 'web',
  image: 'nginx:1.25',
  labels: { tier: 'front' },
  ports: [{ privatePort: 80, publicPort: 8080 }, { privatePort: 443 }],
  mounts: [
    { source: '/srv/www', destination: '/usr/share/nginx/html', rw: false },
    { source: 'certs', destination: '/etc/nginx/certs', type: 'volume' as const },
  ],
  env: ['TZ=UTC', 'PATH=/opt/bin'],
}

describe('GET /containers/json', () => {
  it('has exactly Docker’s summary fields, in Go struct order', () => {
    const { daemon } = makeDaemon([web])
    const [summary] = daemon.listContainers()
    expect(Object.keys(summary ?? {})).toEqual([
      'Id',
      'Names',
      'Image',
      'ImageID',
      'Command',
      'Created',
      'Ports',
      'Labels',
      'State',
      'Status',
      'HostConfig',
      'NetworkSettings',
      'Mounts',
    ])
    const sized = daemon.listContainers({ size: true })[0] ?? expect.fail('no container')
    expect(Object.keys(sized).slice(6, 9)).toEqual(['Ports', 'SizeRw', 'SizeRootFs'])
    expect(sized.SizeRootFs).toBe(187_000_000 + (sized.SizeRw ?? 0))
  })

  it('renders a running nginx as Docker does', () => {
    const { daemon } = makeDaemon([web])
    const s = daemon.listContainers()[0] ?? expect.fail('no container')
    expect(s.Id).toMatch(HEX64)
    expect(s.ImageID).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(s).toMatchObject({
      Names: ['/web'],
      Image: 'nginx:1.25',
      Command: "/docker-entrypoint.sh nginx -g 'daemon off;'",
      Created: Math.floor((Date.UTC(2026, 0, 1) - 3 * 3_600_000) / 1000) - 2,
      // Published ports appear on 0.0.0.0 and :: (Docker 20.10); an exposed-only one has no IP or PublicPort.
      Ports: [
        { PrivatePort: 443, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      ],
      Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>', tier: 'front' },
      State: 'running',
      Status: 'Up 3 hours',
      HostConfig: { NetworkMode: 'default' },
      Mounts: [
        {
          Type: 'bind',
          Source: '/srv/www',
          Destination: '/usr/share/nginx/html',
          Mode: 'ro',
          RW: false,
          Propagation: 'rprivate',
        },
        {
          Type: 'volume',
          Name: 'certs',
          Source: '/var/lib/docker/volumes/certs/_data',
          Destination: '/etc/nginx/certs',
          Driver: 'local',
          Mode: 'z',
          RW: true,
          Propagation: '',
        },
      ],
    })
    const bridge = s.NetworkSettings.Networks.bridge ?? expect.fail('no bridge')
    expect(Object.keys(bridge)).toEqual([
      'IPAMConfig',
      'Links',
      'Aliases',
      'NetworkID',
      'EndpointID',
      'Gateway',
      'IPAddress',
      'IPPrefixLen',
      'IPv6Gateway',
      'GlobalIPv6Address',
      'GlobalIPv6PrefixLen',
      'MacAddress',
      'DriverOpts',
    ])
    expect(bridge).toMatchObject({ Gateway: '172.17.0.1', IPAddress: '172.17.0.2', IPPrefixLen: 16 })
    expect(bridge.MacAddress).toBe('02:42:ac:11:00:02')
    expect(bridge.EndpointID).toMatch(HEX64)
  })

  it('lists running, paused and restarting ones by default, everything with all, newest first', () => {
    const { daemon } = makeDaemon([
      { name: 'old', image: 'alpine', upSeconds: 9000 },
      { name: 'new', image: 'alpine', upSeconds: 60 },
      { name: 'paused', image: 'alpine', state: 'paused', upSeconds: 600 },
      { name: 'looping', image: 'alpine', state: 'restarting', exitCode: 1, upSeconds: 5 },
      { name: 'gone', image: 'alpine', state: 'exited', upSeconds: 30, exitedSecondsAgo: 5 },
      { name: 'fresh', image: 'alpine', state: 'created', upSeconds: 1 },
    ])
    expect(daemon.listContainers().map((c) => c.Names[0])).toEqual(['/looping', '/new', '/paused', '/old'])
    expect(daemon.listContainers({ all: true }).map((c) => [c.Names[0], c.State, c.Status])).toEqual([
      ['/fresh', 'created', 'Created'],
      ['/looping', 'restarting', 'Restarting (1) Less than a second ago'],
      ['/gone', 'exited', 'Exited (0) 5 seconds ago'],
      ['/new', 'running', 'Up About a minute'],
      ['/paused', 'paused', 'Up 10 minutes (Paused)'],
      ['/old', 'running', 'Up 3 hours'],
    ])
  })

  it('shows no ports or address for a container without a process', () => {
    const { daemon } = makeDaemon([{ ...web, state: 'exited' }])
    const s = daemon.listContainers({ all: true })[0] ?? expect.fail('no container')
    expect(s.Ports).toEqual([])
    expect(s.NetworkSettings.Networks.bridge).toMatchObject({
      IPAddress: '',
      Gateway: '',
      MacAddress: '',
      EndpointID: '',
    })
    expect(s.NetworkSettings.Networks.bridge?.NetworkID).toMatch(HEX64)
  })
})

describe('GET /containers/{id}/json', () => {
  it('has Docker’s top-level, State and Config fields', () => {
    const { daemon } = makeDaemon([web])
    const i = daemon.inspect('web')
    expect(Object.keys(i)).toEqual([
      'Id',
      'Created',
      'Path',
      'Args',
      'State',
      'Image',
      'ResolvConfPath',
      'HostnamePath',
      'HostsPath',
      'LogPath',
      'Name',
      'RestartCount',
      'Driver',
      'Platform',
      'MountLabel',
      'ProcessLabel',
      'AppArmorProfile',
      'ExecIDs',
      'HostConfig',
      'GraphDriver',
      'Mounts',
      'Config',
      'NetworkSettings',
    ])
    expect(i.State).toEqual({
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: i.State.Pid,
      ExitCode: 0,
      Error: '',
      StartedAt: '2025-12-31T21:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    })
    expect(i.State.Pid).toBeGreaterThan(900)
    expect(i).toMatchObject({
      Path: '/docker-entrypoint.sh',
      Args: ['nginx', '-g', 'daemon off;'],
      Name: '/web',
      RestartCount: 0,
      Image: daemon.listContainers()[0]?.ImageID,
      HostConfig: {
        Binds: ['/srv/www:/usr/share/nginx/html:ro', 'certs:/etc/nginx/certs'],
        NetworkMode: 'default',
        PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
        RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      },
      Config: {
        Hostname: i.Id.slice(0, 12),
        Image: 'nginx:1.25',
        Cmd: ['nginx', '-g', 'daemon off;'],
        Entrypoint: ['/docker-entrypoint.sh'],
        // The user's variables first, then the image's that were not overridden.
        Env: ['TZ=UTC', 'PATH=/opt/bin', 'NGINX_VERSION=1.25.3', 'NJS_VERSION=0.8.2', 'PKG_RELEASE=1~bookworm'],
        ExposedPorts: { '443/tcp': {}, '80/tcp': {} },
        Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>', tier: 'front' },
        StopSignal: 'SIGQUIT',
      },
      NetworkSettings: {
        Ports: {
          '443/tcp': null,
          '80/tcp': [
            { HostIp: '0.0.0.0', HostPort: '8080' },
            { HostIp: '::', HostPort: '8080' },
          ],
        },
        IPAddress: '172.17.0.2',
        Gateway: '172.17.0.1',
        MacAddress: '02:42:ac:11:00:02',
      },
    })
    expect(i.Created).toMatch(/^2025-12-31T20:59:5\d(\.\d+)?Z$/)
  })

  it('shows exit details of a stopped container and empties its network settings', () => {
    const { daemon } = makeDaemon([{ ...web, state: 'exited', exitCode: 137, exitedSecondsAgo: 300, upSeconds: 60 }])
    const i = daemon.inspect('web')
    expect(i.State).toMatchObject({
      Status: 'exited',
      Running: false,
      Pid: 0,
      ExitCode: 137,
      StartedAt: '2025-12-31T23:54:00Z',
      FinishedAt: '2025-12-31T23:55:00Z',
    })
    expect(i.NetworkSettings).toMatchObject({ Ports: {}, IPAddress: '', SandboxID: '', SandboxKey: '' })
  })

  it('gives an alpine container no entrypoint, /bin/sh, and image volumes as anonymous volumes', () => {
    const { daemon } = makeDaemon([
      { name: 'box', image: 'alpine:3.19' },
      { name: 'cache', image: 'redis:7' },
    ])
    expect(daemon.inspect('box')).toMatchObject({
      Path: '/bin/sh',
      Args: [],
      Config: { Cmd: ['/bin/sh'], Entrypoint: null, Volumes: null },
    })
    const cache = daemon.inspect('cache')
    expect(cache).toMatchObject({ Config: { Volumes: { '/data': {} }, WorkingDir: '/data' } })
    const [volume] = cache.Mounts as { Name: string; Source: string; Destination: string }[]
    expect(volume?.Name).toMatch(HEX64)
    expect(volume?.Source).toBe(`/var/lib/docker/volumes/${volume?.Name}/_data`)
  })
})
