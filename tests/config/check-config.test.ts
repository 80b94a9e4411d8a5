/**
 * Issue #5: `xen-chatops check-config` reports an unknown key, a missing secret reference and a pool
 * without a URL, each with its path in the file. checkConfig / loadConfig on real temporary files,
 * then the built CLI on the same kind of files (exit 1 with one `  <path>: <message>` line per
 * problem, exit 0 and `ok` for a valid file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppConfig, ConfigError, checkConfig, loadConfig } from '../../src/config.js'
import { buildOnce, killStarted, runCli } from '../cli/built-cli.js'

const ACCESS = `access:
  roles:
    operator: { permissions: [docker.read, docker.operate] }
  subjects:
    - { platform: shell, users: [alice], roles: [operator] }
`

const VALID = `pools:
  - name: lab
    url: https://xs-master.example
    password: { env: XEN_LAB_PASSWORD }
  - name: lab-2
    url: http://10.0.0.2
    username: admin
    password: { file: ./lab-2.secret }
    tls: insecure
${ACCESS}platforms:
  shell: { user: alice }
`

/** What the secret references of VALID resolve against: the variable is set, the file exists. */
const ENV = { XEN_LAB_PASSWORD: 's3cret-value' }

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xen-chatops-config-'))
})

afterAll(() => {
  killStarted()
  rmSync(dir, { recursive: true, force: true })
})

let count = 0
/** Writes `text` to a new file in the temporary directory; returns its path. */
function file(text: string): string {
  const path = join(dir, `config-${++count}.yaml`)
  writeFileSync(path, text)
  return path
}

/** VALID with the file secret made absolute (it is resolved from the working directory otherwise). */
function valid(): string {
  const secret = join(dir, 'lab-2.secret')
  writeFileSync(secret, 'other-secret\n')
  return file(VALID.replace('./lab-2.secret', secret))
}

function loadError(path: string): ConfigError {
  try {
    loadConfig(path)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error(`${path} loaded without an error`)
}

describe('checkConfig and loadConfig', () => {
  it('a valid file has no problems, and loads with the defaults filled in', () => {
    const path = valid()
    expect(checkConfig(path, ENV)).toEqual([])
    const config: AppConfig = loadConfig(path)
    expect(config.pools).toEqual([
      {
        name: 'lab',
        url: 'https://xs-master.example',
        username: 'root',
        password: { env: 'XEN_LAB_PASSWORD' },
        tls: 'verify',
        dockerBackend: 'auto',
      },
      {
        name: 'lab-2',
        url: 'http://10.0.0.2',
        username: 'admin',
        password: { file: join(dir, 'lab-2.secret') },
        tls: 'insecure',
        dockerBackend: 'auto',
      },
    ])
    expect(config.ssh).toEqual({ transport: 'dial-stdio', callTimeoutSeconds: 20 })
    expect(config.log).toEqual({ level: 'info' })
    expect(config.platforms).toEqual({ shell: { user: 'alice' } })
  })

  it('an unknown key in a pool is reported at its own path, with the keys that are allowed there', () => {
    const path = file(VALID.replace('    tls: insecure\n', '    tls: insecure\n    color: red\n'))
    expect(checkConfig(path, ENV)).toEqual([
      {
        path: 'pools[1].color',
        message: 'unknown key; the keys here are name, url, username, password, tls, dockerBackend',
      },
    ])
  })

  it('an unknown key at the top level is reported with its name as the path', () => {
    const path = file(`${VALID}colour: blue\n`)
    expect(checkConfig(path, ENV)).toEqual([
      {
        path: 'colour',
        message:
          'unknown key; the keys here are log, pools, access, approvals, store, ssh, provisioning, http, platforms, alerts',
      },
    ])
  })

  it('a pool without a password has a missing secret reference at pools[0].password', () => {
    const path = file(VALID.replace('    password: { env: XEN_LAB_PASSWORD }\n', ''))
    expect(checkConfig(path, ENV)).toEqual([
      { path: 'pools[0].password', message: 'missing: a secret reference, { env: NAME } or { file: path }' },
    ])
  })

  it('a password written in the file is refused without repeating it', () => {
    const path = file(VALID.replace('{ env: XEN_LAB_PASSWORD }', 'hunter2'))
    const problems = checkConfig(path, ENV)
    expect(problems).toEqual([
      {
        path: 'pools[0].password',
        message:
          'must be a secret reference, { env: NAME } or { file: path }; the secret itself never goes in this file',
      },
    ])
    expect(JSON.stringify(problems)).not.toContain('hunter2')
  })

  it('a pool without a URL is reported at pools[0].url', () => {
    const path = file(VALID.replace('    url: https://xs-master.example\n', ''))
    expect(checkConfig(path, ENV)).toEqual([
      { path: 'pools[0].url', message: "missing: the pool master's XAPI URL, e.g. https://xs-master.example" },
    ])
  })

  it('a URL that is there but of the wrong kind is not called missing', () => {
    const path = file(VALID.replace('https://xs-master.example', 'ftp://xs-master.example'))
    expect(checkConfig(path, ENV)).toEqual([
      {
        path: 'pools[0].url',
        message: "must be an http:// or https:// URL of the pool master's XAPI, e.g. https://xs-master.example",
      },
    ])
  })

  it('a secret whose environment variable is not set names the variable, never a value', () => {
    const path = valid()
    const problems = checkConfig(path, { OTHER: 's3cret-value' })
    expect(problems).toEqual([
      { path: 'pools[0].password', message: 'environment variable XEN_LAB_PASSWORD is not set' },
    ])
    expect(JSON.stringify(problems)).not.toContain('s3cret-value')
    // Set but empty counts as not set.
    expect(checkConfig(path, { XEN_LAB_PASSWORD: '' })).toEqual(problems)
  })

  it('a secret file that cannot be read is named with the reason', () => {
    const path = file(VALID.replace('./lab-2.secret', join(dir, 'no-such.secret')))
    expect(checkConfig(path, ENV)).toEqual([
      { path: 'pools[1].password', message: `cannot read secret file ${join(dir, 'no-such.secret')}: ENOENT` },
    ])
  })

  it('bad YAML is one problem for the whole file, on one line with its position', () => {
    const path = file('pools:\n  - name: lab\n   url: https://x\n')
    const problems = checkConfig(path, ENV)
    expect(problems).toEqual([
      { path: '', message: 'not valid YAML: bad indentation of a sequence entry at line 3, column 4' },
    ])
  })

  it('a file that is not a mapping says what the file must be', () => {
    expect(checkConfig(file('- just\n- a list\n'), ENV)).toEqual([
      { path: '', message: 'the file must be a YAML mapping with the keys log, pools, access and platforms' },
    ])
  })

  it('no access section: the message says to add roles and subjects', () => {
    const path = file(VALID.replace(ACCESS, ''))
    expect(checkConfig(path, ENV)).toEqual([
      {
        path: 'access',
        message:
          'missing: add roles and subjects (access is denied by default, so without them nobody can use the bot)',
      },
    ])
  })

  it('two pools with the same name: the second one is reported', () => {
    const path = file(VALID.replace('name: lab-2', 'name: lab'))
    expect(checkConfig(path, ENV)).toEqual([{ path: 'pools[1].name', message: 'duplicate pool name "lab"' }])
  })

  it('every problem is reported, not just the first', () => {
    const path = file(
      VALID.replace('    url: https://xs-master.example\n', '')
        .replace('    password: { file: ./lab-2.secret }\n', '')
        .replace('    tls: insecure\n', '    tls: insecure\n    color: red\n'),
    )
    expect(checkConfig(path, ENV).map((p) => p.path)).toEqual(['pools[0].url', 'pools[1].password', 'pools[1].color'])
  })

  it('a file that cannot be read is a problem, not an exception', () => {
    expect(checkConfig(join(dir, 'absent.yaml'), ENV)).toEqual([{ path: '', message: 'cannot read the file: ENOENT' }])
  })

  it('loadConfig throws a ConfigError whose message lists every problem with its path', () => {
    const path = file(VALID.replace('    url: https://xs-master.example\n', '').replace(ACCESS, ''))
    const error = loadError(path)
    expect(error.problems.map((p) => p.path)).toEqual(['pools[0].url', 'access'])
    expect(error.message.split('\n')).toEqual([
      `${path}: 2 problem(s)`,
      "  pools[0].url: missing: the pool master's XAPI URL, e.g. https://xs-master.example",
      '  access: missing: add roles and subjects (access is denied by default, so without them nobody can use the bot)',
    ])
  })
})

describe('xen-chatops check-config (the built CLI)', () => {
  beforeAll(buildOnce, 120_000)

  it('exits 1 and prints each problem as "  <path>: <message>"', async () => {
    const path = file(
      VALID.replace('    url: https://xs-master.example\n', '')
        .replace('    password: { file: ./lab-2.secret }\n', '')
        .replace('    tls: insecure\n', '    tls: insecure\n    color: red\n')
        .concat('colour: blue\n'),
    )
    const result = await runCli(['check-config', path])
    expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({
      code: 1,
      signal: null,
      stderr: '',
    })
    expect(result.stdout.split('\n')).toEqual([
      `${path}: 4 problem(s)`,
      "  pools[0].url: missing: the pool master's XAPI URL, e.g. https://xs-master.example",
      '  pools[1].password: missing: a secret reference, { env: NAME } or { file: path }',
      '  pools[1].color: unknown key; the keys here are name, url, username, password, tls, dockerBackend',
      '  colour: unknown key; the keys here are log, pools, access, approvals, store, ssh, provisioning, http, platforms, alerts',
      '',
    ])
  })

  it('reports an unset secret variable by name and bad YAML on the (top) line', async () => {
    const env = { ...process.env }
    delete env.XEN_LAB_PASSWORD
    const unset = await runCli(['check-config', valid()], { env })
    expect(unset.code).toBe(1)
    expect(unset.stdout).toContain('  pools[0].password: environment variable XEN_LAB_PASSWORD is not set\n')

    const yaml = await runCli(['check-config', file('pools: [\n')])
    expect(yaml.code).toBe(1)
    expect(yaml.stdout).toMatch(/: 1 problem\(s\)\n {2}\(top\): not valid YAML: [^\n]+ at line \d+, column \d+\n$/)
  })

  it('exits 0 and prints ok for a valid file', async () => {
    const path = valid()
    const result = await runCli(['check-config', path], { env: { ...process.env, ...ENV } })
    expect(result).toEqual({ code: 0, signal: null, stdout: `${path}: ok\n`, stderr: '' })
  })
})
