/**
 * Every string in a Reply is plain text, and much of it comes from VMs and containers (names, images,
 * labels) that anyone with a Docker socket can choose. Slack's mrkdwn is markup: `<!channel>` notifies
 * a whole channel, `<@U123>` pings a person, `<https://evil|docs>` disguises a link, `&amp;` is an
 * entity. Slack's own rule is to escape exactly `&`, `<` and `>` in text
 * (https://api.slack.com/reference/surfaces/formatting#escaping); once they are entities no control
 * sequence can form. The blocks also set `verbatim: true`, so Slack does not turn a bare URL, `#general`
 * or `@here` into a link or a mention either. Control characters and bidirectional overrides are
 * dropped: they make Slack show text in another order than it is.
 */

// C0 and C1 controls except tab and line feed, DEL, and the bidirectional embeddings, overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are removed.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/** Plain text with controls removed: for `plain_text` objects, which Slack never parses for mentions or links. */
export function plainText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(CONTROL, '')
}

/** Plain text made inert for mrkdwn: `<!channel>` becomes `&lt;!channel&gt;` and shows as typed. */
export function escapeMrkdwn(value: string): string {
  return plainText(value).replace(/[&<>]/g, (c) => ENTITIES[c] ?? c)
}

/**
 * For text inside a ``` code block: escaped as above, and backticks swapped for a look-alike (U+02CB)
 * so a name cannot close the block and put the rest of the line back into mrkdwn.
 */
export function escapeCode(value: string): string {
  return escapeMrkdwn(value).replace(/`/g, 'ˋ')
}

/** Slack sends slash-command text with `&`, `<` and `>` as entities; the shared grammar wants them back. */
export function decodeCommandText(value: string): string {
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/**
 * `value` escaped for mrkdwn (or by `encode`), cut so the result is at most `max` characters. The cut is
 * made between source characters, never inside an entity, and ends with `…`.
 */
export function cutEscaped(value: string, max: number, encode: (s: string) => string = escapeMrkdwn): string {
  if (value.length <= max) {
    const whole = encode(value)
    if (whole.length <= max) return whole
  }
  // Escaping never shortens text, so no more than `max` source characters can fit.
  let out = ''
  for (const ch of plainText(value.slice(0, max))) {
    const next = encode(ch)
    if (out.length + next.length > max - 1) break
    out += next
  }
  return `${out}…`
}

/** Plain text cut to `max` UTF-16 units with `…` (plain_text objects: labels, buttons, options, titles). */
export function cutPlain(value: string, max: number): string {
  const clean = plainText(value)
  if (clean.length <= max) return clean
  let out = ''
  for (const ch of clean) {
    if (out.length + ch.length > max - 1) break
    out += ch
  }
  return `${out}…`
}
