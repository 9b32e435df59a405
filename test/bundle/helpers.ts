/**
 * Test helpers: build real bundles from test/fixtures/policies with the pinned opa, temp dirs,
 * and a tiny tar writer for archives opa would never write (traversal, links, pax names).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'policies')

let opa: string | undefined
export const opaPath = (): string =>
  (opa ??= execFileSync(join(repoRoot, 'scripts', 'ensure-opa.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim())

interface Teardown {
  teardown(fn: () => void): void
}

/** A fresh temp dir removed when the test ends. */
export function tempDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bundle-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface BuildOptions {
  /** `wasm` (default) or `rego` (a plain bundle, no wasm module). */
  target?: 'wasm' | 'rego'
  entrypoint?: string
  revision?: string
  /** Declare the test-only builtins of test/fixtures/policies/test-builtins.json. */
  testBuiltins?: boolean
}

/** Runs `opa build -b <fixture>` into `outDir` and returns the .tar.gz path. */
export function buildFixture(fixture: string, outDir: string, options: BuildOptions = {}): string {
  const out = join(outDir, `${fixture}-${options.target ?? 'wasm'}-${(options.entrypoint ?? 'gateway/decision').replace('/', '.')}.tar.gz`)
  const args = ['build', '-b', join(fixturesDir, fixture), '-o', out]
  if ((options.target ?? 'wasm') === 'wasm') args.push('-t', 'wasm', '-e', options.entrypoint ?? 'gateway/decision')
  if (options.revision !== undefined) args.push('--revision', options.revision)
  if (options.testBuiltins) {
    const caps = JSON.parse(execFileSync(opaPath(), ['capabilities', '--current'], { encoding: 'utf8' }))
    caps.builtins.push(...JSON.parse(readFileSync(join(fixturesDir, 'test-builtins.json'), 'utf8')))
    const capsFile = join(outDir, 'capabilities.json')
    writeFileSync(capsFile, JSON.stringify(caps))
    args.push('--capabilities', capsFile)
  }
  execFileSync(opaPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
  return out
}

/** Unpacks a .tar.gz with the system tar (an independent reader) into `dir`. */
export function extractWithTar(archive: string, dir: string): string {
  execFileSync('tar', ['-xzf', archive, '-C', dir], { stdio: ['ignore', 'ignore', 'ignore'] })
  return dir
}

/** Lists a tar archive's member names with the system tar. */
export function listWithTar(archive: string): string[] {
  return execFileSync('tar', ['-tzf', archive], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter(Boolean)
}

export interface TarEntrySpec {
  name: string
  /** Tar type flag: '0' file (default), '2' symlink, '1' hardlink, '5' directory, '3' char device... */
  type?: string
  content?: string | Uint8Array
  linkname?: string
  /** Put `name` in a pax extended header (the ustar name field gets a placeholder). */
  pax?: boolean
  /** Put `name` in a GNU long-name entry (GNU magic). */
  gnuLongName?: boolean
  /** Override the size written in the header (to lie about it). */
  size?: number
  /** Corrupt the header checksum. */
  badChecksum?: boolean
}

const BLOCK = 512
const enc = new TextEncoder()

const putString = (block: Uint8Array, offset: number, length: number, text: string) => {
  const bytes = enc.encode(text)
  if (bytes.length > length) throw new Error(`tar writer: \`${text}\` does not fit ${length} bytes`)
  block.set(bytes, offset)
}
const putOctal = (block: Uint8Array, offset: number, length: number, value: number) =>
  putString(block, offset, length, value.toString(8).padStart(length - 1, '0'))

const pad = (bytes: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK)
  out.set(bytes)
  return out
}

function header(name: string, type: string, size: number, opts: { linkname?: string; gnu?: boolean; badChecksum?: boolean } = {}): Uint8Array {
  const h = new Uint8Array(BLOCK)
  putString(h, 0, 100, name)
  putOctal(h, 100, 8, 0o644)
  putOctal(h, 108, 8, 0)
  putOctal(h, 116, 8, 0)
  putOctal(h, 124, 12, size)
  putOctal(h, 136, 12, 0)
  h.fill(0x20, 148, 156)
  putString(h, 156, 1, type)
  if (opts.linkname) putString(h, 157, 100, opts.linkname)
  if (opts.gnu) putString(h, 257, 8, 'ustar  ')
  else {
    putString(h, 257, 6, 'ustar')
    putString(h, 263, 2, '00')
  }
  let sum = 0
  for (const b of h) sum += b
  putString(h, 148, 8, `${(sum + (opts.badChecksum ? 1 : 0)).toString(8).padStart(6, '0')}\0 `)
  return h
}

const paxRecord = (key: string, value: string): string => {
  const body = ` ${key}=${value}\n`
  let length = body.length + 1
  while (`${length}${body}`.length !== length) length = `${length}${body}`.length
  return `${length}${body}`
}

/** Writes an uncompressed tar archive. */
export function makeTar(entries: TarEntrySpec[]): Uint8Array {
  const parts: Uint8Array[] = []
  for (const e of entries) {
    const content = typeof e.content === 'string' ? enc.encode(e.content) : (e.content ?? new Uint8Array())
    const type = e.type ?? '0'
    let name = e.name
    if (e.pax) {
      const records = enc.encode(paxRecord('path', e.name))
      parts.push(header('PaxHeaders/x', 'x', records.length), pad(records))
      name = 'placeholder'
    } else if (e.gnuLongName) {
      const long = enc.encode(`${e.name}\0`)
      parts.push(header('././@LongLink', 'L', long.length, { gnu: true }), pad(long))
      name = e.name.slice(0, 99)
    }
    parts.push(
      header(name, type, e.size ?? content.length, {
        ...(e.linkname ? { linkname: e.linkname } : {}),
        gnu: e.gnuLongName ?? false,
        badChecksum: e.badChecksum ?? false,
      }),
      pad(content),
    )
  }
  parts.push(new Uint8Array(BLOCK * 2))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** makeTar, gzipped. */
export const makeTarGz = (entries: TarEntrySpec[]): Uint8Array => gzipSync(makeTar(entries))
