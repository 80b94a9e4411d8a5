/**
 * Reply → Block Kit and Form → modal (pure). Golden files (golden/*.json) hold the main layouts as
 * Slack receives them; `UPDATE_GOLDEN=1 npx vitest run tests/adapters/slack/to-blocks.test.ts`
 * rewrites them after a deliberate change (review the diff). Beyond the goldens: every renderer output
 * stays within Block Kit's limits however large the input, hostile text is inert, and the limits
 * checker itself catches each kind of violation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { messageProblems, viewProblems } from '../../../adapters/slack/block-limits.js'
import { cutEscaped, decodeCommandText, escapeCode, escapeMrkdwn } from '../../../adapters/slack/escape-mrkdwn.js'
import { cardToMessage, formPromptMessage, pageCount, replyToMessage } from '../../../adapters/slack/to-blocks.js'
import { formToView, suggestOptions, valuesOfView, viewErrors } from '../../../adapters/slack/to-modal.js'
import { approvalCard } from '../../../src/core/approvals.js'
import { jobCard } from '../../../src/core/jobs.js'
import {
  actions,
  channelReply,
  context,
  type Form,
  fields,
  privateReply,
  type Reply,
  table,
  text,
} from '../../../src/core/reply.js'
import type { ApprovalRecord, JobRecord } from '../../../src/core/store-ports.js'

function golden(name: string, value: unknown): void {
  const file = new URL(`./golden/${name}.json`, import.meta.url)
  const actual = `${JSON.stringify(value, null, 2)}\n`
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual)
  if (!existsSync(file)) throw new Error(`no golden file ${name}.json: run with UPDATE_GOLDEN=1 and review it`)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

const HOUR = 60 * 60_000
const AT = Date.UTC(2026, 10, 29, 16, 0)

const psReply = (rows: number): Reply =>
  channelReply(
    fields({ VM: 'web-1', Pool: 'lab-legacy', Host: 'xs76-a', IP: '10.10.0.11', Backend: 'xscontainer (registered)' }),
    table(
      ['NAME', 'KEY', 'IMAGE', 'STATUS', 'PORTS'],
      Array.from({ length: rows }, (_, i) => [
        i === 0 ? 'nginx-front' : `worker-${String(i).padStart(2, '0')}`,
        `c81f0b54${String(i).padStart(2, '0')}`,
        i === 0 ? 'nginx:1.25' : 'busybox:1.36',
        'Up',
        i === 0 ? '8080→80/tcp, 8443→443/tcp' : '—',
      ]),
    ),
    context(`${rows} running of ${rows}`),
  )

const approval: ApprovalRecord = {
  id: 'k3f9qa',
  state: 'pending',
  path: 'docker restart',
  args: { vm: 'web-1', container: 'nginx-front' },
  planDigest: 'digest',
  planSummary: 'restart nginx-front (c81f0b54e8) in web-1',
  requesterKey: 'slack:U0ALICE',
  requesterName: 'alice',
  quorum: 1,
  approvals: [],
  createdAt: AT,
  expiresAt: AT + HOUR / 2,
}

const job: JobRecord = {
  id: '9c715012',
  state: 'running',
  path: 'docker restart',
  summary: 'restart nginx-front (c81f0b54e8) in web-1',
  requesterKey: 'slack:U0ALICE',
  requesterName: 'alice',
  steps: [
    { label: 'restart nginx-front in web-1', state: 'done' },
    { label: 'see the new state in the container list', state: 'running' },
  ],
  createdAt: AT,
  updatedAt: AT,
}

const form: Form = {
  token: 'f-1234',
  title: 'Create a Docker-ready VM',
  submitLabel: 'Create',
  inputs: [
    { kind: 'text', id: 'name', label: 'VM name', placeholder: 'web-3', hint: 'Letters, digits and -' },
    {
      kind: 'select',
      id: 'pool',
      label: 'Pool',
      options: [
        { value: 'lab-legacy', label: 'lab-legacy (XenServer 7.6)' },
        { value: 'lab-modern', label: 'lab-modern (XCP-ng 8.3)' },
      ],
      initial: 'lab-modern',
    },
    { kind: 'text', id: 'cloud_config', label: 'cloud-config', multiline: true, optional: true, maxLength: 65_536 },
    { kind: 'text', id: 'password', label: 'One-time password', secret: true, initial: 'never shown', optional: true },
  ],
}

const HOSTILE = '<!channel> <@U0BOSS> <https://evil.example|docs> & `tick` *bold* \u202Eevil\u202C \u0007bell'

describe('Reply → Block Kit (golden)', () => {
  it('a container list', () => golden('docker-ps', replyToMessage(psReply(5))))
  it('an approval card', () => golden('approval-card', replyToMessage(channelReply(...approvalCard(approval)))))
  it('a job card', () => golden('job-card', cardToMessage(jobCard(job))))
  it('help', () =>
    golden(
      'help',
      replyToMessage(
        privateReply(
          text('Commands you can run', 'heading'),
          table(
            ['command', 'what it does'],
            [
              ['/docker ps <vm> [--all]', 'List the containers of a VM (running ones unless --all)'],
              ['/xen help', 'What you can run'],
            ],
          ),
          context('VM and container arguments accept a name, a name prefix or a UUID; pool/vm picks a pool.'),
        ),
      ),
    ))
  it('an error', () =>
    golden(
      'error',
      replyToMessage(privateReply(text('you need the docker.read permission for that; ask an admin', 'error'))),
    ))
  it('page 2 of a long list', () => golden('paged-list', replyToMessage(psReply(45), { page: 1, pager: 'p1' })))
  it('hostile names everywhere', () =>
    golden(
      'hostile',
      replyToMessage(
        channelReply(
          text(HOSTILE, 'heading'),
          fields({ [HOSTILE]: HOSTILE }),
          table(['NAME'], [[HOSTILE]], HOSTILE),
          context(HOSTILE),
          actions({ token: 'k3f9qa:approve', label: HOSTILE }),
          {
            kind: 'status',
            card: {
              title: HOSTILE,
              state: 'failed',
              steps: [{ label: HOSTILE, state: 'failed', detail: HOSTILE }],
              detail: HOSTILE,
            },
          },
        ),
      ),
    ))
  it('a form as a modal', () => golden('form-modal', formToView(form)))
  it('a form behind a button', () =>
    golden('form-prompt', formPromptMessage(privateReply(text(form.title, 'heading')), form.token)))
})

describe('Block Kit limits, by construction', () => {
  const big = 'x'.repeat(10_000)
  const extremes: [string, Reply][] = [
    ['200 text blocks', channelReply(...Array.from({ length: 200 }, (_, i) => text(`line ${i}`)))],
    ['a 10 000-character text', channelReply(text(big), text(big, 'heading'))],
    [
      '35 fields of 3 000 characters',
      channelReply(fields(Object.fromEntries(Array.from({ length: 35 }, (_, i) => [`f${i}`, big])))),
    ],
    ['60 buttons', channelReply(actions(...Array.from({ length: 60 }, (_, i) => ({ token: `t${i}`, label: big }))))],
    [
      'a 1 000-row table of long cells',
      channelReply(
        table(
          ['a', 'b', 'c', 'd', 'e', 'f'],
          Array.from({ length: 1000 }, () => Array(6).fill(big)),
          big,
        ),
      ),
    ],
    [
      'a card with 300 long steps',
      channelReply({
        kind: 'status',
        card: {
          title: big,
          state: 'running',
          steps: Array.from({ length: 300 }, () => ({ label: big, state: 'done', detail: big })),
          detail: big,
        },
      }),
    ],
    [
      'entities everywhere',
      channelReply(text('&'.repeat(5_000)), context('<'.repeat(5_000)), table(['x'], [['>'.repeat(5_000)]])),
    ],
  ]
  for (const [what, reply] of extremes) {
    it(`${what}: within every limit, on every page`, () => {
      for (let page = 0; page < Math.min(pageCount(reply), 3); page++) {
        expect(messageProblems(replyToMessage(reply, { page, pager: 'p1' }))).toEqual([])
      }
      expect(messageProblems(replyToMessage(reply))).toEqual([])
    })
  }

  it('says what it left out', () => {
    const cut = replyToMessage(channelReply(...Array.from({ length: 200 }, (_, i) => text(`line ${i}`))))
    expect(cut.blocks).toHaveLength(50)
    expect(JSON.stringify(cut.blocks.at(-1))).toContain('151 more block(s) not shown')
    const alert = replyToMessage(psReply(45))
    expect(JSON.stringify(alert.blocks)).toContain('rows 1–20 of 45; 25 more not shown')
  })

  it('a modal of 150 inputs, 500 options and long labels fits too', () => {
    const huge: Form = {
      token: 't'.repeat(100),
      title: 'A very long form title that Slack would refuse',
      submitLabel: 'Submit this very long form now',
      inputs: Array.from({ length: 150 }, (_, i) =>
        i % 2
          ? {
              kind: 'text' as const,
              id: `in${i}`,
              label: big,
              hint: big,
              placeholder: big,
              initial: big,
              maxLength: 100_000,
            }
          : {
              kind: 'select' as const,
              id: `in${i}`,
              label: big,
              options: Array.from({ length: i === 0 ? 500 : 10 }, (_, j) => ({ value: `${big}${j}`, label: big })),
              initial: `${big}3`,
            },
      ),
    }
    const view = formToView(huge)
    expect(viewProblems(view)).toEqual([])
    expect(view.blocks).toHaveLength(100)
    expect(JSON.stringify(view.blocks[0])).toContain('external_select')
  })
})

describe('the limits checker', () => {
  it('catches each kind of violation (so the tests above can fail)', () => {
    const section = (t: string, id?: string) => ({
      type: 'section',
      ...(id ? { block_id: id } : {}),
      text: { type: 'mrkdwn', text: t },
    })
    expect(messageProblems({ blocks: Array.from({ length: 51 }, () => section('x')) })).toEqual(['blocks: 51 > 50'])
    expect(messageProblems({ blocks: [section('x'.repeat(3001))] })).toEqual(['block 0 text: 3001 > 3000 characters'])
    expect(messageProblems({ blocks: [section('a', 'same'), section('b', 'same')] })).toEqual([
      'block 1: duplicate block_id same',
    ])
    expect(
      messageProblems({
        blocks: [
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                action_id: 'a',
                text: { type: 'plain_text', text: 'y'.repeat(76) },
                value: 'v'.repeat(2001),
              },
            ],
          },
        ],
      }),
    ).toEqual([
      'block 0 element 0 button text: 76 > 75 characters',
      'block 0 element 0 button value: 2001 > 2000 characters',
    ])
    expect(messageProblems({ blocks: Array.from({ length: 5 }, () => section('x'.repeat(2900))) })).toEqual([
      'block text: 14500 > 12000 characters in all',
    ])
    expect(viewProblems({ title: { type: 'plain_text', text: 'x'.repeat(25) }, blocks: [] })).toEqual([
      'title: 25 > 24 characters',
    ])
  })
})

describe('escaping', () => {
  it('makes mentions, links and entities inert, and drops controls and direction overrides', () => {
    expect(escapeMrkdwn('<!channel> & <@U1|x>')).toBe('&lt;!channel&gt; &amp; &lt;@U1|x&gt;')
    expect(escapeMrkdwn('a\u202Eb\u0007c\td\ne')).toBe('abc\td\ne')
    expect(escapeCode('```x```')).toBe('ˋˋˋxˋˋˋ')
  })

  it('cuts between characters, never inside an entity', () => {
    expect(cutEscaped('&&&&', 7)).toBe('&amp;…')
    expect(cutEscaped('<<', 9)).toBe('&lt;&lt;')
  })

  it('decodes what Slack encodes in slash-command text', () => {
    expect(decodeCommandText('ps &lt;web&gt; &amp;&amp; x')).toBe('ps <web> && x')
  })
})

describe('modal values', () => {
  it('maps submitted option indexes back to the form’s values, and drops values it never offered', () => {
    expect(
      valuesOfView(form, {
        name: { value: { value: 'web-3' } },
        pool: { value: { selected_option: { value: 'o1' } } },
        cloud_config: { value: { value: null } },
      }),
    ).toEqual({ name: 'web-3', pool: 'lab-modern' })
    expect(valuesOfView(form, { pool: { value: { selected_option: { value: 'o9' } } } })).toEqual({})
    expect(valuesOfView(form, { pool: { value: { selected_option: { value: 'lab-legacy' } } } })).toEqual({})
  })

  it('ranks external-select options by what was typed, and puts errors under known inputs', () => {
    expect(suggestOptions(form, 'pool', 'modern').map((o) => o.text.text)).toEqual(['lab-modern (XCP-ng 8.3)'])
    expect(suggestOptions(form, 'name', 'x')).toEqual([])
    expect(viewErrors(form, { name: 'taken', other: 'cross-field' })).toEqual({ name: 'taken; cross-field' })
  })
})
