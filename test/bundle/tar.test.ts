import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { readTar } from '../../src/bundle/tar.js'
import { DEFAULT_BUNDLE_LIMITS } from '../../src/bundle/limits.js'
import { listWithTar, makeTar, makeTarGz, tempDir, type TarEntrySpec } from './helpers.js'

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))
const read = (tar: Uint8Array, limits = DEFAULT_BUNDLE_LIMITS) => readTar(tar, limits)

/** Archives a directory with the system tar in the given format (uncompressed). */
const systemTar = (t: Parameters<typeof tempDir>[0], dir: string, format: string): Uint8Array => {
  const out = join(tempDir(t), 'out.tar')
  execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', dir, '.'], { stdio: 'ignore' })
  return readFileSync(out)
}

const refuses = (t: Test, tar: Uint8Array, pattern: RegExp, code = 'bundle_invalid', limits = DEFAULT_BUNDLE_LIMITS) =>
  t.throws(() => read(tar, limits), { name: 'GatewayError', code, message: pattern })

t.test('regular files are read with the leading slash opa writes removed', async t => {
  const files = read(makeTar([{ name: '/data.json', content: '{"a":1}' }, { name: './x/y.rego', content: 'package y' }, { name: 'dir/', type: '5' }]))
  t.same([...files.keys()].sort(), ['data.json', 'x/y.rego'])
  t.equal(text(files.get('data.json')), '{"a":1}')
  t.equal(text(files.get('x/y.rego')), 'package y')
})

t.test('the test tar writer agrees with the system tar on names', async t => {
  const dir = tempDir(t)
  const archive = join(dir, 'a.tar.gz')
  const long = `${'d'.repeat(120)}/policy.wasm`
  writeFileSync(archive, makeTarGz([{ name: '/data.json', content: '{}' }, { name: long, pax: true, content: 'x' }, { name: `g/${long}`, gnuLongName: true }]))
  t.same(listWithTar(archive), ['/data.json', long, `g/${long}`])
})

for (const format of ['pax', 'gnu', 'ustar']) {
  t.test(`long names written by the system tar in ${format} format are read in full`, async t => {
    const dir = tempDir(t)
    // ustar splits a long path into prefix + name: keep each segment short.
    const deep = format === 'ustar' ? Array.from({ length: 12 }, (_, i) => `segment${i}`).join('/') : 'n'.repeat(150)
    mkdirSync(join(dir, 'src', deep), { recursive: true })
    writeFileSync(join(dir, 'src', deep, 'data.json'), '{"deep":true}')
    const files = read(systemTar(t, join(dir, 'src'), format))
    t.equal(text(files.get(`${deep}/data.json`)), '{"deep":true}')
    t.equal(files.size, 1, 'directories are not files')
  })
}

t.test('a name given by a pax header overrides the ustar name field', async t => {
  const files = read(makeTar([{ name: 'gateway/config/data.json', pax: true, content: '{}' }]))
  t.same([...files.keys()], ['gateway/config/data.json'])
})

t.test('a pax size record overrides the header size', async t => {
  // The entry's header claims 0 bytes; the pax record before it says 3 (its content block is there).
  const tar = makeTar([{ name: 'PaxHeaders/x', type: 'x', content: '10 size=3\n' }, { name: 'f.txt', content: 'abc', size: 0 }])
  t.equal(text(read(tar).get('f.txt')), 'abc')
})

t.test('an entry that climbs out of the bundle with .. is refused', async t => {
  const dir = tempDir(t)
  const archive = join(dir, 'evil.tar.gz')
  writeFileSync(archive, makeTarGz([{ name: '../x', content: 'x' }]))
  t.same(listWithTar(archive), ['../x'], 'the system tar sees the same name')
  refuses(t, makeTar([{ name: '../x', content: 'x' }]), /escapes the bundle root/)
  refuses(t, makeTar([{ name: 'a/../../x', content: 'x' }]), /escapes the bundle root/)
  refuses(t, makeTar([{ name: 'a/b', pax: true }, { name: '../c', pax: true }]), /escapes the bundle root/)
  refuses(t, makeTar([{ name: `${'a/'.repeat(10)}../x`, gnuLongName: true }]), /escapes the bundle root/)
})

t.test('absolute host paths, backslashes and empty names are refused', async t => {
  refuses(t, makeTar([{ name: '//etc/passwd' }]), /absolute path/)
  refuses(t, makeTar([{ name: 'C:/x' }]), /Windows/)
  refuses(t, makeTar([{ name: 'a\\..\\x' }]), /backslash/)
  refuses(t, makeTar([{ name: '/' }]), /empty path/)
})

t.test('a symlink archived by the system tar is refused', async t => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'src', 'data.json'), '{}')
  symlinkSync('/etc/passwd', join(dir, 'src', 'policy.wasm'))
  refuses(t, systemTar(t, join(dir, 'src'), 'pax'), /policy.wasm` is a link/)
})

t.test('hard links, devices, fifos and unknown entry types are refused', async t => {
  refuses(t, makeTar([{ name: 'data.json', content: '{}' }, { name: 'copy.json', type: '1', linkname: 'data.json' }]), /is a link/)
  refuses(t, makeTar([{ name: 'x', type: '2', linkname: '/etc/passwd' }]), /is a link/)
  refuses(t, makeTar([{ name: 'tty', type: '3' }]), /device or fifo/)
  refuses(t, makeTar([{ name: 'disk', type: '4' }]), /device or fifo/)
  refuses(t, makeTar([{ name: 'pipe', type: '6' }]), /device or fifo/)
  refuses(t, makeTar([{ name: 'sparse', type: 'S' }]), /unsupported type `S`/)
})

t.test('the same path twice is refused rather than letting the last one win', async t => {
  refuses(t, makeTar([{ name: '/policy.wasm', content: 'a' }, { name: 'policy.wasm', content: 'b' }]), /appears twice/)
})

t.test('a corrupted header checksum is refused', async t => {
  refuses(t, makeTar([{ name: 'data.json', content: '{}', badChecksum: true }]), /checksum mismatch/)
})

t.test('a truncated archive is refused', async t => {
  const tar = makeTar([{ name: 'data.json', content: 'x'.repeat(2000) }])
  refuses(t, tar.subarray(0, 1024), /truncated inside an entry/)
  refuses(t, tar.subarray(0, 512 + 2048), /truncated \(no end-of-archive marker\)/)
  refuses(t, makeTar([{ name: 'f', content: 'abc', size: 5000 }]), /truncated/)
})

t.test('bytes that are not a ustar archive are refused', async t => {
  refuses(t, new TextEncoder().encode('hello '.repeat(200)), /not a ustar archive/)
})

t.test('an extension header with no entry after it is refused', async t => {
  const tar = makeTar([{ name: 'x', pax: true }])
  // Drop the real entry (header + empty content) that follows the pax header and its payload.
  const withoutEntry = new Uint8Array([...tar.subarray(0, 1024), ...new Uint8Array(1024)])
  refuses(t, withoutEntry, /extension header without an entry/)
})

t.test('archives over the entry or byte limits are refused as too large', async t => {
  const entries: TarEntrySpec[] = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, content: 'x'.repeat(100) }))
  refuses(t, makeTar(entries), /more than 4 entries/, 'bundle_too_large', { maxEntries: 4, maxBytes: 1e6 })
  refuses(t, makeTar(entries), /more than 450 bytes/, 'bundle_too_large', { maxEntries: 100, maxBytes: 450 })
  t.equal(read(makeTar(entries), { maxEntries: 5, maxBytes: 500 }).size, 5, 'exactly at the limits is fine')
})

t.test('malformed pax records are refused', async t => {
  const withPax = (records: string | Uint8Array) => makeTar([{ name: 'PaxHeaders/x', type: 'x', content: records }, { name: 'f', content: 'x' }])
  refuses(t, withPax('no-space-here'), /malformed pax record/)
  refuses(t, withPax('x path=a\n'), /malformed pax record length `x`/)
  refuses(t, withPax('99 path=a\n'), /malformed pax record/)
  refuses(t, withPax('9 path=a\t'), /malformed pax record/)
  refuses(t, withPax('7 =abc\n'), /malformed pax record/)
  refuses(t, withPax('11 size=-1\n'), /pax size `-1` is not a decimal size/)
  refuses(t, withPax(new Uint8Array([...new TextEncoder().encode('9 path='), 0xff, 0x0a])), /pax record is not UTF-8/)
})

t.test('header fields that are not what ustar allows are refused', async t => {
  const tar = makeTar([{ name: 'f', content: 'x' }])
  const patched = (offset: number, bytes: number[]) => {
    const copy = tar.slice()
    copy.set(bytes, offset)
    // Recompute the checksum so only the patched field is wrong.
    copy.fill(0x20, 148, 156)
    const sum = copy.subarray(0, 512).reduce((a, b) => a + b, 0)
    copy.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148)
    return copy
  }
  refuses(t, patched(124, [0x80]), /base-256/)
  refuses(t, patched(124, [0x39]), /entry size is not octal/)
  refuses(t, patched(0, [0xff, 0xfe]), /entry name is not UTF-8/)
  refuses(t, patched(0, [0x61, 0x5c, 0x62]), /backslash/)
  refuses(t, makeTar([{ name: 'x', type: 'K', content: 'target' }, { name: 'y', type: '2' }]), /is a link/)
})

t.test('a name with a NUL byte inside a pax path is refused', async t => {
  refuses(t, makeTar([{ name: 'a\0b', pax: true }]), /NUL byte/)
})
