/**
 * Making VM-, container- and user-controlled text inert on Discord. `allowed_mentions: { parse: [] }`
 * already stops every ping (FireController1847/discord-bot-best-practices PR #3: zero-width spaces no
 * longer do); on top of that, text is escaped so it also *renders* as typed: `@everyone` shows as text,
 * `<@123>` does not become a mention pill, `[x](url)` does not become a masked link, `**` is not bold.
 * Discord's markdown treats a backslash before any punctuation as an escape, so escaping more than the
 * strictly needed characters is harmless.
 */

// The terminal's set (adapters/shell/render-text.ts): C0 and C1 controls, DEL, and the bidirectional
// overrides and isolates that make text read in another order than it is stored.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are removed.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Inline markdown, mention, masked-link and emoji syntax; each gets a backslash in front. */
const INLINE = /[\\*_~`|<>[\]@]/g
/**
 * Block syntax, only at the start of a line: headers, lists, quotes, subtext, numbered lists. The
 * backslash goes before punctuation only (`1\.`): before a digit Discord would show it.
 */
const LINE_START = /^(\s*)(?:([#>+-])|(\d+)\.)/gm

/** Control characters removed; tabs and line breaks folded to spaces (one-line places: titles, labels). */
export function plainLine(value: string): string {
  return value.replace(/[\t\n\r\u2028\u2029]+/g, ' ').replace(CONTROL, '')
}

/** Control characters removed, line breaks kept. */
export function plainLines(value: string): string {
  return value
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
}

/** For places Discord renders as markdown (embed titles, descriptions, field values, message content). */
export function escapeMarkdown(value: string, multiline = false): string {
  return (multiline ? plainLines(value) : plainLine(value))
    .replace(INLINE, (c) => `\\${c}`)
    .replace(LINE_START, (_, space: string, mark: string | undefined, digits: string | undefined) =>
      mark === undefined ? `${space}${digits}\\.` : `${space}\\${mark}`,
    )
    .replace(/:\/\//g, '\\://')
}

/**
 * For a cell inside a ``` code block: nothing renders there, but a backtick could close the block, so
 * it becomes a look-alike (U+02CB), and the cell is one line.
 */
export function codeCell(value: string): string {
  return plainLine(value).replace(/`/g, 'ˋ')
}
