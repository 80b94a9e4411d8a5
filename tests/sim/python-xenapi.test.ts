/**
 * The second client we did not write: Python's XenAPI (Debian's python3-os-xenapi) logs in over
 * XML-RPC, reads VM.get_all_records and runs Async.VM.clone to completion against the simulator.
 * CI installs the package and sets XEN_CHATOPS_REQUIRE_PYTHON_XENAPI so this test cannot skip there.
 */
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { startSim } from '../helpers/sim.js'

const PYTHON = '/usr/bin/python3'
const available = spawnSync(PYTHON, ['-c', 'from os_xenapi.client import XenAPI'], { stdio: 'ignore' }).status === 0
const required = process.env.XEN_CHATOPS_REQUIRE_PYTHON_XENAPI === '1'
const script = fileURLToPath(new URL('./python/xenapi_smoke.py', import.meta.url))

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('Python XenAPI client against the simulator', () => {
  it('is available where it is required', () => {
    if (required)
      expect(available, 'python3-os-xenapi must be installed (apt-get install python3-os-xenapi)').toBe(true)
  })

  it.skipIf(!available)('logs in over XML-RPC, reads VM records and runs Async.VM.clone to completion', async () => {
    const sim = await startSim()
    const lab = sim.pool('lab')
    const { code, stdout, stderr } = await runPython([lab.url, lab.username, lab.password])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const seen = JSON.parse(stdout) as Record<string, unknown>
    expect(seen.api_version).toBe('2.21')
    expect(seen.vm_names).toEqual(
      expect.arrayContaining([
        'web-1',
        'db-1',
        'appliance-no-tools',
        'Debian Bookworm 12',
        'Control domain on host: lab-host-1',
      ]),
    )
    // int64 travels as a string over XML-RPC, as with real xapi.
    expect(seen.memory_type).toBe('str')
    expect(seen.task_status).toBe('success')
    expect(seen.task_result).toBe(`<value>${seen.clone_ref}</value>`)
    expect(seen.clone_is_template).toBe(true)
    expect(seen.failure).toEqual(['HANDLE_INVALID', 'VM', 'OpaqueRef:bad'])
    // event.from snapshots are typed by their class too: int64 fields (even small ones like VCPUs_max) arrive as strings.
    expect(seen.event_classes).toEqual(['vm'])
    expect(seen.event_int_types).toEqual(['str'])
    // The clone exists on the server side too.
    expect(lab.pool.store.find('VM', (r) => r.name_label === 'py-clone')).toEqual([seen.clone_ref])
  })
})
