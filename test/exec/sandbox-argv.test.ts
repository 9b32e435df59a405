import t from 'tap'
import { ExecError } from '../../src/exec/exec-error.js'
import { buildBwrapArgv, pickSandboxEnv, SANDBOX_HOME, SANDBOX_PATH, type BwrapOptions } from '../../src/exec/sandbox-argv.js'

const base: BwrapOptions = { cwd: '/work/proj', network: false, env: {}, command: 'echo hi', hide: ['/var/lib/recourse'] }
const argv = (over: Partial<BwrapOptions> = {}) => buildBwrapArgv({ ...base, ...over })

// Pairs/triples of bwrap options, e.g. ['--ro-bind-try', '/usr', '/usr'], in order.
const indexOfSeq = (a: string[], seq: string[]) => a.findIndex((_, i) => seq.every((s, j) => a[i + j] === s))
const has = (a: string[], ...seq: string[]) => indexOfSeq(a, seq) !== -1

const refusal = (over: Partial<BwrapOptions>, code: string) => {
  try {
    argv(over)
  } catch (e) {
    return e instanceof ExecError && e.code === code
  }
  return false
}

t.test('the command runs exactly as /bin/sh -c <command>, after a -- that ends bwrap options', async t => {
  const cmd = `--bind / / ; echo "$HOME" 'it''s' \`id\``
  const a = argv({ command: cmd })
  t.same(a.slice(-4), ['--', '/bin/sh', '-c', cmd])
})

t.test('every namespace is new and the sandbox user is unprivileged', async t => {
  const a = argv()
  t.ok(has(a, '--unshare-user', '--uid', '65534', '--gid', '65534'))
  for (const flag of ['--disable-userns', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--unshare-net', '--die-with-parent', '--new-session']) {
    t.ok(a.includes(flag), flag)
  }
  t.ok(has(a, '--cap-drop', 'ALL'))
})

t.test('network: true keeps the host network namespace, and only that', async t => {
  const a = argv({ network: true })
  t.notOk(a.includes('--unshare-net'))
  t.ok(a.includes('--unshare-pid'))
})

t.test('the environment is cleared; PATH and HOME are fixed; only allowlisted names pass', async t => {
  const a = argv({ env: { PATH: '/evil', HOME: '/root', LANG: 'C.UTF-8', TERM: 'xterm', AWS_SECRET_ACCESS_KEY: 'x', SECRET_TOKEN: 'y', LD_PRELOAD: '/x.so' } })
  const clear = a.indexOf('--clearenv')
  t.ok(clear >= 0)
  t.ok(has(a, '--setenv', 'PATH', SANDBOX_PATH))
  t.ok(has(a, '--setenv', 'HOME', SANDBOX_HOME))
  t.ok(has(a, '--setenv', 'LANG', 'C.UTF-8'))
  t.ok(has(a, '--setenv', 'TERM', 'xterm'))
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'SECRET_TOKEN', 'LD_PRELOAD']) t.notOk(a.includes(name), name)
  t.notOk(a.includes('/evil'))
  t.ok(a.every((v, i) => v !== '--setenv' || i > clear), 'every --setenv comes after --clearenv')
})

t.test('pickSandboxEnv keeps allowlisted names only and ignores inherited properties', async t => {
  const env = Object.assign(Object.create({ LANG: 'inherited' }), { TZ: 'UTC', GITHUB_TOKEN: 'x' })
  t.same(pickSandboxEnv(env), { TZ: 'UTC' })
})

t.test('system directories are read-only; /etc is an allowlist without shadow or sudoers', async t => {
  const a = argv()
  for (const d of ['/usr', '/bin', '/lib', '/lib64', '/sbin']) t.ok(has(a, '--ro-bind-try', d, d), d)
  t.ok(has(a, '--ro-bind-try', '/etc/passwd', '/etc/passwd'))
  t.ok(has(a, '--ro-bind-try', '/etc/alternatives', '/etc/alternatives'))
  t.notOk(a.some(v => v === '/etc' || v === '/etc/shadow' || v === '/etc/sudoers' || v === '/etc/ssh'))
  t.notOk(has(a, '--bind', '/', '/'))
  for (const v of ['/root', '/home', '/var', '/work', '/var/lib/recourse']) t.notOk(a.includes(v), `${v} is not mounted`)
})

t.test('fresh /proc, /dev and a size-limited /tmp; /proc, /dev and the root are read-only', async t => {
  const a = argv({ tmpfsSize: 1 << 20 })
  t.ok(has(a, '--proc', '/proc', '--remount-ro', '/proc'))
  t.ok(has(a, '--dev', '/dev'))
  t.ok(has(a, '--remount-ro', '/dev'))
  t.ok(has(a, '--size', String(1 << 20), '--tmpfs', '/tmp'))
  t.ok(has(a, '--remount-ro', '/'))
  t.ok(indexOfSeq(a, ['--remount-ro', '/']) > indexOfSeq(a, ['--bind', '/work/proj', '/work/proj']), 'after every mount')
})

t.test('cwd is bound read-write at the same path after /tmp, and is the working directory', async t => {
  const a = argv({ cwd: '/tmp/job/work' })
  const bind = indexOfSeq(a, ['--bind', '/tmp/job/work', '/tmp/job/work'])
  t.ok(bind > indexOfSeq(a, ['--tmpfs', '/tmp']), 'the fresh /tmp does not cover it')
  t.ok(has(a, '--chdir', '/tmp/job/work'))
})

t.test('cwd can be bound from an open directory fd, and a seccomp program read from an fd', async t => {
  const a = argv({ cwdFd: 3, seccompFd: 4 })
  t.ok(has(a, '--bind-fd', '3', '/work/proj'))
  t.notOk(has(a, '--bind', '/work/proj', '/work/proj'))
  t.ok(has(a, '--seccomp', '4'))
})

t.test('a trailing slash on cwd is dropped', async t => {
  t.ok(has(argv({ cwd: '/work/proj/' }), '--chdir', '/work/proj'))
})

t.test('cwd `/` is refused', async t => {
  t.ok(refusal({ cwd: '/' }, 'cwd_is_root'))
})

t.test('cwd in or below a system directory, or a shared parent like /tmp or /home, is refused', async t => {
  for (const cwd of ['/usr', '/usr/local/src', '/etc', '/etc/x', '/proc/self', '/dev', '/run/user/0', '/var/run', '/tmp', '/home', '/root']) {
    t.ok(refusal({ cwd }, 'cwd_in_system_dir'), cwd)
  }
  t.doesNotThrow(() => argv({ cwd: '/home/alice/proj' }))
  t.doesNotThrow(() => argv({ cwd: '/usrlocal' }), 'a sibling sharing a prefix is not inside')
})

t.test('cwd equal to, inside, or containing a hidden path is refused', async t => {
  const hide = ['/srv/gw/state', '/home/alice/.aws']
  t.ok(refusal({ cwd: '/srv/gw/state', hide }, 'cwd_overlaps_hidden'))
  t.ok(refusal({ cwd: '/srv/gw/state/plans', hide }, 'cwd_overlaps_hidden'))
  t.ok(refusal({ cwd: '/srv/gw', hide }, 'cwd_overlaps_hidden'))
  t.ok(refusal({ cwd: '/home/alice', hide }, 'cwd_overlaps_hidden'))
  t.doesNotThrow(() => argv({ cwd: '/srv/gw/state2', hide }))
})

t.test('relative or non-normal paths are refused rather than guessed', async t => {
  for (const cwd of ['work', './work', '/work/../etc', '/work/./x', '//work', '/work\0x']) t.ok(refusal({ cwd }, 'invalid_path'), JSON.stringify(cwd))
  t.ok(refusal({ hide: ['relative/state'] }, 'invalid_path'))
})

t.test('a command or env value with a NUL byte, an empty command, or bad numbers are refused', async t => {
  t.ok(refusal({ command: 'echo a\0b' }, 'invalid_argument'))
  t.ok(refusal({ command: '' }, 'invalid_argument'))
  t.ok(refusal({ env: { LANG: 'C\0' } }, 'invalid_argument'))
  t.ok(refusal({ tmpfsSize: -1 }, 'invalid_argument'))
  t.ok(refusal({ maxProcesses: 1.5 }, 'invalid_argument'))
  t.ok(refusal({ cwdFd: 1 }, 'invalid_argument'))
})

t.test('a hidden path inside a mounted directory is covered by an empty read-only tmpfs', async t => {
  const a = argv({ hide: ['/usr/local/etc/recourse', '/etc/passwd-backup-dir'] })
  t.ok(has(a, '--tmpfs', '/usr/local/etc/recourse', '--remount-ro', '/usr/local/etc/recourse'))
  t.ok(indexOfSeq(a, ['--tmpfs', '/usr/local/etc/recourse']) > indexOfSeq(a, ['--ro-bind-try', '/usr', '/usr']))
  t.notOk(a.includes('/etc/passwd-backup-dir'), 'a hidden path no mount reaches needs nothing')
})

t.test('a mount inside a hidden path is dropped', async t => {
  const a = argv({ hide: ['/etc/ssl'], roBinds: ['/opt/tools'] })
  t.notOk(a.includes('/etc/ssl/certs'))
  t.ok(has(a, '--ro-bind-try', '/opt/tools', '/opt/tools'))
  t.ok(has(a, '--ro-bind-try', '/etc/passwd', '/etc/passwd'))
})

t.test('maxProcesses wraps the unchanged command text in a shell that sets the limit first', async t => {
  const cmd = 'echo "$1" ; exit 3'
  const a = argv({ command: cmd, maxProcesses: 32 })
  const dash = a.indexOf('--')
  const tail = a.slice(dash + 1)
  t.equal(tail[0], '/bin/sh')
  t.equal(tail[1], '-c')
  t.match(tail[2], /ulimit -u "\$1"/)
  t.match(tail[2], /exec \/bin\/sh -c "\$1"/)
  t.same(tail.slice(3), ['sh', '32', cmd])
})
