/**
 * `platforms.slack` in the config: secret references only, the tokens each mode needs, the token kinds
 * checked when resolved (values never echoed), and check-config reporting it all by path. Plus which
 * response_urls the adapter will post to.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ResponseUrl, responseUrlFrom } from '../../../adapters/slack/response-url.js'
import { resolveSlackSecrets, slackConfigSchema } from '../../../adapters/slack/slack-config.js'
import { ConfigError, checkConfig, parseConfigText } from '../../../src/config.js'
import { FakeSlack } from './fake-slack.js'

const BASE = `pools:
  - { name: lab, url: 'https://xs.example', password: { env: XS_PASSWORD } }
access:
  roles: { operator: { permissions: [docker.read] } }
  subjects: [{ platform: slack, users: [U0ALICE], roles: [operator] }]
`

const problems = (text: string) => {
  try {
    parseConfigText(text, 'test.yaml')
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`)
    throw error
  }
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('platforms.slack', () => {
  it('defaults to Socket Mode and accepts secret references', () => {
    const config = parseConfigText(
      `${BASE}platforms:\n  slack: { botToken: { env: SLACK_BOT_TOKEN }, appToken: { file: /run/secrets/slack-app } }\n`,
      'test.yaml',
    )
    expect(config.platforms.slack).toMatchObject({ mode: 'socket', groupRefreshMinutes: 5 })
    expect(config.platforms.slack?.http).toEqual({ port: 3000, host: '127.0.0.1', path: '/slack/events' })
  })

  it('asks for the token each mode needs, and never takes a token inline', () => {
    expect(problems(`${BASE}platforms: { slack: { botToken: { env: B } } }\n`)).toEqual([
      'platforms.slack.appToken: Socket Mode needs the app-level token (xapp-…), e.g. appToken: { env: SLACK_APP_TOKEN }',
    ])
    expect(problems(`${BASE}platforms: { slack: { mode: http, botToken: { env: B } } }\n`)).toEqual([
      'platforms.slack.signingSecret: HTTP mode needs the signing secret, e.g. signingSecret: { env: SLACK_SIGNING_SECRET }',
    ])
    expect(problems(`${BASE}platforms: { slack: { botToken: xoxb-123-inline, appToken: { env: A } } }\n`)).toEqual([
      'platforms.slack.botToken: must be a secret reference, { env: NAME } or { file: path }; the secret itself never goes in this file',
    ])
    expect(
      problems(`${BASE}platforms: { slack: { botToken: { env: B }, appToken: { env: A }, colour: red } }\n`)[0],
    ).toMatch(/^platforms\.slack\.colour: unknown key; the keys here are mode, botToken, appToken/)
  })

  it('resolves the secrets and checks the token kinds without showing them', () => {
    const config = slackConfigSchema.parse({ botToken: { env: 'B' }, appToken: { env: 'A' } })
    expect(resolveSlackSecrets(config, { B: 'xoxb-1', A: 'xapp-1' })).toEqual({
      secrets: { botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: undefined },
      problems: [],
    })
    const swapped = resolveSlackSecrets(config, { B: 'xapp-secret-value', A: 'xoxb-secret-value' })
    expect(swapped.secrets).toBeUndefined()
    expect(swapped.problems.map((p) => p.key)).toEqual(['botToken', 'appToken'])
    expect(JSON.stringify(swapped.problems)).not.toContain('secret-value')
    expect(resolveSlackSecrets(config, {}).problems).toEqual([
      { key: 'botToken', message: 'environment variable B is not set' },
      { key: 'appToken', message: 'environment variable A is not set' },
    ])
  })

  it('check-config reports the Slack secrets by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xen-chatops-slack-config-'))
    dirs.push(dir)
    const file = join(dir, 'config.yaml')
    const appTokenFile = join(dir, 'app-token')
    writeFileSync(
      file,
      `${BASE}platforms:\n  slack: { botToken: { env: SLACK_BOT }, appToken: { file: ${appTokenFile} } }\n`,
    )
    expect(checkConfig(file, { XS_PASSWORD: 'x', SLACK_BOT: 'xoxb-1' })).toEqual([
      { path: 'platforms.slack.appToken', message: `cannot read secret file ${appTokenFile}: ENOENT` },
    ])
    writeFileSync(appTokenFile, 'xapp-1\n')
    expect(checkConfig(file, { XS_PASSWORD: 'x' })).toEqual([
      { path: 'platforms.slack.botToken', message: 'environment variable SLACK_BOT is not set' },
    ])
    expect(checkConfig(file, { XS_PASSWORD: 'x', SLACK_BOT: 'xoxb-1' })).toEqual([])
  })
})

describe('response_url', () => {
  it('posts only to Slack’s hooks hosts over https, or to the configured API’s own origin', () => {
    expect(responseUrlFrom('https://hooks.slack.com/commands/T1/2/abc', undefined)).toBeInstanceOf(ResponseUrl)
    expect(responseUrlFrom('https://hooks.slack-gov.com/actions/T1/2/abc', undefined)).toBeInstanceOf(ResponseUrl)
    for (const bad of [
      'http://hooks.slack.com/commands/T1',
      'https://hooks.slack.com.evil.example/x',
      'https://hooks.slack.com:8443/x',
      'https://169.254.169.254/latest',
      'file:///etc/passwd',
      'not a url',
      '',
      42,
    ]) {
      expect(responseUrlFrom(bad, undefined)).toBeUndefined()
    }
    expect(responseUrlFrom('http://127.0.0.1:4000/response/1', 'http://127.0.0.1:4000')).toBeInstanceOf(ResponseUrl)
    expect(responseUrlFrom('http://127.0.0.1:4001/response/1', 'http://127.0.0.1:4000')).toBeUndefined()
  })

  it('is used at most five times and for less than thirty minutes', async () => {
    const slack = await FakeSlack.start()
    try {
      let now = 0
      const url = new ResponseUrl(slack.responseUrl(), { now: () => now })
      for (let i = 0; i < 5; i++) await url.send({ text: `answer ${i}` })
      expect(url.usable()).toBe(false)
      await expect(url.send({ text: 'sixth' })).rejects.toThrow(/used up or expired/)
      expect(slack.responses).toHaveLength(5)
      const fresh = new ResponseUrl(slack.responseUrl(), { now: () => now })
      now = 29 * 60_000
      expect(fresh.usable()).toBe(false)
    } finally {
      await slack.close()
    }
  })
})
