/**
 * INTERACTION_CREATE payloads as Discord sends them, typed with discord-api-types (re-exported by
 * discord.js) so a missing required field is a compile error (chat-platforms.md §4.3 pitfalls 9–11:
 * `entitlements`, the `channel` object, member.user). Each builder registers the interaction with the
 * fake and dispatches it over the gateway.
 */
import {
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIGuildInteractionWrapper,
  type APIInteractionGuildMember,
  type APIMessageComponentButtonInteraction,
  type APIModalSubmissionComponent,
  type APIModalSubmitGuildInteraction,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  type GuildMemberFlags,
  InteractionContextType,
  type InteractionType,
  Locale,
} from 'discord.js'
import { type FakeDiscord, type FakeMessage, type FakeUser, type InteractionState, snowflake } from './fake-discord.js'

type Option = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>
type BasicOption = APIApplicationCommandInteractionDataBasicOption<InteractionType.ApplicationCommand>

/** A leaf option: strings, integers and booleans as Discord types them. */
export function opt(name: string, value: string | number | boolean, focused = false): BasicOption {
  if (typeof value === 'boolean') return { name, type: ApplicationCommandOptionType.Boolean, value }
  if (typeof value === 'number') return { name, type: ApplicationCommandOptionType.Integer, value }
  return { name, type: ApplicationCommandOptionType.String, value, ...(focused ? { focused: true } : {}) }
}

export function sub(name: string, options: BasicOption[] = []): Option {
  return { name, type: ApplicationCommandOptionType.Subcommand, options }
}

function common(fake: FakeDiscord, user: FakeUser, guildId = fake.guildId) {
  const member: APIInteractionGuildMember = {
    user: { id: user.id, username: user.username, discriminator: '0', global_name: null, avatar: null },
    roles: [...user.roles],
    permissions: '2248473465835073',
    joined_at: new Date(0).toISOString(),
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
  }
  return {
    id: snowflake(),
    application_id: fake.appId,
    token: `itoken-${snowflake()}`,
    version: 1 as const,
    guild_id: guildId,
    guild: { id: guildId, locale: Locale.EnglishUS, features: [] },
    channel: { id: fake.channelId, type: ChannelType.GuildText as const, name: 'ops', guild_id: guildId },
    channel_id: fake.channelId,
    member,
    app_permissions: '2248473465835073',
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { '0': guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: 8_388_608,
  }
}

/** `/name sub option:value …` typed by `user` (in the fake's server unless `guildId` names another). */
export function chatInput(
  fake: FakeDiscord,
  user: FakeUser,
  name: string,
  options: Option[],
  guildId = fake.guildId,
): InteractionState {
  const payload: APIChatInputApplicationCommandGuildInteraction = {
    ...common(fake, user, guildId),
    type: 2,
    data: { id: snowflake(), name, type: ApplicationCommandType.ChatInput, options, guild_id: guildId },
  }
  return fake.dispatchInteraction(payload)
}

/** Autocomplete while typing: one leaf option carries `focused: true`. */
export function autocomplete(fake: FakeDiscord, user: FakeUser, name: string, options: Option[]): InteractionState {
  const payload: APIApplicationCommandAutocompleteGuildInteraction = {
    ...common(fake, user),
    type: 4,
    data: {
      id: snowflake(),
      name,
      type: ApplicationCommandType.ChatInput,
      // The same shapes; discord-api-types types them per interaction type.
      options: options as unknown as APIApplicationCommandAutocompleteGuildInteraction['data']['options'],
      guild_id: fake.guildId,
    },
  }
  return fake.dispatchInteraction(payload)
}

/** `user` presses the button `customId` on `message`. */
export function pressButton(
  fake: FakeDiscord,
  user: FakeUser,
  customId: string,
  message: FakeMessage,
): InteractionState {
  const payload: APIGuildInteractionWrapper<APIMessageComponentButtonInteraction> = {
    ...common(fake, user),
    type: 3,
    data: { custom_id: customId, component_type: ComponentType.Button },
    message: fake.apiMessage(message) as APIMessageComponentButtonInteraction['message'],
  }
  return fake.dispatchInteraction(payload)
}

/** `user` submits the modal `customId` with text values (string) or select values (string[]). */
export function submitModal(
  fake: FakeDiscord,
  user: FakeUser,
  customId: string,
  values: Readonly<Record<string, string | readonly string[]>>,
): InteractionState {
  const components: APIModalSubmissionComponent[] = Object.entries(values).map(([id, value], i) => ({
    type: ComponentType.Label,
    id: i + 1,
    component:
      typeof value === 'string'
        ? { type: ComponentType.TextInput, id: 100 + i, custom_id: id, value }
        : { type: ComponentType.StringSelect, id: 100 + i, custom_id: id, values: [...value] },
  }))
  const payload: APIModalSubmitGuildInteraction = {
    ...common(fake, user),
    type: 5,
    data: { custom_id: customId, components },
  }
  return fake.dispatchInteraction(payload)
}
