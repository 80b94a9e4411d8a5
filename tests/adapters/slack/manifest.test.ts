/**
 * The app manifest stays in step with the bot: a slash command for every chat command the registry
 * has, Socket Mode and interactivity on, and the scopes the adapter uses.
 */
import { readFileSync } from 'node:fs'
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { commands } from '../../../commands/index.js'

interface Manifest {
  features: { slash_commands: { command: string; should_escape: boolean; usage_hint?: string; description: string }[] }
  oauth_config: { scopes: { bot: string[] } }
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean }
}

const manifest = load(
  readFileSync(new URL('../../../adapters/slack/manifest.yml', import.meta.url), 'utf8'),
) as Manifest

describe('adapters/slack/manifest.yml', () => {
  it('defines a slash command for every chat command of the registry, with the text passed as typed', () => {
    const defined = manifest.features.slash_commands.map((c) => c.command)
    for (const word of new Set(commands.map((c) => c.path.split(' ')[0]))) expect(defined).toContain(`/${word}`)
    expect(defined).toContain('/coreos')
    for (const command of manifest.features.slash_commands) {
      expect(command.should_escape).toBe(false)
      expect(command.description.length).toBeLessThanOrEqual(100)
    }
  })

  it('turns on Socket Mode and interactivity, and asks for the scopes the adapter uses', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true)
    expect(manifest.settings.interactivity.is_enabled).toBe(true)
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'chat:write',
      'chat:write.public',
      'commands',
      'usergroups:read',
    ])
  })
})
