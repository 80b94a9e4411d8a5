/**
 * Issue #14: the image's recipe, read the way scripts/replay-dockerfile.ts reads it (.ci/run replays
 * it in full; this checks its shape on every test run): a build stage with the toolchain, a runtime
 * stage on the same slim Node 20 image without it, running as a non-root user with a data volume and
 * a HEALTHCHECK that needs nothing but node; and a .dockerignore that keeps local state and secrets
 * out of the context but lets through everything the Dockerfile copies.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type Instruction, parseDockerfile, parseDockerignore } from '../../scripts/dockerfile.js'
import { ROOT } from '../cli/built-cli.js'

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
const ignored = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))
const [build, runtime] = dockerfile.stages
const all = (keyword: string, stage = runtime) => stage?.instructions.filter((i) => i.keyword === keyword) ?? []
const last = (keyword: string): Instruction | undefined => all(keyword).at(-1)

describe('Dockerfile', () => {
  it('builds in one stage and runs in a second one from the same slim Node 20 image', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime'])
    expect(build?.image).toMatch(/^node:20-[a-z]+-slim$/)
    expect(runtime?.image).toBe(build?.image)
  })

  it('compiles with the toolchain and the dev dependencies, then keeps only the production ones', () => {
    const runs = all('RUN', build).map((i) => i.shell ?? '')
    expect(runs.some((r) => /apt-get install .*\bpython3\b.*\bmake\b.*\bg\+\+/.test(r))).toBe(true)
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((c) => runs.findIndex((r) => r.startsWith(c)))
    expect(order.every((i) => i >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(
      all('RUN')
        .map((i) => i.shell)
        .join('\n'),
    ).not.toMatch(/apt-get|npm (ci|install)/)
  })

  it('runs as the unprivileged node user with /data as a volume it owns', () => {
    expect(last('USER')?.args).toBe('node')
    expect(all('VOLUME').map((i) => i.args)).toEqual(['/data'])
    expect(all('RUN').some((i) => /chown node:node \/data/.test(i.shell ?? ''))).toBe(true)
  })

  it('copies compiled code and production modules, not the sources or tests', () => {
    const copies = all('COPY').map((i) => `${i.flags.from ?? 'context'}: ${i.shell}`)
    expect(copies).toContain('build: /src/node_modules ./node_modules')
    expect(copies).toContain('build: /src/dist ./dist')
    expect(copies.join('\n')).not.toMatch(/\b(src|tests)\s/)
  })

  it('checks health with node against /healthz and starts the CLI with the mounted config', () => {
    const check = last('HEALTHCHECK')
    expect(check?.exec?.slice(0, 2)).toEqual(['node', '-e'])
    expect(check?.exec?.[2]).toContain('process.env.XEN_CHATOPS_HEALTH_URL')
    const env = all('ENV').map((i) => i.shell)
    expect(env).toContain('XEN_CHATOPS_HEALTH_URL=http://127.0.0.1:9464/healthz')
    expect(last('ENTRYPOINT')?.exec).toEqual(['node', '/app/bin/xen-chatops.js'])
    expect(last('CMD')?.exec).toEqual(['--config', '/etc/xen-chatops/config.yaml'])
    expect(last('WORKDIR')?.args).toBe('/etc/xen-chatops')
  })
})

describe('.dockerignore', () => {
  it('keeps built, installed, local and secret files out of the build context', () => {
    for (const path of ['node_modules/zod/package.json', 'dist/src/cli.js', 'data/xen-chatops.db', '.git']) {
      expect(ignored(path), path).toBe(true)
    }
    expect(ignored('secrets/modern-pool-password')).toBe(true)
    expect(ignored('debug.log')).toBe(true)
  })

  it('lets through every file the Dockerfile copies from the context', () => {
    const sources = dockerfile.stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && i.flags.from === undefined)
      .flatMap((i) => (i.shell ?? '').split(/\s+/).slice(0, -1))
    expect(sources).toContain('package-lock.json')
    for (const source of sources) expect(ignored(source), source).toBe(false)
  })
})

describe('the Dockerfile reader', () => {
  it('joins continued lines, skips comments, substitutes ARG defaults and refuses what it does not know', () => {
    const parsed = parseDockerfile(
      'ARG BASE=node:20-slim\n# a comment\nFROM $BASE AS one\nRUN echo a \\\n  # inside\n  && echo b\n',
    )
    expect(parsed.stages[0]?.image).toBe('node:20-slim')
    expect(parsed.stages[0]?.instructions[0]?.shell).toBe('echo a && echo b')
    expect(() => parseDockerfile('FROM x\nONBUILD RUN x\n')).toThrow(/ONBUILD is not an instruction/)
    expect(() => parseDockerignore('!keep')).toThrow(/exception lines/)
    expect(parseDockerignore('**/*.tmp')('a/b/c.tmp')).toBe(true)
  })
})
