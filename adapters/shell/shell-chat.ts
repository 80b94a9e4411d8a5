/**
 * The terminal chat: the demo's adapter, and a scriptable one. On a terminal it shows a prompt and
 * redraws status cards in place; with piped input it reads one command per line, echoes it, prints
 * each reply as plain text without escape sequences, and exits 0 at the end of the input.
 * `/as <user>` switches the acting user, `/press <token>` presses a button. On a terminal, Tab completes
 * command words and, through the `complete` option, the arguments after them (VM names).
 */
import { createInterface, type Interface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { AlertSink } from '../../src/core/alert-sink.js'
import type { Actor } from '../../src/core/command.js'
import type { Dispatcher } from '../../src/core/dispatcher.js'
import { tokenize } from '../../src/core/grammar.js'
import type { Form, Reply, StatusCard } from '../../src/core/reply.js'
import { renderInvalid } from './render-form.js'
import { renderReply, renderStatusCard, sanitize } from './render-text.js'
import { createShellAlertSink } from './shell-alert-sink.js'

/** What the chat needs of the dispatcher: running a line, and pressing a button. */
export type ChatDispatcher = Pick<Dispatcher, 'handle' | 'press' | 'submit'>

export interface ShellChatOptions {
  readonly dispatcher: ChatDispatcher
  readonly input: Readable
  /** A terminal's output has `columns`; lines wider than that take several rows when a card is redrawn. */
  readonly output: Writable & { readonly columns?: number | undefined }
  /** A terminal: prompt, in-place card updates. Otherwise plain transcript output. */
  readonly interactive: boolean
  readonly user: string
  /** Command lines Tab completes on a terminal: `/docker ps`, `/xen help`… (the terminal's own are added). */
  readonly commandWords?: readonly string[] | undefined
  /**
   * Candidates for the word being typed after a complete command (VM names for the acting user); given
   * the whole line so far. Only used on a terminal.
   */
  readonly complete?: ((line: string) => readonly string[]) | undefined
}

/** The terminal's own commands, completed with the bot's. */
const LOCAL_COMMANDS = ['/as', '/press', '/submit', '/quit', '/exit', '/?']

const LOCAL_HELP = [
  'terminal commands: /as <user> switches user, /press <token> presses a button,',
  '  /submit <token> name=value … fills in a form, /quit leaves',
  'everything else goes to the bot: try /xen help',
].join('\n')

export class ShellChat {
  readonly #options: ShellChatOptions
  #user: string
  /** Form token → ids of its secret inputs (masked in the echoed transcript). */
  readonly #secretInputs = new Map<string, Set<string>>()
  /** Rows the last status card occupies, when it is the last thing on screen (to redraw it). */
  #cardLines = 0
  /** The line editor while run() reads a terminal: an alert printed meanwhile redraws the prompt after it. */
  #rl: Interface | undefined

  constructor(options: ShellChatOptions) {
    this.#options = options
    this.#user = options.user
  }

  get user(): string {
    return this.#user
  }

  #actor(): Actor {
    return { platform: 'shell', id: this.#user, name: this.#user }
  }

  #print(text: string): void {
    this.#cardLines = 0
    this.#options.output.write(`${text}\n`)
  }

  /** Issue #11: alerts for the terminal chat, printed between the replies (and above the prompt). */
  alertSink(): AlertSink {
    return createShellAlertSink((text) => {
      if (this.#rl && this.#options.interactive) this.#options.output.write('\r\u001b[2K')
      this.#print(text)
      if (this.#rl && this.#options.interactive) this.#rl.prompt(true)
    })
  }

  /** Screen rows `lines` take: long lines wrap on a terminal of known width. */
  #rows(lines: readonly string[]): number {
    const columns = this.#options.output.columns
    if (!(typeof columns === 'number' && columns > 0)) return lines.length
    return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil([...line].length / columns)), 0)
  }

  async #status(card: StatusCard): Promise<void> {
    const lines = renderStatusCard(card)
    if (!this.#options.interactive) {
      // A transcript shows where a job started and how it ended, not every intermediate edit.
      if (this.#cardLines === 0 || card.state !== 'running') this.#print(lines.join('\n'))
      this.#cardLines = card.state === 'running' ? lines.length : 0
      return
    }
    // Move up over the previous rendering of this card and clear it, then draw the new one.
    if (this.#cardLines > 0) this.#options.output.write(`\u001b[${this.#cardLines}F\u001b[J`)
    this.#options.output.write(`${lines.join('\n')}\n`)
    this.#cardLines = this.#rows(lines)
  }

  /**
   * readline's completer: `[candidates, what they replace]`. While the line is still a prefix of a
   * command (`/docker p`) it completes the command; after one it completes the last word through the
   * `complete` option, keeping only candidates that start with that word.
   */
  complete(line: string): [string[], string] {
    const typed = line.trimStart()
    const commands = [...new Set([...(this.#options.commandWords ?? []), ...LOCAL_COMMANDS])].sort()
    const commandHits = commands.filter((c) => c.startsWith(typed) && c !== typed)
    const afterCommand = commands.some((c) => typed.startsWith(`${c} `))
    if (!afterCommand) return [commandHits.length > 0 ? commandHits : commands.filter((c) => c === typed), typed]
    const word = /(\S*)$/.exec(line)?.[1] ?? ''
    let candidates: readonly string[] = []
    try {
      candidates = this.#options.complete?.(line) ?? []
    } catch {
      // A completion that fails must not take the terminal down with it.
      candidates = []
    }
    return [[...new Set(candidates.filter((c) => c.startsWith(word)))], word]
  }

  /** Handles one line; returns false when the user asked to leave. */
  async handleLine(raw: string): Promise<boolean> {
    const line = raw.trim()
    if (line === '') return true
    if (!this.#options.interactive) this.#print(`${this.#user}> ${sanitize(this.#masked(line))}`)
    const [word = '', ...rest] = line.split(/\s+/)
    switch (word) {
      case '/quit':
      case '/exit':
        return false
      case '/as': {
        // The name is echoed in every prompt: no control characters in it either.
        const user = sanitize(rest[0] ?? '')
        if (!user) this.#print('usage: /as <user>')
        else {
          this.#user = user
          this.#print(`(now acting as ${user})`)
        }
        return true
      }
      case '/press': {
        const token = rest[0]
        if (!token) {
          this.#print('usage: /press <token>')
          return true
        }
        const reply = await this.#options.dispatcher.press({
          actor: this.#actor(),
          token,
          status: (c) => this.#status(c),
        })
        this.#show(reply)
        return true
      }
      case '/submit':
        await this.#submit(line.slice('/submit'.length))
        return true
      case '/?':
        this.#print(LOCAL_HELP)
        return true
    }
    const reply = await this.#options.dispatcher.handle({
      actor: this.#actor(),
      text: line,
      status: (c) => this.#status(c),
    })
    this.#show(reply)
    return true
  }

  #show(reply: Reply): void {
    if (reply.form) this.#remember(reply.form)
    this.#print(renderReply(reply))
  }

  /** The secret inputs of a form shown here, so their values are masked when the transcript echoes a line. */
  #remember(form: Form): void {
    const secrets = form.inputs.filter((i) => i.kind === 'text' && i.secret).map((i) => i.id)
    if (secrets.length > 0) this.#secretInputs.set(form.token, new Set(secrets))
  }

  /** The line as the transcript shows it: a secret typed into `/submit` appears as `[secret]`. */
  #masked(line: string): string {
    const [word, token] = line.split(/\s+/)
    const secrets = word === '/submit' && token ? this.#secretInputs.get(token) : undefined
    if (!secrets) return line
    let words: string[]
    try {
      words = tokenize(line)
    } catch {
      return `/submit ${token} [unreadable line not echoed]`
    }
    return words
      .map((w) => {
        const eq = w.indexOf('=')
        return eq > 0 && secrets.has(w.slice(0, eq)) ? `${w.slice(0, eq)}=[secret]` : w
      })
      .join(' ')
  }

  /** `/submit <token> id=value …`: the values by input id, quoted as the bot's grammar quotes. */
  async #submit(rest: string): Promise<void> {
    let words: string[]
    try {
      words = tokenize(rest)
    } catch (error) {
      this.#print(`✗ ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    const [token, ...pairs] = words
    const values: Record<string, string> = {}
    const malformed = pairs.filter((pair) => !/^[A-Za-z][\w-]*=/.test(pair))
    if (!token || malformed.length > 0) {
      this.#print('usage: /submit <token> name=value … (each value after its input id and =)')
      return
    }
    for (const pair of pairs) {
      const eq = pair.indexOf('=')
      values[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    const outcome = await this.#options.dispatcher.submit({
      actor: this.#actor(),
      token,
      values,
      status: (c) => this.#status(c),
    })
    if (outcome.kind === 'reply') this.#show(outcome.reply)
    else {
      this.#remember(outcome.form)
      this.#print(renderInvalid(outcome))
    }
  }

  /** Runs until the input ends or the user quits. */
  async run(): Promise<void> {
    const rl = createInterface({
      input: this.#options.input,
      output: this.#options.interactive ? this.#options.output : undefined,
      terminal: this.#options.interactive,
      ...(this.#options.interactive ? { completer: (line: string) => this.complete(line) } : {}),
    })
    this.#rl = rl
    const prompt = () => {
      if (!this.#options.interactive) return
      rl.setPrompt(`${this.#user}> `)
      rl.prompt()
    }
    prompt()
    // Lines are handled one at a time, in order, even when the script arrives all at once.
    for await (const line of rl) {
      if (!(await this.handleLine(line))) break
      prompt()
    }
    this.#rl = undefined
    rl.close()
  }
}
