/**
 * Reply → terminal text, a pure function: every block kind as it reads, and what the escaping does
 * to hostile strings (container names, labels, error texts carry whatever the guest put there).
 */
import { describe, expect, it } from 'vitest'
import { renderReply, renderStatusCard, sanitize } from '../../../adapters/shell/render-text.js'
import {
  actions,
  type Block,
  channelReply,
  context,
  fields,
  privateReply,
  type StatusCard,
  table,
  text,
} from '../../../src/core/reply.js'

const render = (...blocks: Block[]) => renderReply(channelReply(...blocks))

/** Characters a terminal would act on: C0 (but the line feed), DEL, C1. */
function controlsIn(value: string): string[] {
  return [...value].filter((c) => {
    const code = c.codePointAt(0) ?? 0
    return (code < 0x20 && c !== '\n') || (code >= 0x7f && code <= 0x9f)
  })
}

/** Each hostile piece: clear the screen, return to column 0, bell, C1 CSI (the one-byte ESC [). */
const HOSTILE = 'evil\u001b[2Jname\rover\u0007x\u009b31mred'

describe('renderReply', () => {
  it('aligns table columns to the widest cell, upper-cases the header, and trims trailing spaces', () => {
    const out = render(
      table(
        ['VM', 'pool', 'IP', 'containers'],
        [
          ['web-1', 'lab-legacy', '10.10.0.11', '4 running / 5'],
          ['builder-no-tools', 'lab-legacy', '—', '—'],
          ['ci-runner', 'lab-modern', '10.20.0.11', ''],
        ],
      ),
    )
    expect(out.split('\n')).toEqual([
      'VM                POOL        IP          CONTAINERS',
      'web-1             lab-legacy  10.10.0.11  4 running / 5',
      'builder-no-tools  lab-legacy  —           —',
      'ci-runner         lab-modern  10.20.0.11',
    ])
  })

  it('counts characters, not UTF-16 units or bytes, so arrows and dashes line up', () => {
    const out = render(
      table(
        ['name', 'ports', 'status'],
        [
          ['nginx-front', '8080→80/tcp, 8443→443/tcp', 'Up'],
          ['redis', '—', 'Exited (0)'],
        ],
      ),
    )
    expect(out.split('\n')).toEqual([
      'NAME         PORTS                      STATUS',
      'nginx-front  8080→80/tcp, 8443→443/tcp  Up',
      'redis        —                          Exited (0)',
    ])
    // The status column starts at the same character (11 + 2 + 25 + 2) in every line.
    expect(out.split('\n').map((l) => [...l].slice(40).join(''))).toEqual(['STATUS', 'Up', 'Exited (0)'])
  })

  it('fills missing cells with nothing, ignores extra ones, and prints the note under the table', () => {
    expect(render(table(['a', 'b'], [['1'], ['22', '3', 'ignored']], '12 more not shown')).split('\n')).toEqual([
      'A   B',
      '1',
      '22  3',
      '12 more not shown',
    ])
  })

  it('marks text styles, upper-cases headings, and keeps plain text as it is', () => {
    expect(
      render(
        text('Commands you can run', 'heading'),
        text('just text'),
        text('restart done', 'success'),
        text('Confirm: restart nightly-report?', 'warning'),
        text('you need the docker.operate permission', 'error'),
      ).split('\n'),
    ).toEqual([
      'COMMANDS YOU CAN RUN',
      'just text',
      '✓ restart done',
      '! Confirm: restart nightly-report?',
      '✗ you need the docker.operate permission',
    ])
  })

  it('aligns field values after the longest label', () => {
    expect(
      render(fields({ VM: 'web-1', Pool: 'lab-legacy', Backend: 'xscontainer (monitor on)' })).split('\n'),
    ).toEqual(['VM:      web-1', 'Pool:    lab-legacy', 'Backend: xscontainer (monitor on)'])
  })

  it('puts context in parentheses and buttons as [Label·token]', () => {
    expect(
      renderReply(
        privateReply(
          actions({ token: 'k3f9x2', label: 'Confirm', style: 'danger' }, { token: 'q7w8e9', label: 'Cancel' }),
          context('Only you can press these; they expire in 5 minute(s).'),
        ),
      ),
    ).toBe('[Confirm·k3f9x2] [Cancel·q7w8e9]\n(Only you can press these; they expire in 5 minute(s).)')
  })

  it('renders a status card: state mark and word in the title, a mark per step, details after a dash', () => {
    const card: StatusCard = {
      title: 'Build web-3',
      state: 'running',
      steps: [
        { label: 'clone template', state: 'done' },
        { label: 'write config drive', state: 'done', detail: '1.2 MiB' },
        { label: 'boot', state: 'running' },
        { label: 'wait for Docker', state: 'pending' },
        { label: 'attach ISO', state: 'skipped' },
        { label: 'tag', state: 'failed', detail: 'VM_BAD_POWER_STATE' },
      ],
      detail: 'started by alice',
    }
    const lines = [
      '… Build web-3 (running)',
      '  ✓ clone template',
      '  ✓ write config drive — 1.2 MiB',
      '  … boot',
      '  · wait for Docker',
      '  - attach ISO',
      '  ✗ tag — VM_BAD_POWER_STATE',
      '  started by alice',
    ]
    expect(renderStatusCard(card)).toEqual(lines)
    expect(render({ kind: 'status', card })).toBe(lines.join('\n'))
    expect(renderStatusCard({ ...card, state: 'succeeded', steps: [], detail: undefined })).toEqual([
      '✓ Build web-3 (succeeded)',
    ])
    expect(renderStatusCard({ ...card, state: 'failed', steps: [], detail: undefined })).toEqual([
      '✗ Build web-3 (failed)',
    ])
    expect(renderStatusCard({ ...card, state: 'cancelled', steps: [], detail: undefined })).toEqual([
      '✗ Build web-3 (cancelled)',
    ])
    // The bot stopped while the job ran: a warning, not a failure it cannot know about.
    expect(renderStatusCard({ ...card, state: 'interrupted', steps: [], detail: undefined })).toEqual([
      '! Build web-3 (interrupted)',
    ])
  })

  it('removes every control character from a hostile container name, wherever it is shown', () => {
    const out = render(
      text(HOSTILE, 'heading'),
      table(['name', 'status'], [[HOSTILE, 'Up']], HOSTILE),
      fields({ [HOSTILE]: HOSTILE }),
      context(HOSTILE),
      actions({ token: HOSTILE, label: HOSTILE }),
      {
        kind: 'status',
        card: {
          title: HOSTILE,
          state: 'running',
          steps: [{ label: HOSTILE, state: 'running', detail: HOSTILE }],
          detail: HOSTILE,
        },
      },
    )
    expect(controlsIn(out)).toEqual([])
    expect(out).not.toContain('\u001b')
    expect(out).not.toContain('\r')
    expect(out).not.toContain('\u0007')
    expect(out).not.toContain('\u009b')
    // What is left is printable and still recognisable; the carriage return became a space.
    const clean = 'evil[2Jname overx31mred'
    expect(sanitize(HOSTILE)).toBe(clean)
    expect(out.split('\n')).toEqual([
      clean.toUpperCase(),
      `NAME${' '.repeat(clean.length - 4)}  STATUS`,
      `${clean}  Up`,
      clean,
      `${clean}: ${clean}`,
      `(${clean})`,
      `[${clean}·${clean}]`,
      `… ${clean} (running)`,
      `  … ${clean} — ${clean}`,
      `  ${clean}`,
    ])
  })

  it('removes bidirectional overrides and folds tabs and line separators in one-line places', () => {
    expect(sanitize('gpj.\u202eexe\u2066x\u2069')).toBe('gpj.exex')
    expect(sanitize('a\tb\nc\u2028d')).toBe('a b c d')
  })

  it('keeps a multi-line error text multi-line, continuation lines indented, each line cleaned', () => {
    expect(
      render(
        text('vm: Too small: expected string to have >=1 characters\r\nusage: /docker ps <vm>\n\u001b[2Jlast', 'error'),
      ),
    ).toBe('✗ vm: Too small: expected string to have >=1 characters\n  usage: /docker ps <vm>\n  [2Jlast')
  })

  it('renders an empty reply as nothing', () => {
    expect(renderReply(privateReply())).toBe('')
  })
})
