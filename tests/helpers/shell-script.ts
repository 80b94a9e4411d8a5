/**
 * The terminal chat driven line by line, as a person (or a piped script) types it: the real ShellChat
 * in transcript mode over in-memory streams, on a real dispatcher. `type(line)` runs one line and
 * returns what the chat printed for it; tokens are read back from what was printed, as a user would.
 */
import { PassThrough } from 'node:stream'
import { type ChatDispatcher, ShellChat } from '../../adapters/shell/shell-chat.js'

export interface ScriptedShell {
  /** Runs one line and resolves with everything the chat printed for it. */
  type(line: string): Promise<string>
  transcript(): string
}

export function scriptedShell(dispatcher: ChatDispatcher, user: string): ScriptedShell {
  const output = new PassThrough()
  let written = ''
  output.setEncoding('utf8').on('data', (chunk: string) => {
    written += chunk
  })
  const shell = new ShellChat({ dispatcher, input: new PassThrough(), output, interactive: false, user })
  return {
    type: async (line) => {
      const from = written.length
      await shell.handleLine(line)
      await new Promise((resolve) => setImmediate(resolve))
      return written.slice(from)
    },
    transcript: () => written,
  }
}

/** The token of the form a reply opened (`form <token>: …`). */
export function formToken(printed: string): string {
  const token = /^form (\S+): /m.exec(printed)?.[1]
  if (!token) throw new Error(`no form in:\n${printed}`)
  return token
}

/** The token of the button labelled `label` (`[label·token]`). */
export function buttonToken(printed: string, label: string): string {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const token = new RegExp(`\\[${escaped}·([^\\]\\s]+)\\]`).exec(printed)?.[1]
  if (!token) throw new Error(`no "${label}" button in:\n${printed}`)
  return token
}
