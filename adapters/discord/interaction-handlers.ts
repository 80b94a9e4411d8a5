/**
 * One handler per kind of interaction. Each answers Discord first — a deferral, a modal or
 * autocomplete choices, all decided without XAPI or SSH I/O — and only then lets the dispatcher work.
 *
 * Visibility is decided before deferring, from what is known without I/O: help, a command the user may
 * not run, or arguments the schema rejects will be answered privately; everything else is expected in
 * the channel (results, approval cards, job cards). When the reply turns out otherwise (a private
 * confirmation, an error found while planning), the response session swaps the thinking message.
 */
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  ModalSubmitInteraction,
} from 'discord.js'
import { type Actor, ANYONE, type AnyCommand } from '../../src/core/command.js'
import { collectArgs } from '../../src/core/command-lookup.js'
import type { Dispatcher } from '../../src/core/dispatcher.js'
import { tokenize } from '../../src/core/grammar.js'
import type { FormInput, Reply } from '../../src/core/reply.js'
import type { Suggestion, Suggestions } from '../../src/core/suggestions.js'
import type { Log } from '../../src/log.js'
import { AUTOCOMPLETED, cut } from './command-json.js'
import { parseCustomId } from './custom-ids.js'
import { plainLine } from './escape-text.js'
import type { FormCache } from './form-cache.js'
import { invalidFormMessage, pageSavedMessage, withFormButton } from './form-messages.js'
import { invocationText } from './invocation-text.js'
import { replyOptions } from './message-payload.js'
import { type DiscordMessage, isApprovalRequest, renderReply } from './render-message.js'
import { fitsSelect, modalFor, pagesOf } from './render-modal.js'
import { ResponseSession, type SessionDeps } from './response-session.js'

export type BotDispatcher = Pick<Dispatcher, 'handle' | 'press' | 'submit' | 'visibleCommands'>

export interface HandlerDeps {
  readonly dispatcher: BotDispatcher
  readonly suggestions: Suggestions
  readonly commands: readonly AnyCommand[]
  readonly forms: FormCache
  readonly session: SessionDeps
  readonly approverPings: readonly string[]
  readonly log: Log
  /** How long a command that opens a form may take before it is deferred instead (the modal then sits behind a button). */
  readonly formDeadlineMs: number
}

type WithMember = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction | AutocompleteInteraction

/**
 * The actor: the Discord user id, and the member's role ids in this server as groups. The name is the
 * `@username` handle: it can never equal an id, so config that matches users by id cannot be matched
 * by someone choosing a name (config.ts also refuses Discord subjects given by name).
 */
export function actorOf(interaction: WithMember): Actor {
  const member = interaction.member
  const roles = member ? (Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()]) : []
  return { platform: 'discord', id: interaction.user.id, name: `@${interaction.user.username}`, groups: roles }
}

const NOT_KNOWN: DiscordMessage = {
  embeds: [{ description: 'This bot does not know that (it may come from an older version); try /xen help.' }],
  components: [],
}
const FORM_GONE: DiscordMessage = {
  embeds: [{ description: 'That form has expired or was already submitted; run the command again.' }],
  components: [],
}

/** Whether the dispatcher will answer privately, as far as can be known without I/O. */
function expectPrivate(
  deps: HandlerDeps,
  actor: Actor,
  command: AnyCommand,
  input: Record<string, unknown> | undefined,
) {
  if (command.permission === ANYONE) return true
  if (!deps.dispatcher.visibleCommands(actor).includes(command)) return true
  return input === undefined || !command.args.safeParse(input).success
}

/** The arguments as the dispatcher will read them; undefined when the text does not parse. */
function inputOf(command: AnyCommand, text: string): Record<string, unknown> | undefined {
  try {
    const words = tokenize(text.replace(/^\//, ''))
    return collectArgs(command, words.slice(command.path.split(' ').length))
  } catch {
    return undefined
  }
}

async function deliverReply(deps: HandlerDeps, session: ResponseSession, reply: Reply, actor: Actor): Promise<void> {
  let message = renderReply(reply)
  if (reply.form) {
    deps.forms.remember(reply.form, actor.id)
    message = withFormButton(message, reply.form)
  }
  const ping = isApprovalRequest(reply) ? deps.approverPings : []
  await session.deliver(message, reply.visibility === 'ephemeral', ping)
}

/** Discord shows at most 25 autocomplete choices, each value at most 100 characters. */
const CHOICES_MAX = 25
const CHOICE_MAX = 100

const timeout = (ms: number) =>
  new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), ms).unref()
  })

export async function onCommand(deps: HandlerDeps, interaction: ChatInputCommandInteraction): Promise<void> {
  const found = invocationText(deps.commands, interaction.commandName, interaction.options.data)
  if (!found) {
    await interaction.reply(replyOptions(NOT_KNOWN, true))
    return
  }
  const actor = actorOf(interaction)
  const input = inputOf(found.command, found.text)
  const session = new ResponseSession(interaction, deps.session)
  const invocation = { actor, text: found.text, status: session.status, interactionId: interaction.id }
  if (found.command.form && !(input && found.command.args.safeParse(input).success)) {
    // A modal must be the first answer, so this one is not deferred: the dispatcher only reads the
    // inventory to build the form. If it is slow anyway, defer and offer the form behind a button.
    const pending = deps.dispatcher.handle(invocation)
    const first = await Promise.race([pending, timeout(deps.formDeadlineMs)])
    if (first === 'timeout') {
      await session.deferReply(true)
      await deliverReply(deps, session, await pending, actor)
      return
    }
    if (first.form) {
      deps.forms.remember(first.form, actor.id)
      await interaction.showModal(modalFor(first.form, 0))
      return
    }
    await interaction.reply(replyOptions(renderReply(first), first.visibility === 'ephemeral'))
    return
  }
  await session.deferReply(expectPrivate(deps, actor, found.command, input))
  await deliverReply(deps, session, await deps.dispatcher.handle(invocation), actor)
}

export async function onButton(deps: HandlerDeps, interaction: ButtonInteraction): Promise<void> {
  const id = parseCustomId(interaction.customId)
  const actor = actorOf(interaction)
  if (id?.kind === 'form') {
    const held = deps.forms.get(id.token, actor.id)
    if (!held) return void (await interaction.reply(replyOptions(FORM_GONE, true)))
    await interaction.showModal(modalFor(held.form, id.page, held.values))
    return
  }
  if (id?.kind !== 'press') return void (await interaction.reply(replyOptions(NOT_KNOWN, true)))
  const session = new ResponseSession(interaction, deps.session)
  await session.deferUpdate()
  const reply = await deps.dispatcher.press({
    actor,
    token: id.token,
    status: session.status,
    interactionId: interaction.id,
  })
  await deliverReply(deps, session, reply, actor)
}

/** The values one page of a modal carries, by input id; inputs Discord did not send are left out. */
function valuesOf(interaction: ModalSubmitInteraction, inputs: readonly FormInput[]): Record<string, string> {
  const values: Record<string, string> = {}
  for (const input of inputs) {
    try {
      values[input.id] = fitsSelect(input)
        ? (interaction.fields.getStringSelectValues(input.id)[0] ?? '')
        : interaction.fields.getTextInputValue(input.id)
    } catch {
      // Not in the submission (an optional select left empty, or a form changed since): not given.
    }
  }
  return values
}

export async function onModal(deps: HandlerDeps, interaction: ModalSubmitInteraction): Promise<void> {
  const id = parseCustomId(interaction.customId)
  const actor = actorOf(interaction)
  const held = id?.kind === 'modal' ? deps.forms.get(id.token, actor.id) : undefined
  if (id?.kind !== 'modal' || !held) return void (await interaction.reply(replyOptions(FORM_GONE, true)))
  const pages = pagesOf(held.form)
  const given = valuesOf(interaction, pages[id.page] ?? [])
  const values = deps.forms.addValues(id.token, actor.id, given)
  if (id.page < pages.length - 1) {
    await interaction.reply(replyOptions(pageSavedMessage(held.form, id.page), true))
    return
  }
  const session = new ResponseSession(interaction, deps.session)
  await session.deferReply(false)
  const outcome = await deps.dispatcher.submit({
    actor,
    token: id.token,
    values,
    status: session.status,
    interactionId: interaction.id,
  })
  if (outcome.kind === 'reply') {
    deps.forms.clearValues(id.token)
    return deliverReply(deps, session, outcome.reply, actor)
  }
  // The values stay (memory only, until the form expires): "fix and resubmit" reopens only the page
  // with the first problem, and the other pages' values must still be there when it comes back.
  deps.forms.remember(outcome.form, actor.id)
  await session.deliver(invalidFormMessage(outcome), true)
}

/** Choices from the inventory, ranked and limited to what the user may read; never an XAPI call. */
export async function onAutocomplete(deps: HandlerDeps, interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true)
  const actor = actorOf(interaction)
  const typed = String(focused.value)
  const kind = AUTOCOMPLETED[focused.name as keyof typeof AUTOCOMPLETED]
  let found: Suggestion[] = []
  if (kind === 'vm') found = deps.suggestions.vms(actor, typed, CHOICES_MAX)
  else if (kind === 'pool') found = deps.suggestions.pools(actor, typed)
  else if (kind === 'container') {
    found = deps.suggestions.containers(actor, interaction.options.getString('vm') ?? '', typed, CHOICES_MAX)
  }
  const choices = found
    .filter((s) => s.value.length <= CHOICE_MAX)
    .slice(0, CHOICES_MAX)
    .map((s) => ({ name: cut(plainLine(s.label), CHOICE_MAX) || s.value, value: s.value }))
  await interaction.respond(choices)
}
