#!/usr/bin/env node
// Builds dist/bundle.tar.gz (the embedded default policy) from rego/ with the pinned opa,
// and dist/input.schema.json from the zod schema. Run after tsc (npm run build does both).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const regoDir = join(root, 'rego')
const dist = join(root, 'dist')
const opa = execFileSync(join(root, 'scripts/ensure-opa.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()

// Only policy and config go into the bundle: tests and test data stay out.
const shipped = p => !p.endsWith('_test.rego') && !relative(regoDir, p).split('/').includes('testdata')
const walk = dir =>
  readdirSync(dir)
    .sort()
    .flatMap(name => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? walk(p) : [p]
    })
const files = walk(regoDir).filter(p => (p.endsWith('.rego') || p.endsWith('.json')) && shipped(p))

// The revision names the package version and the exact policy sources it was built from.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const digest = createHash('sha256')
for (const f of files) digest.update(relative(regoDir, f)).update('\0').update(readFileSync(f)).update('\0')
const revision = `${pkg.name}@${pkg.version}+${digest.digest('hex').slice(0, 12)}`

mkdirSync(dist, { recursive: true })
// tsc does not keep the executable bit the bin needs.
chmodSync(join(dist, 'cli/bin.js'), 0o755)
const out = join(dist, 'bundle.tar.gz') // absolute: opa runs in rego/
execFileSync(
  opa,
  // -b: rego/ is the bundle root, so rego/gateway/config/data.json lands at data.gateway.config.
  ['build', '-b', '.', '-t', 'wasm', '-e', 'gateway/decision', '--ignore', '*_test.rego', '--ignore', 'testdata', '--revision', revision, '-o', out],
  { cwd: regoDir, stdio: 'inherit' },
)

const { PolicyInput } = await import(join(dist, 'normalize/schema.js'))
const { z } = await import('zod')
const schema = z.toJSONSchema(PolicyInput, { target: 'draft-2020-12', io: 'output' })
schema.title = 'recourse-gateway policy input'
writeFileSync(join(dist, 'input.schema.json'), JSON.stringify(schema, null, 2) + '\n')
process.stderr.write(`built ${relative(root, out)} (revision ${revision}) and dist/input.schema.json\n`)
