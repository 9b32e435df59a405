import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import t, { type Test } from 'tap'
import { defaultBundlePath, loadBundle, POLICY_ENTRYPOINT, type BundleFs } from '../../src/bundle/index.js'
import { buildFixture, extractWithTar, makeTarGz, repoRoot, tempDir, type TarEntrySpec } from './helpers.js'

const work = tempDir(t)
const tarGz = buildFixture('basic', work, { revision: 'rev-42' })
const noWasm = buildFixture('basic', work, { target: 'rego' })
const otherEntrypoint = buildFixture('basic', work, { entrypoint: 'other/rule' })

const expectedData = {
  gateway: {
    owner: 'tests',
    config: {
      environments: { dev: { allow_writes: true, timeout_s: 60 }, prod: { allow_writes: false, timeout_s: 30 } },
    },
    limits: { max_commands: 3, blocked_tools: ['rm', 'dd'] },
  },
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]

/** The files of an opa-built archive (as the system tar extracts them), ready to repack by hand. */
const filesOf = (archive: string): Record<string, Uint8Array> => {
  const dir = extractWithTar(archive, tempDir(t))
  const out: Record<string, Uint8Array> = {}
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else out[`/${path}`] = readFileSync(join(dir, path))
    }
  }
  walk('')
  return out
}
const repack = (files: Record<string, Uint8Array | string>): Uint8Array =>
  makeTarGz(Object.entries(files).map(([name, content]): TarEntrySpec => ({ name, content })))

const rejects = (t: Test, source: string | Uint8Array, code: string, message: RegExp, deps = {}) =>
  t.rejects(loadBundle(source, deps), { name: 'GatewayError', code, message })

t.test('a .tar.gz built by opa -t wasm loads with its module, data, manifest and revision', async t => {
  const bundle = await loadBundle(tarGz)
  t.same([...bundle.wasm.subarray(0, 4)], WASM_MAGIC)
  t.same(bundle.data, expectedData)
  t.equal(bundle.revision, 'rev-42')
  t.equal(bundle.manifest.revision, 'rev-42')
  t.same(bundle.manifest.wasm, [{ entrypoint: POLICY_ENTRYPOINT, module: '/policy.wasm' }])
  t.same(bundle.entrypoints, [POLICY_ENTRYPOINT])
  t.equal(bundle.source, tarGz)
  t.equal(bundle.signed, false)
})

t.test('the same bundle loads from its bytes and from an unpacked directory', async t => {
  const fromPath = await loadBundle(tarGz)
  const fromBytes = await loadBundle(readFileSync(tarGz))
  t.equal(fromBytes.source, '<bytes>')
  const dir = extractWithTar(tarGz, tempDir(t))
  const fromDir = await loadBundle(dir)
  t.equal(fromDir.source, dir)
  for (const other of [fromBytes, fromDir]) {
    t.same(other.data, fromPath.data)
    t.same(other.revision, fromPath.revision)
    t.same(other.entrypoints, fromPath.entrypoints)
    t.ok(Buffer.from(other.wasm).equals(Buffer.from(fromPath.wasm)), 'same wasm bytes')
  }
})

t.test('an empty manifest revision becomes null', async t => {
  t.equal((await loadBundle(buildFixture('echo', tempDir(t)))).revision, null)
})

t.test('data files in subdirectories of a directory bundle merge at their directory path', async t => {
  const dir = extractWithTar(tarGz, tempDir(t))
  mkdirSync(join(dir, 'gateway', 'config'), { recursive: true })
  writeFileSync(join(dir, 'gateway', 'config', 'data.json'), '{"environments": {"staging": {"allow_writes": false}}}')
  mkdirSync(join(dir, 'team'))
  writeFileSync(join(dir, 'team', 'data.yaml'), 'members:\n  - ada\n  - alan\n')
  const bundle = await loadBundle(dir)
  const gateway = bundle.data.gateway as typeof expectedData.gateway & { config: { environments: Record<string, unknown> } }
  t.same(Object.keys(gateway.config.environments).sort(), ['dev', 'prod', 'staging'])
  t.same(gateway.config.environments.staging, { allow_writes: false })
  t.same(gateway.limits, { max_commands: 3, blocked_tools: ['rm', 'dd'] }, 'the root data.json is still there')
  t.same(bundle.data.team, { members: ['ada', 'alan'] })
})

t.test('data files in a hand-made archive merge at their paths, scalars included', async t => {
  const files = filesOf(tarGz)
  const bundle = await loadBundle(
    repack({ ...files, '/gateway/extra/data.json': '{"on": true}', '/gateway/limits/max_depth/data.json': '7', '/x.rego': 'package x' }),
  )
  const gateway = bundle.data.gateway as Record<string, unknown>
  t.same(gateway.extra, { on: true })
  t.same(gateway.limits, { max_commands: 3, blocked_tools: ['rm', 'dd'], max_depth: 7 })
})

t.test('two data files that set the same value differently are refused', async t => {
  const dir = extractWithTar(tarGz, tempDir(t))
  mkdirSync(join(dir, 'gateway', 'limits'), { recursive: true })
  writeFileSync(join(dir, 'gateway', 'limits', 'data.json'), '{"max_commands": 4}')
  await rejects(t, dir, 'bundle_data_invalid', /gateway\/limits\/data.json` conflicts with another data file at data.gateway.limits.max_commands/)
})

t.test('invalid data files are refused', async t => {
  const files = filesOf(tarGz)
  await rejects(t, repack({ ...files, '/data.json': '{"gateway": ' }), 'bundle_data_invalid', /`data.json` does not parse/)
  await rejects(t, repack({ ...files, '/data.json': '[1, 2]' }), 'bundle_data_invalid', /`data.json` must hold a JSON object/)
  await rejects(t, repack({ ...files, '/a/data.yaml': 'a: [' }), 'bundle_data_invalid', /`a\/data.yaml` does not parse/)
})

t.test('a directory bundle with a symbolic link is refused', async t => {
  const dir = extractWithTar(tarGz, tempDir(t))
  mkdirSync(join(dir, 'gateway'))
  symlinkSync('/etc', join(dir, 'gateway', 'config'))
  await rejects(t, dir, 'bundle_invalid', /`gateway\/config` is a symbolic link/)
})

t.test('a directory bundle over the limits is refused as too large', async t => {
  const dir = extractWithTar(tarGz, tempDir(t))
  await rejects(t, dir, 'bundle_too_large', /more than 1000 bytes/, { limits: { maxBytes: 1000 } })
  await rejects(t, dir, 'bundle_too_large', /more than 2 entries/, { limits: { maxEntries: 2 } })
})

t.test('a missing path is bundle_not_found', async t => {
  await rejects(t, join(work, 'nope.tar.gz'), 'bundle_not_found', /nope.tar.gz` does not exist/)
  await rejects(t, join(tarGz, 'inside'), 'bundle_not_found', /does not exist/)
})

t.test('a file the loader cannot read is bundle_unreadable', async t => {
  const fs: BundleFs = {
    stat: async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
    },
    lstat: async () => {
      throw new Error('unused')
    },
    readFile: async () => new Uint8Array(),
    readdir: async () => [],
  }
  await rejects(t, '/some/bundle.tar.gz', 'bundle_unreadable', /cannot read bundle `\/some\/bundle.tar.gz`: EACCES: permission denied/, { fs })
})

t.test('a file that is not gzip, a corrupted gzip and a gzip of something else are refused', async t => {
  const dir = tempDir(t)
  const text = join(dir, 'bundle.tar.gz')
  writeFileSync(text, 'not a bundle')
  await rejects(t, text, 'bundle_invalid', /is not a gzip file/)

  const corrupted = Buffer.from(readFileSync(tarGz))
  for (let i = 100; i < 140; i++) corrupted[i] = (corrupted[i] as number) ^ 0xff
  await rejects(t, corrupted, 'bundle_invalid', /`<bytes>` is not a valid gzip stream/)
  await rejects(t, readFileSync(tarGz).subarray(0, 200), 'bundle_invalid', /not a valid gzip stream/)
  await rejects(t, gzipSync('just some text, not a tar archive, long enough to fill a header block. '.repeat(10)), 'bundle_invalid', /not a ustar archive/)
})

t.test('a gzip bomb stops at the byte limit', async t => {
  const bomb = gzipSync(new Uint8Array(20 * 1024 * 1024))
  t.ok(bomb.length < 100 * 1024, 'small on disk')
  await rejects(t, bomb, 'bundle_too_large', /inflates to more than 1048576 bytes/, { limits: { maxBytes: 1024 * 1024 } })
  await rejects(t, tarGz, 'bundle_too_large', /larger than 100 bytes/, { limits: { maxBytes: 100 } })
})

t.test('a bundle built without -t wasm is refused as having no wasm module', async t => {
  await rejects(t, noWasm, 'bundle_no_wasm', /has no wasm module \(build it with `opa build -t wasm -e gateway\/decision`\)/)
})

t.test('a bundle whose module lacks gateway/decision is refused naming the entrypoints it has', async t => {
  await rejects(t, otherEntrypoint, 'bundle_missing_entrypoint', /`policy.wasm` has no entrypoint gateway\/decision \(it has: other\/rule\)/)
})

t.test('a manifest that claims gateway/decision cannot stand in for the module', async t => {
  const files = filesOf(otherEntrypoint)
  const manifest = JSON.stringify({ revision: 'lie', wasm: [{ entrypoint: POLICY_ENTRYPOINT, module: '/policy.wasm' }] })
  await rejects(t, repack({ ...files, '/.manifest': manifest }), 'bundle_missing_entrypoint', /has no entrypoint gateway\/decision/)
})

t.test('without a manifest the module is /policy.wasm and there is no revision', async t => {
  const { '/.manifest': _manifest, ...files } = filesOf(tarGz)
  const bundle = await loadBundle(repack(files))
  t.equal(bundle.revision, null)
  t.same(bundle.manifest, {})
  t.same(bundle.entrypoints, [POLICY_ENTRYPOINT])
})

t.test('the module the manifest names for gateway/decision is the one loaded', async t => {
  const { '/policy.wasm': wasm, ...files } = filesOf(tarGz)
  const manifest = JSON.stringify({ wasm: [{ entrypoint: POLICY_ENTRYPOINT, module: '/modules/gw.wasm' }] })
  const bundle = await loadBundle(repack({ ...files, '/.manifest': manifest, '/modules/gw.wasm': wasm as Uint8Array, '/policy.wasm': 'decoy' }))
  t.ok(Buffer.from(bundle.wasm).equals(Buffer.from(wasm as Uint8Array)))
  await rejects(t, repack({ ...files, '/.manifest': manifest }), 'bundle_invalid', /names wasm module `\/modules\/gw.wasm` for gateway\/decision, but the bundle has no such file/)
})

t.test('an invalid manifest is refused', async t => {
  const files = filesOf(tarGz)
  await rejects(t, repack({ ...files, '/.manifest': '{"revision": ' }), 'bundle_manifest_invalid', /\.manifest is not JSON/)
  await rejects(t, repack({ ...files, '/.manifest': '{"wasm": "policy.wasm"}' }), 'bundle_manifest_invalid', /\.manifest is invalid: wasm:/)
  await rejects(t, repack({ ...files, '/.manifest': '{"revision": 7}' }), 'bundle_manifest_invalid', /revision:/)
})

t.test('a wasm file that is not an OPA module is refused', async t => {
  const files = filesOf(tarGz)
  await rejects(t, repack({ ...files, '/policy.wasm': 'not wasm at all' }), 'bundle_invalid', /`policy.wasm` is not an OPA wasm module/)
})

t.test('a bundle with .signatures.json is marked signed (not verified)', async t => {
  const files = filesOf(tarGz)
  t.equal((await loadBundle(repack({ ...files, '/.signatures.json': '{"signatures": []}' }))).signed, true)
})

t.test('the default bundle is dist/bundle.tar.gz at the package root', async t => {
  t.equal(defaultBundlePath(), join(repoRoot, 'dist', 'bundle.tar.gz'))
})
