#!/usr/bin/env node
// Normalizes test/golden/cases.json (requests + expected decisions) into
// rego/testdata/golden/data.json, which `opa test` asserts with rego/gateway/golden_test.rego.
// The tap suite checks the committed file is what this produces and replays the same cases
// through the built WASM bundle, so what ships is what was tested. Run after `npm run build`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { goldenData } = await import(join(root, 'dist/normalize/golden.js'))
const cases = JSON.parse(readFileSync(join(root, 'test/golden/cases.json'), 'utf8'))
const out = join(root, 'rego/testdata/golden/data.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify(goldenData(cases)) + '\n')
process.stderr.write(`wrote ${cases.length} golden inputs to rego/testdata/golden/data.json\n`)
