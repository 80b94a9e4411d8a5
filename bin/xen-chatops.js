#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm run build` produces it.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/src/cli.js', import.meta.url)
if (!existsSync(cli)) {
  console.error('xen-chatops: dist/ is missing; run `npm run build` first (npm start does it for you).')
  process.exit(1)
}
await import(cli.href)
