/**
 * The GUILD_CREATE the fake gateway sends after READY: one server with two text channels (commands and
 * alerts) and two roles (@everyone, operators), so discord.js fills its guild, channel and role caches
 * (chat-platforms.md §4.3 pitfall 17) and a member's roles resolve. Typed loosely: Discord's full guild
 * object has about 60 fields discord.js does not read.
 */
import { ChannelType } from 'discord.js'
import { type FakeDiscord, snowflake } from './fake-discord.js'

export function guildCreatePayload(fake: FakeDiscord): Record<string, unknown> {
  const role = (id: string, name: string, position: number) => ({
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: '0',
    managed: false,
    mentionable: false,
    flags: 0,
  })
  const channel = (id: string, name: string, position: number) => ({
    id,
    type: ChannelType.GuildText,
    guild_id: fake.guildId,
    name,
    position,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
  })
  return {
    id: fake.guildId,
    name: 'ops',
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: snowflake(),
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [role(fake.guildId, '@everyone', 0), role(fake.operatorRole, 'operators', 1)],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: 4,
    voice_states: [],
    members: [],
    channels: [channel(fake.channelId, 'ops', 0), channel(fake.alertChannelId, 'alerts', 1)],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  }
}
