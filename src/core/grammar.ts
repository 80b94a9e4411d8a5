/**
 * The text grammar every adapter shares: `/docker ps web-1 --all`, `"quoted words"`, `--key value`,
 * `--key=value`, and positional arguments mapped by the command's `positional` list. Slack slash
 * commands and the terminal send text; Discord sends options, which its adapter maps the same way.
 */
import { UserError } from './errors.js'

/** Splits a line into words, honouring '…' and "…" quotes and backslash escapes. */
export function tokenize(line: string): string[] {
  const words: string[] = []
  let current = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (ch === '\\' && i + 1 < line.length && quote !== "'") {
      current += line[++i]
      inWord = true
    } else if (quote) {
      if (ch === quote) quote = undefined
      else current += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += ch
      inWord = true
    }
  }
  if (quote) throw new UserError('grammar.unclosed_quote', `a ${quote} quote is not closed`)
  if (inWord) words.push(current)
  return words
}

export interface ParsedArgs {
  readonly positional: readonly string[]
  /** `--key value` pairs; a bare `--flag` is `true`. */
  readonly named: Readonly<Record<string, string | true>>
}

/**
 * Separates options from positional words. `booleanFlags` lists options that take no value, so that
 * `--all web-1` does not swallow `web-1`.
 */
export function parseArgs(words: readonly string[], booleanFlags: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = []
  const named: Record<string, string | true> = {}
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    if (word === '--') {
      positional.push(...words.slice(i + 1))
      break
    }
    if (!word.startsWith('--') || word.length === 2) {
      positional.push(word)
      continue
    }
    const eq = word.indexOf('=')
    const key = (eq > 0 ? word.slice(2, eq) : word.slice(2)).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    if (eq > 0) named[key] = word.slice(eq + 1)
    else if (booleanFlags.has(key)) named[key] = true
    else {
      const value = words[i + 1]
      if (value === undefined || value.startsWith('--')) {
        throw new UserError('grammar.missing_value', `--${word.slice(2)} needs a value`)
      }
      named[key] = value
      i++
    }
  }
  return { positional, named }
}
