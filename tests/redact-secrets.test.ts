/** Redaction at the audit sink: secret-named keys at any depth, and secret-shaped strings. */
import { describe, expect, it } from 'vitest'
import { isSecretKey, REDACTED, redactSecrets } from '../src/redact-secrets.js'

// Real-looking, not real: the shapes a leak would have.
const SLACK_BOT = 'xoxb-2041234567890-4123456789012-AbCdEfGhIjKlMnOpQrStUvWx'
const SLACK_APP = 'xapp-1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef'
const DISCORD = 'MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'
const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'

describe('redactSecrets', () => {
  it('replaces the values of secret-named keys at every depth, arrays included', () => {
    const input = {
      command: '/docker restart web-1 nginx-front',
      password: 'hunter2',
      pool: { url: 'https://xs76-a', credentials: { token: 't0k', privateKey: PEM } },
      hosts: [{ name: 'a', secret: { nested: 'x' } }, { name: 'b' }],
      count: 3,
    }
    expect(redactSecrets(input)).toEqual({
      command: '/docker restart web-1 nginx-front',
      password: REDACTED,
      pool: { url: 'https://xs76-a', credentials: { token: REDACTED, privateKey: REDACTED } },
      hosts: [{ name: 'a', secret: REDACTED }, { name: 'b' }],
      count: 3,
    })
    expect(input.password).toBe('hunter2') // the caller's object is not changed
  })

  it.each([
    ['password', true],
    ['Password', true],
    ['bot_token', true],
    ['botToken', true],
    ['SSH-Private-Key', true],
    ['clientSecret', true],
    ['authorization', true],
    ['sessionId', true],
    ['passphrase', true],
    ['tokens', false],
    ['tokenCount', false],
    ['planDigest', false],
    ['user', false],
  ])('GIVEN key %s THEN secret is %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret)
  })

  it('replaces Slack and Discord tokens and PEM private keys inside strings', () => {
    expect(redactSecrets({ raw: `/xen login ${SLACK_BOT} and ${SLACK_APP}` })).toEqual({
      raw: '/xen login [redacted] and [redacted]',
    })
    expect(redactSecrets([`token=${DISCORD}`])).toEqual(['token=[redacted]'])
    expect(redactSecrets({ note: `key:\n${PEM}\nend` })).toEqual({ note: 'key:\n[redacted]\nend' })
    expect(redactSecrets({ vm: 'web-1', uuid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' })).toEqual({
      vm: 'web-1',
      uuid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    })
  })

  it('keeps a __proto__ key as plain data and refuses a cycle', () => {
    const parsed = JSON.parse('{"__proto__": {"password": "p"}, "a": 1}') as Record<string, unknown>
    const out = redactSecrets(parsed)
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ password: REDACTED })
    const cyclic: Record<string, unknown> = {}
    cyclic.me = cyclic
    expect(() => redactSecrets(cyclic)).toThrow('cannot audit data that contains a cycle')
  })
})
