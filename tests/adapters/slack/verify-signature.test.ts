/**
 * The request signature check (pure, clock given): accepted only with the right secret over the exact
 * bytes, with a timestamp no more than five minutes off either way (security-checklist §1).
 */
import { describe, expect, it } from 'vitest'
import { signSlackRequest, verifySlackSignature } from '../../../adapters/slack/verify-signature.js'

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
const NOW_MS = 1_700_000_000_000
const NOW = NOW_MS / 1000
const BODY = Buffer.from('token=x&team_id=T0&command=%2Fdocker&text=ps+web-1&user_id=U0ALICE')

function check(options: { body?: Buffer; timestamp?: string | undefined; signature?: string | undefined }) {
  return verifySlackSignature({
    signingSecret: SECRET,
    body: options.body ?? BODY,
    timestamp: 'timestamp' in options ? options.timestamp : String(NOW),
    signature: 'signature' in options ? options.signature : signSlackRequest(SECRET, BODY, NOW)['x-slack-signature'],
    nowMs: NOW_MS,
  })
}

describe('verifySlackSignature', () => {
  it('accepts the exact bytes signed with the secret, up to five minutes either way', () => {
    expect(check({})).toEqual({ ok: true })
    for (const skew of [-300, -1, 1, 300]) {
      const ts = NOW + skew
      expect(
        check({ timestamp: String(ts), signature: signSlackRequest(SECRET, BODY, ts)['x-slack-signature'] }),
      ).toEqual({
        ok: true,
      })
    }
  })

  it('matches the example of Slack’s documentation (so it is the same HMAC, not just self-consistent)', () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the worked example).
    const body = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    )
    expect(
      verifySlackSignature({
        signingSecret: SECRET,
        body,
        timestamp: '1531420618',
        signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
        nowMs: 1531420618 * 1000,
      }),
    ).toEqual({ ok: true })
  })

  it('refuses with the reason: tampering, staleness, the future, missing headers, scheme, secret', () => {
    const signature = signSlackRequest(SECRET, BODY, NOW)['x-slack-signature']
    const cases: [string, Parameters<typeof check>[0], string][] = [
      ['tampered body', { body: Buffer.from(`${BODY.toString()}&x=1`) }, 'mismatch'],
      ['one byte changed', { body: Buffer.from(BODY.toString().replace('web-1', 'web-2')) }, 'mismatch'],
      ['tampered timestamp', { timestamp: String(NOW + 1) }, 'mismatch'],
      [
        'stale',
        { timestamp: String(NOW - 301), signature: signSlackRequest(SECRET, BODY, NOW - 301)['x-slack-signature'] },
        'stale',
      ],
      [
        'future',
        { timestamp: String(NOW + 301), signature: signSlackRequest(SECRET, BODY, NOW + 301)['x-slack-signature'] },
        'future',
      ],
      ['missing signature', { signature: undefined }, 'missing-header'],
      ['missing timestamp', { timestamp: undefined }, 'missing-header'],
      ['not a number', { timestamp: '17e8' }, 'bad-timestamp'],
      ['another scheme', { signature: signature.replace('v0=', 'v1=') }, 'bad-scheme'],
      ['wrong secret', { signature: signSlackRequest('another-secret', BODY, NOW)['x-slack-signature'] }, 'mismatch'],
      ['truncated signature', { signature: signature.slice(0, -2) }, 'mismatch'],
      ['upper-case hex', { signature: signature.toUpperCase().replace('V0=', 'v0=') }, 'mismatch'],
    ]
    expect(cases.map(([what, options]) => [what, check(options)])).toEqual(
      cases.map(([what, , reason]) => [what, { ok: false, reason }]),
    )
  })
})
