/**
 * `platforms.slack` in the config file. Tokens and the signing secret are secret references only
 * (`{ env: NAME }` or `{ file: path }`), never values. Socket Mode (the default) needs the bot token and
 * the app-level token and opens no port; HTTP mode needs the bot token and the signing secret and
 * listens for Slack's POSTs (on loopback by default: put a TLS reverse proxy in front of it).
 */
import { z } from 'zod'
import { resolveSecret, secretRefSchema } from '../../src/secret-ref.js'

export const slackConfigSchema = z
  .object({
    mode: z
      .enum(['socket', 'http'])
      .default('socket')
      .describe('socket: the bot connects out to Slack (no inbound port); http: Slack POSTs to the bot'),
    botToken: secretRefSchema.describe('the Bot User OAuth Token (xoxb-…), from OAuth & Permissions'),
    appToken: secretRefSchema
      .optional()
      .describe('the App-Level Token with connections:write (xapp-…), from Basic Information; needed in Socket Mode'),
    signingSecret: secretRefSchema
      .optional()
      .describe('the Signing Secret, from Basic Information → App Credentials; needed in HTTP mode'),
    http: z
      .object({
        port: z.number().int().min(0).max(65_535).default(3000).describe('the port Slack’s requests arrive on'),
        host: z.string().min(1).default('127.0.0.1').describe('the address to bind (loopback: behind a TLS proxy)'),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9/_-]*$/, 'a URL path such as /slack/events')
          .default('/slack/events')
          .describe('the path of the request URLs in the app settings'),
      })
      .strict()
      .prefault({})
      .describe('where HTTP mode listens'),
    apiUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('the Web API base URL (default https://slack.com/api/); response_urls on its origin are trusted too'),
    groupRefreshMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(5)
      .describe('how often user-group membership is read again'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.mode === 'socket' && !config.appToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['appToken'],
        message: 'Socket Mode needs the app-level token (xapp-…), e.g. appToken: { env: SLACK_APP_TOKEN }',
      })
    }
    if (config.mode === 'http' && !config.signingSecret) {
      ctx.addIssue({
        code: 'custom',
        path: ['signingSecret'],
        message: 'HTTP mode needs the signing secret, e.g. signingSecret: { env: SLACK_SIGNING_SECRET }',
      })
    }
  })

export type SlackConfig = z.infer<typeof slackConfigSchema>

export interface SlackSecrets {
  readonly botToken: string
  readonly appToken?: string | undefined
  readonly signingSecret?: string | undefined
}

const PREFIXES = { botToken: 'xoxb-', appToken: 'xapp-' } as const

/**
 * Resolves the secret references, and (at start, `checkKinds`) checks the tokens' kinds: a user token or
 * the app-level token where the bot token belongs is the usual paste mistake. `check-config` resolves
 * only, as for every other secret (tools check configs with placeholder values). Problems come back by
 * config key; values are never shown.
 */
export function resolveSlackSecrets(
  config: SlackConfig,
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly checkKinds?: boolean } = {},
): { secrets?: SlackSecrets; problems: { key: string; message: string }[] } {
  const problems: { key: string; message: string }[] = []
  const read = (key: 'botToken' | 'appToken' | 'signingSecret'): string | undefined => {
    const ref = config[key]
    if (!ref) return undefined
    try {
      const value = resolveSecret(ref, env)
      const prefix = key === 'signingSecret' ? undefined : PREFIXES[key]
      if (options.checkKinds !== false && prefix && !value.startsWith(prefix)) {
        problems.push({ key, message: `must be a token starting with ${prefix} (check which token was pasted)` })
      }
      return value
    } catch (error) {
      problems.push({ key, message: (error as Error).message })
      return undefined
    }
  }
  const botToken = read('botToken')
  const appToken = config.mode === 'socket' ? read('appToken') : undefined
  const signingSecret = config.mode === 'http' ? read('signingSecret') : undefined
  if (problems.length > 0 || botToken === undefined) return { problems }
  return { secrets: { botToken, appToken, signingSecret }, problems }
}
