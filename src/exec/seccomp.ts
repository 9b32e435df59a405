/**
 * A small seccomp filter (classic BPF, as bwrap --seccomp reads it) for the sandbox. Pure.
 *
 * Why: files the sandbox writes in cwd belong on the host to the gateway's uid (root when the
 * gateway runs as root). A set-uid/set-gid bit on such a file would hand that uid to any local
 * user who can run it. The filter refuses every way of setting those bits (chmod family, open /
 * creat / mknod with such a mode) and the paths around the check (io_uring, openat2), plus the
 * kernel keyring. Everything else is allowed; namespaces and mounts do the rest.
 */

export type SeccompArch = 'x64' | 'arm64'

const AUDIT_ARCH: Record<SeccompArch, number> = { x64: 0xc000003e, arm64: 0xc00000b7 }
const X32_SYSCALL_BIT = 0x40000000

// Syscalls taking a mode: [number, index of the mode argument].
const MODE_SYSCALLS: Record<SeccompArch, Array<[number, number]>> = {
  x64: [
    [90, 1], // chmod
    [91, 1], // fchmod
    [268, 2], // fchmodat
    [452, 2], // fchmodat2
    [2, 2], // open
    [257, 3], // openat
    [85, 1], // creat
    [133, 1], // mknod
    [259, 2], // mknodat
  ],
  arm64: [
    [52, 1], // fchmod
    [53, 2], // fchmodat
    [452, 2], // fchmodat2
    [56, 3], // openat
    [33, 2], // mknodat
  ],
}

// Refused outright: [number, errno]. ENOSYS makes libc fall back (openat2 -> openat).
const EPERM = 1
const ENOSYS = 38
const DENIED_SYSCALLS: Record<SeccompArch, Array<[number, number]>> = {
  x64: [
    [437, ENOSYS], // openat2: its mode sits in a struct the filter cannot read
    [425, ENOSYS], // io_uring_setup: io_uring opens files without syscalls
    [426, ENOSYS], // io_uring_enter
    [427, ENOSYS], // io_uring_register
    [248, EPERM], // add_key
    [249, EPERM], // request_key
    [250, EPERM], // keyctl
  ],
  arm64: [
    [437, ENOSYS],
    [425, ENOSYS],
    [426, ENOSYS],
    [427, ENOSYS],
    [217, EPERM],
    [218, EPERM],
    [219, EPERM],
  ],
}

/** S_ISUID | S_ISGID */
const SETID_BITS = 0o6000

// Classic BPF opcodes and seccomp return values.
const LD_W_ABS = 0x20
const JEQ_K = 0x15
const JGE_K = 0x35
const JSET_K = 0x45
const RET_K = 0x06
const RET_ALLOW = 0x7fff0000
const retErrno = (errno: number): number => 0x00050000 | errno
const NR_OFFSET = 0
const ARCH_OFFSET = 4
// Low 32 bits of args[i] on a little-endian machine.
const argLow = (i: number): number => 16 + 8 * i

type Insn = [code: number, jt: number, jf: number, k: number]

/** The filter for `arch` as bytes ready to hand to bwrap, or null for an architecture it does
 * not know (the caller decides whether to run without it). */
export function buildSeccompFilter(arch: string = process.arch): Buffer | null {
  if (arch !== 'x64' && arch !== 'arm64') return null
  const prog: Insn[] = [
    [LD_W_ABS, 0, 0, ARCH_OFFSET],
    [JEQ_K, 1, 0, AUDIT_ARCH[arch]],
    [RET_K, 0, 0, retErrno(EPERM)], // another ABI (32-bit syscalls): its numbers differ, refuse
    [LD_W_ABS, 0, 0, NR_OFFSET],
  ]
  if (arch === 'x64') prog.push([JGE_K, 0, 1, X32_SYSCALL_BIT], [RET_K, 0, 0, retErrno(EPERM)])
  for (const [nr, arg] of MODE_SYSCALLS[arch]) {
    prog.push(
      [JEQ_K, 0, 4, nr],
      [LD_W_ABS, 0, 0, argLow(arg)],
      [JSET_K, 0, 1, SETID_BITS],
      [RET_K, 0, 0, retErrno(EPERM)],
      [RET_K, 0, 0, RET_ALLOW],
    )
  }
  for (const [nr, errno] of DENIED_SYSCALLS[arch]) prog.push([JEQ_K, 0, 1, nr], [RET_K, 0, 0, retErrno(errno)])
  prog.push([RET_K, 0, 0, RET_ALLOW])

  const out = Buffer.alloc(prog.length * 8)
  prog.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8)
    out.writeUInt8(jt, i * 8 + 2)
    out.writeUInt8(jf, i * 8 + 3)
    out.writeUInt32LE(k >>> 0, i * 8 + 4)
  })
  return out
}
