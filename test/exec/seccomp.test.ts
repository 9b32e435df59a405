import t from 'tap'
import { buildSeccompFilter } from '../../src/exec/seccomp.js'

// Decode the program and interpret it for one syscall: an independent check of the jump offsets.
type Insn = { code: number; jt: number; jf: number; k: number }
const decode = (buf: Buffer): Insn[] =>
  Array.from({ length: buf.length / 8 }, (_, i) => ({
    code: buf.readUInt16LE(i * 8),
    jt: buf.readUInt8(i * 8 + 2),
    jf: buf.readUInt8(i * 8 + 3),
    k: buf.readUInt32LE(i * 8 + 4),
  }))

const run = (prog: Insn[], data: { arch: number; nr: number; args?: number[] }): number => {
  const word = (off: number): number => {
    if (off === 0) return data.nr >>> 0
    if (off === 4) return data.arch >>> 0
    const i = (off - 16) / 8
    return (data.args?.[i] ?? 0) >>> 0
  }
  let a = 0
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc]!
    if (code === 0x20) a = word(k)
    else if (code === 0x06) return k >>> 0
    else if (code === 0x15) pc += a === k ? jt : jf
    else if (code === 0x35) pc += a >= k ? jt : jf
    else if (code === 0x45) pc += (a & k) !== 0 ? jt : jf
    else throw new Error(`unexpected opcode ${code}`)
  }
  throw new Error('fell off the end')
}

const ALLOW = 0x7fff0000
const EPERM = 0x00050001
const ENOSYS = 0x00050026
const X64 = 0xc000003e
const ARM64 = 0xc00000b7

t.test('the x64 program is whole instructions and allows ordinary syscalls', async t => {
  const buf = buildSeccompFilter('x64')!
  t.equal(buf.length % 8, 0)
  const prog = decode(buf)
  t.equal(run(prog, { arch: X64, nr: 0 }), ALLOW, 'read')
  t.equal(run(prog, { arch: X64, nr: 59 }), ALLOW, 'execve')
  t.equal(run(prog, { arch: X64, nr: 90, args: [0, 0o755] }), ALLOW, 'chmod 755')
  t.equal(run(prog, { arch: X64, nr: 257, args: [0, 0, 0o101, 0o644] }), ALLOW, 'openat O_CREAT 644')
})

t.test('x64: setting set-uid or set-gid bits is refused on every path', async t => {
  const prog = decode(buildSeccompFilter('x64')!)
  t.equal(run(prog, { arch: X64, nr: 90, args: [0, 0o4755] }), EPERM, 'chmod u+s')
  t.equal(run(prog, { arch: X64, nr: 91, args: [3, 0o2755] }), EPERM, 'fchmod g+s')
  t.equal(run(prog, { arch: X64, nr: 268, args: [0, 0, 0o6755] }), EPERM, 'fchmodat')
  t.equal(run(prog, { arch: X64, nr: 452, args: [0, 0, 0o4000] }), EPERM, 'fchmodat2')
  t.equal(run(prog, { arch: X64, nr: 2, args: [0, 0o101, 0o4755] }), EPERM, 'open O_CREAT 4755')
  t.equal(run(prog, { arch: X64, nr: 257, args: [0, 0, 0o101, 0o4755] }), EPERM, 'openat O_CREAT 4755')
  t.equal(run(prog, { arch: X64, nr: 85, args: [0, 0o4755] }), EPERM, 'creat')
  t.equal(run(prog, { arch: X64, nr: 259, args: [0, 0, 0o104755] }), EPERM, 'mknodat')
})

t.test('x64: io_uring and openat2 answer ENOSYS, keyrings EPERM, other ABIs EPERM', async t => {
  const prog = decode(buildSeccompFilter('x64')!)
  t.equal(run(prog, { arch: X64, nr: 425 }), ENOSYS, 'io_uring_setup')
  t.equal(run(prog, { arch: X64, nr: 437 }), ENOSYS, 'openat2')
  t.equal(run(prog, { arch: X64, nr: 250 }), EPERM, 'keyctl')
  t.equal(run(prog, { arch: 0x40000003, nr: 15, args: [0, 0o4755] }), EPERM, 'i386 chmod (and any i386 call)')
  t.equal(run(prog, { arch: X64, nr: 0x40000000 + 90, args: [0, 0o4755] }), EPERM, 'x32 ABI')
})

t.test('arm64 uses its own syscall numbers', async t => {
  const prog = decode(buildSeccompFilter('arm64')!)
  t.equal(run(prog, { arch: ARM64, nr: 53, args: [0, 0, 0o4755] }), EPERM, 'fchmodat u+s')
  t.equal(run(prog, { arch: ARM64, nr: 56, args: [0, 0, 0o101, 0o4755] }), EPERM, 'openat 4755')
  t.equal(run(prog, { arch: ARM64, nr: 53, args: [0, 0, 0o755] }), ALLOW, 'fchmodat 755')
  t.equal(run(prog, { arch: ARM64, nr: 90, args: [0, 0o4755] }), ALLOW, 'x64 chmod number is something else on arm64')
  t.equal(run(prog, { arch: X64, nr: 0 }), EPERM, 'a foreign arch is refused')
})

t.test('an unknown architecture gets no filter rather than a wrong one', async t => {
  t.equal(buildSeccompFilter('riscv64'), null)
})
