/**
 * Secrets shaped like the real thing (lengths and alphabets), made up for the redaction suites
 * (issue #13): Slack bot and app tokens, a Discord bot token, a PEM private key, a one-time password,
 * and the simulated pools' XAPI password (read by the Xen layer through a secret reference).
 */
export const SECRETS = {
  slackBot: 'xoxb-2718281828-3141592653589-QmFkU2VjcmV0VG9rZW5IZXJl',
  slackApp: 'xapp-1-A0FAKEAPP-1234567890123-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  discord: 'MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB',
  privateKey: [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    '-----END OPENSSH PRIVATE KEY-----',
  ].join('\n'),
  oneTimePassword: 'Correct-Horse-Battery-Staple-42',
  xapiPassword: 'xenroot',
} as const

/** What each secret is looked for as: whole, and the private key also by its body line. */
export function needlesOf(name: string, secret: string): string[] {
  return name === 'privateKey' ? [secret, secret.split('\n')[1] as string] : [secret]
}

/** The secrets found in `haystack` (by name), for `expect(...).toEqual([])`. */
export function secretsIn(haystack: string, secrets: Readonly<Record<string, string>> = SECRETS): string[] {
  return Object.entries(secrets).flatMap(([name, secret]) =>
    needlesOf(name, secret).some((needle) => haystack.includes(needle)) ? [name] : [],
  )
}
