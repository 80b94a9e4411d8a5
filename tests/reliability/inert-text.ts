/**
 * What "inert" means on each platform, as checks on what a renderer produced (issue #13, hostile
 * names). Each returns the problems it finds, so a failure says where and what. The checks look for
 * outcomes, not for one escaping scheme: a mention, a broadcast, a link or markup that could still form;
 * a control or direction character that reached the screen. Zero-width characters are removed before
 * checking, so a name cannot hide `<!channel>` from the escaper by splitting it with one.
 *
 * - Slack mrkdwn: no `<` or `>` at all (every Slack control sequence starts with `<`), `&` only as the
 *   three entities, `verbatim: true` (no auto-linking of `@here`, `#channel` or URLs), nothing that
 *   closes a code fence early. Slack has no escape for `*`, `_`, `~` or a backtick in mrkdwn, so emphasis
 *   from a name is not checked there (it cannot mention, link or run out of its block).
 * - Discord markdown (content, embed titles, descriptions, fields): no unescaped `@everyone`/`@here`, no
 *   `<@…>`, `<#…>`, `<:…>`, no masked link, none of the name's emphasis or line marks left as markup,
 *   nothing that closes a code fence; and every message allows no mentions (`parse: []`).
 * - Terminal: no control character (ESC, CR, BS, BEL, C1) and no direction override.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal may show no tab either (it is folded).
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u00ad]/g

const visible = (text: string) => text.replace(ZERO_WIDTH, '')
const show = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)

/** The fenced parts of a text, and the rest. */
function fences(text: string): { inside: string[]; outside: string } {
  const inside: string[] = []
  const outside = text.replace(/```([\s\S]*?)```/g, (_, body: string) => {
    inside.push(body)
    return ' '
  })
  return { inside, outside }
}

function walk(node: unknown, visit: (value: Record<string, unknown>, path: string) => void, path = '$'): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(item, visit, `${path}[${i}]`)
  } else if (typeof node === 'object' && node !== null) {
    visit(node as Record<string, unknown>, path)
    for (const [key, value] of Object.entries(node)) walk(value, visit, `${path}.${key}`)
  }
}

function slackMrkdwn(text: string, where: string): string[] {
  const problems: string[] = []
  const seen = visible(text)
  if (/[<>]/.test(seen)) problems.push(`${where}: a raw < or > in mrkdwn: ${show(text)}`)
  if (/&(?!amp;|lt;|gt;)/.test(seen)) problems.push(`${where}: a bare & in mrkdwn: ${show(text)}`)
  if (CONTROL.test(text)) problems.push(`${where}: a control character: ${show(text)}`)
  if (fences(seen).inside.some((body) => body.includes('`'))) problems.push(`${where}: a backtick inside a fence`)
  return problems
}

/** Problems in a Slack message, view or API payload (blocks, text objects, the notification text). */
export function slackProblems(payload: unknown): string[] {
  const problems: string[] = []
  walk(payload, (node, path) => {
    if (node.type === 'mrkdwn' && typeof node.text === 'string') {
      problems.push(...slackMrkdwn(node.text, path))
      if (node.verbatim !== true) problems.push(`${path}: mrkdwn without verbatim: true`)
    } else if (node.type === 'plain_text' && typeof node.text === 'string') {
      if (CONTROL.test(node.text)) problems.push(`${path}: a control character in plain_text: ${show(node.text)}`)
    } else if (typeof node.text === 'string' && Array.isArray(node.blocks)) {
      // A message's notification text is read as mrkdwn.
      problems.push(...slackMrkdwn(node.text, `${path}.text`))
    }
  })
  return problems
}

/** The markup a hostile name brings, which must not survive unescaped outside code in Discord markdown. */
const DISCORD_MARKUP: readonly [RegExp, string][] = [
  [/(^|[^\\])@(everyone|here)/, 'a broadcast mention'],
  [/(^|[^\\])<(@|#|!|a?:|t:|\/)/, 'a mention, channel, emoji or timestamp tag'],
  [/(^|[^\\])\[[^\]\n]*\]\(/, 'a masked link'],
  [/(^|[^\\])(\*\*|__|~~|\|\|)\S/, 'emphasis, strike-through or a spoiler'],
  [/(^|[^\\*])\*[^\s*\\]/, 'italics'],
  [/(^|[^\\`])`[^`]/, 'inline code'],
  [/^\s*(#{1,3} |> |-# )/m, 'a heading, quote or subtext line'],
]

/**
 * The renderer's own delimiters around escaped text (`**Label**: value`, a `**heading**` line, a
 * `*note*` line), taken out so only what came from the text is checked; what they enclose stays.
 */
function withoutOwnMarkup(text: string): string {
  const escaped = String.raw`(?:\\.|[^*\\\n])*`
  return text
    .replace(new RegExp(String.raw`^\*\*(${escaped})\*\*(:?)`, 'gm'), ' $1$2')
    .replace(new RegExp(String.raw`^\*(${escaped})\*$`, 'gm'), ' $1')
}

function discordMarkdown(text: string, where: string): string[] {
  const problems: string[] = []
  const seen = visible(text)
  if (CONTROL.test(text)) problems.push(`${where}: a control character: ${show(text)}`)
  const { inside, outside } = fences(seen)
  if (inside.some((body) => body.includes('`'))) problems.push(`${where}: a backtick inside a fence`)
  const theirs = withoutOwnMarkup(outside)
  for (const [pattern, what] of DISCORD_MARKUP) {
    if (pattern.test(theirs)) problems.push(`${where}: ${what} survives: ${show(theirs)}`)
  }
  return problems
}

/** Problems in a Discord message payload (discord.js options or a REST body) or a modal. */
export function discordProblems(payload: unknown): string[] {
  const problems: string[] = []
  const root = payload as Record<string, unknown>
  if ('content' in root || 'embeds' in root) {
    const mentions = root.allowedMentions ?? root.allowed_mentions
    if (JSON.stringify(mentions) !== JSON.stringify({ parse: [] }))
      problems.push(`allowed mentions are ${JSON.stringify(mentions)}, not { parse: [] }`)
  }
  if (typeof root.content === 'string') problems.push(...discordMarkdown(root.content, '$.content'))
  walk(root.embeds ?? [], (node, path) => {
    for (const key of ['title', 'description', 'name', 'value'] as const) {
      const value = node[key]
      if (typeof value === 'string') problems.push(...discordMarkdown(value, `embeds${path.slice(1)}.${key}`))
    }
  })
  // Places Discord shows as plain text (footers, button and input labels, options): no controls there.
  walk(payload, (node, path) => {
    for (const key of ['text', 'label', 'placeholder', 'description', 'title', 'value'] as const) {
      const value = node[key]
      if (typeof value === 'string' && CONTROL.test(value)) problems.push(`${path}.${key}: a control character`)
    }
  })
  return problems
}

/** Problems in terminal output: any control or direction character but the line feed. */
export function terminalProblems(output: string): string[] {
  return output
    .split('\n')
    .flatMap((line, i) => (TERMINAL_CONTROL.test(line) ? [`line ${i + 1}: a control character: ${show(line)}`] : []))
}
