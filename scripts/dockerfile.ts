/**
 * Reads the project's Dockerfile and .dockerignore into plain data, for scripts/replay-dockerfile.ts
 * (which replays the build without a Docker engine) and for the tests that check the image's recipe.
 * It understands the subset of the Dockerfile syntax the project uses and refuses the rest by name,
 * so a new kind of line cannot be skipped silently by the replay.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  readonly keyword: string
  /** The text after the keyword, continuation lines joined. */
  readonly args: string
  /** `--name=value` flags before the arguments (COPY --from, HEALTHCHECK --interval, …). */
  readonly flags: Readonly<Record<string, string>>
  /** The arguments after the flags: exec form (a JSON array) decoded, shell form as one string. */
  readonly exec?: readonly string[] | undefined
  readonly shell?: string | undefined
  /** 1-based line of the keyword, for messages. */
  readonly line: number
}

export interface Stage {
  readonly name: string
  readonly image: string
  readonly instructions: readonly Instruction[]
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM (they may be used in FROM lines). */
  readonly globalArgs: Readonly<Record<string, string>>
  readonly stages: readonly Stage[]
}

const KNOWN = new Set([
  'ARG',
  'FROM',
  'RUN',
  'COPY',
  'WORKDIR',
  'ENV',
  'USER',
  'VOLUME',
  'EXPOSE',
  'HEALTHCHECK',
  'ENTRYPOINT',
  'CMD',
  'LABEL',
])

/** Joins `\`-continued lines and drops comments and blank lines; keeps the line number of each start. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = []
  let current: { text: string; line: number } | undefined
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim()
    // A comment inside a continued instruction is dropped, as Docker does.
    if (trimmed.startsWith('#') || (trimmed === '' && !current)) return
    const continued = trimmed.endsWith('\\')
    const body = continued ? trimmed.slice(0, -1).trimEnd() : trimmed
    current = current ? { text: `${current.text} ${body}`, line: current.line } : { text: body, line: i + 1 }
    if (!continued) {
      out.push(current)
      current = undefined
    }
  })
  if (current) out.push(current)
  return out
}

function parseInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(text)
  const keyword = (match?.[1] ?? '').toUpperCase()
  if (!KNOWN.has(keyword)) throw new Error(`Dockerfile line ${line}: ${keyword} is not an instruction the replay knows`)
  let rest = match?.[2] ?? ''
  const flags: Record<string, string> = {}
  for (let flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest); flag; flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
    flags[flag[1] ?? ''] = flag[2] ?? ''
    rest = rest.slice(flag[0].length)
  }
  // HEALTHCHECK's own arguments are `CMD <command>` or `NONE`.
  const command = keyword === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/, '') : rest
  let exec: string[] | undefined
  if (command.startsWith('[')) {
    const parsed: unknown = JSON.parse(command)
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
      throw new Error(`Dockerfile line ${line}: the exec form must be a JSON array of strings`)
    }
    exec = parsed
  }
  return { keyword, args: rest, flags, exec, shell: exec ? undefined : command, line }
}

/** `${NAME}` and `$NAME` from `args`; an unknown name is an error (Docker would substitute ''). */
export function substitute(text: string, args: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced, bare) => {
    const name = String(braced ?? bare)
    const value = args[name]
    if (value === undefined) throw new Error(`the Dockerfile uses \${${name}} without an ARG default`)
    return value
  })
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {}
  const stages: { name: string; image: string; instructions: Instruction[] }[] = []
  for (const { text: line, line: number } of logicalLines(text)) {
    const instruction = parseInstruction(line, number)
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)
      if (!from) throw new Error(`Dockerfile line ${number}: FROM <image> [AS <name>] expected`)
      const image = substitute(from[1] ?? '', globalArgs)
      stages.push({ name: from[2] ?? String(stages.length), image, instructions: [] })
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`Dockerfile line ${number}: only ARG may come before FROM`)
      const [name, value] = instruction.args.split('=', 2)
      globalArgs[name ?? ''] = value ?? ''
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  if (stages.length === 0) throw new Error('the Dockerfile has no FROM')
  return { globalArgs, stages }
}

/** `KEY=value` pairs of an ENV line (the only ENV form the project uses). */
export function envPairs(instruction: Instruction): [string, string][] {
  return (instruction.shell ?? '').split(/\s+/).map((pair) => {
    const eq = pair.indexOf('=')
    if (eq < 1) throw new Error(`Dockerfile line ${instruction.line}: write ENV as KEY=value`)
    return [pair.slice(0, eq), pair.slice(eq + 1)]
  })
}

/** A .dockerignore pattern as a RegExp on slash-separated paths relative to the context. */
function patternToRegExp(pattern: string): RegExp {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? ''
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      out += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*'
      i += pattern[i + 2] === '/' ? 2 : 1
    } else if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/**
 * What .dockerignore excludes from the build context. A path is out when a pattern matches it or one
 * of its parent directories. Exception lines (`!pattern`) are refused rather than half-understood.
 */
export function parseDockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      if (l.startsWith('!')) throw new Error(`.dockerignore: exception lines (${l}) are not supported by the replay`)
      return patternToRegExp(l.replace(/^\/+/, '').replace(/\/+$/, ''))
    })
  return (path) => {
    const parts = path.split('/')
    return parts.some((_, i) => {
      const prefix = parts.slice(0, i + 1).join('/')
      return patterns.some((p) => p.test(prefix))
    })
  }
}
