import t from 'tap'
import { ShellInput, type ShellCommand } from '../../src/normalize/schema.js'
import { normalizeShell } from '../../src/normalize/shell.js'

const CWD = '/work/proj'
const norm = (command: string, opts: { home?: string; maxDepth?: number } = {}): ShellInput =>
  ShellInput.parse(normalizeShell({ command, cwd: CWD }, opts))
const names = (out: ShellInput): string[] => out.commands.map(c => c.name)
const last = (out: ShellInput): ShellCommand => out.commands[out.commands.length - 1] as ShellCommand
const only = (out: ShellInput, name: string): ShellCommand => {
  const found = out.commands.filter(c => c.name === name)
  if (found.length !== 1) throw new Error(`expected one ${name}, got ${found.length} in ${JSON.stringify(names(out))}`)
  return found[0] as ShellCommand
}

type Asserts = Pick<typeof t, 'equal' | 'same'>

/** Each text must end in `rm` with exactly these arguments, unwrapped from `wrappers`. */
const unwrapsTo = (t: Asserts, text: string, wrappers: string[], args: string[]): void => {
  const out = norm(text)
  const rm = last(out)
  t.equal(rm.name, 'rm', text)
  t.same(rm.args, args, text)
  t.same(rm.wrappers, wrappers, text)
  t.equal(rm.origin, 'wrapper', text)
  t.equal(rm.depth, wrappers.length, text)
  t.same(names(out), [...wrappers, 'rm'], `${text}: the wrappers are commands too`)
}

t.test('sudo runs its command, whatever options come first', async t => {
  for (const text of [
    'sudo rm -rf /',
    'sudo -u root rm -rf /',
    'sudo -uroot rm -rf /',
    'sudo -nu root rm -rf /',
    'sudo -u admin -g wheel -p pw: -C 3 -D /tmp -r role -t type -U other -T 10 -R /mnt rm -rf /',
    'sudo --user=root rm -rf /',
    'sudo --user root rm -rf /',
    'sudo --us root rm -rf /',
    'sudo -E -H -n -S -k rm -rf /',
    'sudo --preserve-env=PATH rm -rf /',
    'sudo -u root -- rm -rf /',
    'sudo -h otherhost rm -rf /',
  ]) {
    unwrapsTo(t, text, ['sudo'], ['-rf', '/'])
  }
})

t.test('sudo environment assignments are skipped and listed', async t => {
  const rm = last(norm('sudo LD_PRELOAD=/tmp/x.so FOO=1 rm x'))
  t.equal(rm.name, 'rm')
  t.same(rm.assigns, ['LD_PRELOAD', 'FOO'])
})

t.test('sudo -s and sudo -i without a command start a shell; list/edit/validate run nothing', async t => {
  for (const text of ['sudo -s', 'sudo -i', 'sudo --login']) {
    const inner = last(norm(text))
    t.equal(inner.name, 'sh', text)
    t.same(inner.wrappers, ['sudo'], text)
  }
  for (const text of ['sudo -l', 'sudo -l rm x', 'sudo -e /etc/hosts', 'sudo -v', 'sudo -K', 'sudo -V', 'sudo -h', 'sudo']) {
    t.same(names(norm(text)), ['sudo'], text)
  }
})

t.test('a non-literal word where a wrapper expects its command is judged as the command', async t => {
  const inner = last(norm('sudo $OPTS rm -rf /'))
  t.equal(inner.literal, false)
  t.equal(inner.name, '')
  t.same(inner.args, ['rm', '-rf', '/'])
  t.equal(norm('sudo $OPTS rm').facts.non_literal_command, true)
  t.equal(last(norm('sudo -u "$U" rm x')).name, 'rm', 'a non-literal option value is still a value')
})

t.test('doas and pkexec run their command or a shell', async t => {
  unwrapsTo(t, 'doas -u bob rm x', ['doas'], ['x'])
  unwrapsTo(t, 'pkexec --user bob rm x', ['pkexec'], ['x'])
  t.equal(last(norm('doas -s')).name, 'sh')
  t.equal(last(norm('pkexec')).name, 'sh')
})

t.test('env skips options and assignments, and reports the assignments', async t => {
  unwrapsTo(t, 'env rm x', ['env'], ['x'])
  unwrapsTo(t, 'env -i PATH=/bin FOO=1 rm x', ['env'], ['x'])
  unwrapsTo(t, 'env -u HOME -C /tmp rm x', ['env'], ['x'])
  unwrapsTo(t, 'env --unset=HOME --chdir=/tmp rm x', ['env'], ['x'])
  unwrapsTo(t, 'env - rm x', ['env'], ['x'])
  unwrapsTo(t, 'env -0 -v rm x', ['env'], ['x'])
  t.same(last(norm('env -i PATH=/bin FOO=1 rm x')).assigns, ['PATH', 'FOO'])
  t.same(names(norm('env')), ['env'])
  t.same(names(norm('env FOO=1')), ['env'])
})

t.test('env -S splits its string and keeps unwrapping', async t => {
  unwrapsTo(t, 'env -S "rm -rf /"', ['env'], ['-rf', '/'])
  unwrapsTo(t, "env -S'rm -rf' /", ['env'], ['-rf', '/'])
  unwrapsTo(t, 'env --split-string="rm -rf" /', ['env'], ['-rf', '/'])
  const rm = last(norm('env -S "FOO=1 -i rm x"'))
  t.equal(rm.name, '-i', 'after an assignment env takes the next word as the command, like GNU env')
  const ok = last(norm('env -S "-i FOO=1 rm x"'))
  t.equal(ok.name, 'rm')
  t.same(ok.assigns, ['FOO'])
})

t.test('env -S with a string that is not plain words is opaque', async t => {
  t.equal(norm('env -S "$CMD"').facts.opaque, true)
  t.equal(norm('env -S "a | b"').facts.opaque, true)
  t.equal(norm('env -S "rm x"').facts.opaque, false)
})

t.test('process-control wrappers unwrap past their options and operands', async t => {
  unwrapsTo(t, 'nohup rm x', ['nohup'], ['x'])
  unwrapsTo(t, 'setsid -f rm x', ['setsid'], ['x'])
  unwrapsTo(t, 'unbuffer -p rm x', ['unbuffer'], ['x'])
  unwrapsTo(t, 'stdbuf -oL -e0 rm x', ['stdbuf'], ['x'])
  unwrapsTo(t, 'stdbuf -o L --error=0 rm x', ['stdbuf'], ['x'])
  unwrapsTo(t, 'timeout 5 rm x', ['timeout'], ['x'])
  unwrapsTo(t, 'timeout -s KILL -k 10 5s rm x', ['timeout'], ['x'])
  unwrapsTo(t, 'timeout --signal=TERM --preserve-status 5 rm x', ['timeout'], ['x'])
  unwrapsTo(t, 'nice rm x', ['nice'], ['x'])
  unwrapsTo(t, 'nice -n 5 rm x', ['nice'], ['x'])
  unwrapsTo(t, 'nice -n -5 rm x', ['nice'], ['x'])
  unwrapsTo(t, 'nice -10 rm x', ['nice'], ['x'])
  unwrapsTo(t, 'nice --adjustment=5 rm x', ['nice'], ['x'])
  unwrapsTo(t, 'ionice -c2 -n7 rm x', ['ionice'], ['x'])
  unwrapsTo(t, 'ionice -c 3 -t rm x', ['ionice'], ['x'])
  unwrapsTo(t, 'chrt -f 99 rm x', ['chrt'], ['x'])
  unwrapsTo(t, 'chrt --rr 5 rm x', ['chrt'], ['x'])
  unwrapsTo(t, 'taskset 0x3 rm x', ['taskset'], ['x'])
  unwrapsTo(t, 'taskset -c 0-3 rm x', ['taskset'], ['x'])
  unwrapsTo(t, '/usr/bin/time -f %e -o out rm x', ['time'], ['x'])
  unwrapsTo(t, 'command rm x', ['command'], ['x'])
  unwrapsTo(t, 'command -p rm x', ['command'], ['x'])
  unwrapsTo(t, 'exec rm x', ['exec'], ['x'])
  unwrapsTo(t, 'exec -a name -cl rm x', ['exec'], ['x'])
  unwrapsTo(t, 'strace -f -e trace=open -o out rm x', ['strace'], ['x'])
  unwrapsTo(t, 'ltrace -o out rm x', ['ltrace'], ['x'])
  unwrapsTo(t, 'gdb -q --args rm x', ['gdb'], ['x'])
})

t.test('wrappers that only inspect or attach run no command', async t => {
  for (const text of ['command -v rm', 'command -V rm', 'ionice -p 123', 'chrt -p 5 123', 'taskset -p 0x3 123', 'exec > log', 'gdb rm', 'nohup', 'timeout 5']) {
    t.equal(norm(text).commands.length, 1, text)
  }
})

t.test('the time keyword is transparent', async t => {
  const out = norm('time -p rm x')
  t.same(names(out), ['rm'])
  t.equal(only(out, 'rm').origin, 'top')
})

t.test('builtin unwraps to the builtin it calls', async t => {
  const cd = last(norm('builtin cd /'))
  t.equal(cd.name, 'cd')
  t.same(cd.wrappers, ['builtin'])
})

t.test('flock runs its command or its -c string', async t => {
  unwrapsTo(t, 'flock /tmp/l rm x', ['flock'], ['x'])
  unwrapsTo(t, 'flock -n -w 5 /tmp/l rm x', ['flock'], ['x'])
  const script = last(norm("flock /tmp/l -c 'rm x'"))
  t.equal(script.name, 'rm')
  t.equal(script.origin, 'shell_c')
  t.same(script.wrappers, ['flock'])
  t.same(names(norm('flock 9')), ['flock'])
})

t.test('watch runs its arguments through sh -c, or execs them with -x', async t => {
  const out = norm("watch -n 1 'df -h | grep sda'")
  t.same(names(out), ['watch', 'df', 'grep'])
  t.equal(only(out, 'df').origin, 'shell_c')
  t.same(only(out, 'df').wrappers, ['watch'])
  t.same(names(norm('watch ls -l; watch -d "rm x"')), ['watch', 'ls', 'watch', 'rm'])
  unwrapsTo(t, 'watch -x rm x', ['watch'], ['x'])
})

t.test('busybox and toybox run their applet', async t => {
  unwrapsTo(t, 'busybox rm x', ['busybox'], ['x'])
  unwrapsTo(t, 'toybox rm x', ['toybox'], ['x'])
  const out = norm("busybox sh -c 'rm x'")
  t.same(names(out), ['busybox', 'sh', 'rm'])
  t.equal(only(out, 'rm').origin, 'shell_c')
  t.same(only(out, 'rm').wrappers, ['busybox'])
  t.same(names(norm('busybox --list')), ['busybox'])
})

t.test('xargs runs its command with arguments from stdin', async t => {
  for (const text of ['xargs rm', 'xargs -0 -n 1 -P 4 rm', 'xargs -I{} rm {}', 'xargs -I {} rm {}', 'xargs -a list rm', "xargs -d '\\n' rm", 'xargs --max-args=1 -r rm', 'xargs -i rm {}', 'xargs -L 1 rm']) {
    const rm = last(norm(text))
    t.equal(rm.name, 'rm', text)
    t.equal(rm.origin, 'xargs', text)
    t.equal(rm.dynamic, true, text)
    t.same(rm.wrappers, ['xargs'], text)
    t.equal(rm.depth, 1, text)
  }
  const echo = last(norm('find . | xargs'))
  t.equal(echo.name, 'echo', 'xargs without a command runs echo')
  t.equal(echo.origin, 'xargs')
  t.same(echo.pipeline, { id: 1, position: 1, length: 2 })
})

t.test('xargs into a shell script shows the script and keeps it dynamic', async t => {
  const out = norm(`ls | xargs sh -c 'rm "$1"' _`)
  t.same(names(out), ['ls', 'xargs', 'sh', 'rm'])
  t.equal(only(out, 'sh').dynamic, true)
  t.equal(only(out, 'rm').origin, 'shell_c')
})

t.test('find -exec, -execdir, -ok and -okdir run their commands', async t => {
  const out = norm('find . -name "*.tmp" -exec rm -f {} \\; -execdir chmod 600 {} + -ok cat {} \\; -okdir wc {} \\;')
  t.same(names(out), ['find', 'rm', 'chmod', 'cat', 'wc'])
  const rm = only(out, 'rm')
  t.same(rm.args, ['-f', '{}'])
  t.equal(rm.origin, 'find_exec')
  t.equal(rm.dynamic, true, '{} is filled in at run time')
  t.same(rm.wrappers, ['find'])
  t.same(names(norm('find . -name x -delete')), ['find'])
  t.same(names(norm("find . -exec sh -c 'rm \"$1\"' _ {} \\;")), ['find', 'sh', 'rm'])
})

t.test('su and runuser run their -c string, or a shell', async t => {
  for (const text of ["su -c 'rm x'", "su root -c 'rm x'", "su - root -c 'rm x'", "su --command='rm x' root", "su -l -c 'rm x'", "runuser -l bob -c 'rm x'"]) {
    const rm = last(norm(text))
    t.equal(rm.name, 'rm', text)
    t.equal(rm.origin, 'shell_c', text)
    t.same(rm.args, ['x'], text)
  }
  t.equal(last(norm("su -c 'rm x'")).wrappers[0], 'su')
  t.equal(last(norm('su')).name, 'sh', 'su alone is a shell')
  t.equal(last(norm('su - bob')).name, 'sh')
  t.equal(last(norm('su -s /bin/bash bob')).path, '/bin/bash', 'the -s shell is the one that runs')
  t.equal(norm('su -c "$CMD"').facts.opaque, true)
  unwrapsTo(t, 'runuser -u bob -- rm x -la', ['runuser'], ['x', '-la'])
})

t.test('chroot runs its command in the new root, or a shell', async t => {
  unwrapsTo(t, 'chroot /mnt rm x', ['chroot'], ['x'])
  unwrapsTo(t, 'chroot --userspec=1:1 /mnt rm x', ['chroot'], ['x'])
  t.equal(last(norm('chroot /mnt')).name, 'sh')
})

t.test('wrappers nest, each adding a level and a name', async t => {
  const out = norm("sudo env FOO=1 nice -n 5 timeout 10 bash -c 'rm x'")
  t.same(
    out.commands.map(c => [c.name, c.depth, c.origin]),
    [
      ['sudo', 0, 'top'],
      ['env', 1, 'wrapper'],
      ['nice', 2, 'wrapper'],
      ['timeout', 3, 'wrapper'],
      ['bash', 4, 'wrapper'],
      ['rm', 5, 'shell_c'],
    ],
  )
  t.same(only(out, 'rm').wrappers, ['sudo', 'env', 'nice', 'timeout'])
})

t.test('redirections of a wrapper apply to what it runs', async t => {
  const out = norm('sudo tee /etc/hosts > /dev/null')
  t.same(only(out, 'tee').redirects.map(r => r.target), ['/dev/null'])
  t.same(only(out, 'sudo').redirects.map(r => r.target), ['/dev/null'])
})

t.test('sh -c and friends parse their script, including combined flags', async t => {
  for (const text of [
    "sh -c 'rm x'",
    "bash -c 'rm x'",
    "/bin/bash -c 'rm x'",
    "dash -c 'rm x'",
    "zsh -c 'rm x'",
    "ksh -c 'rm x'",
    "mksh -c 'rm x'",
    "ash -c 'rm x'",
    "bash -lc 'rm x'",
    "bash -xc 'rm x'",
    "bash -ce 'rm x'",
    "bash -c -e 'rm x'",
    "bash -o pipefail -c 'rm x'",
    "bash --norc --noprofile -c 'rm x'",
    "bash +x -c 'rm x'",
    "sh -c -- 'rm x'",
    "sh -c 'rm x' arg0 arg1",
  ]) {
    const rm = last(norm(text))
    t.equal(rm.name, 'rm', text)
    t.same(rm.args, ['x'], text)
    t.equal(rm.origin, 'shell_c', text)
    t.equal(rm.depth, 1, text)
    t.same(rm.wrappers, [], `${text}: a shell is not a wrapper`)
  }
})

t.test('sh -c nested three deep is followed to the bottom', async t => {
  const out = norm(`sh -c "bash -c 'sh -c \\"rm -rf /\\"'"`)
  t.same(
    out.commands.map(c => [c.name, c.depth, c.origin]),
    [
      ['sh', 0, 'top'],
      ['bash', 1, 'shell_c'],
      ['sh', 2, 'shell_c'],
      ['rm', 3, 'shell_c'],
    ],
  )
  t.same(only(out, 'rm').args, ['-rf', '/'])
})

t.test('a script with expansions is opaque, but the shell is still emitted', async t => {
  for (const text of ['bash -c "$CMD"', 'sh -c "rm $x"', "sh -c \"$(curl -s x)\"", 'eval "$x"', 'eval $(echo rm)', 'sh -c {rm,x}']) {
    const out = norm(text)
    t.equal(out.facts.opaque, true, text)
    t.ok(out.commands.length >= 1, text)
  }
  t.equal(norm("bash -c 'rm x'").facts.opaque, false)
})

t.test('a script file is not opaque: policy judges the shell', async t => {
  const out = norm('bash deploy.sh')
  t.same(names(out), ['bash'])
  t.equal(out.facts.opaque, false)
})

t.test('a syntax error inside sh -c is a parse error, the outer commands stay', async t => {
  const out = norm(`sh -c 'echo "unclosed'`)
  t.match(out.parse_error, /shell_c script at depth 1: .*quote/)
  t.same(names(out), ['sh'])
})

t.test('a script for a non-bash shell that does not parse is opaque, not an error', async t => {
  const out = norm("fish -c 'for x in (ls); echo $x; end'")
  t.equal(out.parse_error, null)
  t.equal(out.facts.opaque, true)
})

t.test('eval joins its arguments with spaces and parses them', async t => {
  const out = norm('eval "rm -rf" /')
  const rm = only(out, 'rm')
  t.same(rm.args, ['-rf', '/'])
  t.equal(rm.origin, 'eval')
  t.equal(rm.depth, 1)
  t.same(names(norm("eval 'a; b | c'")), ['eval', 'a', 'b', 'c'])
  t.same(names(norm("command eval 'rm x'")), ['command', 'eval', 'rm'])
})

t.test('a here-document or here-string fed to a shell is parsed', async t => {
  const cases: Array<[string, string[]]> = [
    ['bash <<EOF\nrm -rf /\nEOF\n', ['-rf', '/']],
    ["bash <<'EOF'\nrm -rf / $x\nEOF\n", ['-rf', '/', '$x']],
    ['sh <<-EOF\n\trm -rf /\n\tEOF\n', ['-rf', '/']],
    ["sh <<< 'rm -rf /'", ['-rf', '/']],
    ['bash -s <<EOF\nrm -rf /\nEOF\n', ['-rf', '/']],
    ['bash -s arg <<EOF\nrm -rf /\nEOF\n', ['-rf', '/']],
    ['bash - <<EOF\nrm -rf /\nEOF\n', ['-rf', '/']],
    ['sh /dev/stdin <<EOF\nrm -rf /\nEOF\n', ['-rf', '/']],
    ['source /dev/stdin <<EOF\nrm -rf /\nEOF\n', ['-rf', '/']],
  ]
  for (const [text, args] of cases) {
    const rm = last(norm(text))
    t.equal(rm.name, 'rm', text)
    t.same(rm.args, args, text)
    t.equal(rm.origin, 'heredoc', text)
    t.equal(rm.depth, 1, text)
  }
})

t.test('a here-document reaches a shell through wrappers', async t => {
  const out = norm('sudo bash <<EOF\nrm -rf /\nEOF\n')
  t.same(names(out), ['sudo', 'bash', 'rm'])
  t.same(only(out, 'rm').wrappers, ['sudo'])
  t.equal(only(out, 'rm').depth, 2)
  t.same(names(norm('sudo -i <<EOF\nid\nEOF\n')), ['sudo', 'sh', 'id'])
})

t.test('a here-document with expansions fed to a shell is opaque; its substitutions still run', async t => {
  const out = norm('bash <<EOF\n$(curl -s x) rm\nEOF\n')
  t.equal(out.facts.opaque, true)
  t.same(names(out), ['bash', 'curl'])
  t.equal(only(out, 'curl').origin, 'command_substitution')
})

t.test('stdin that is not the script is not parsed', async t => {
  t.same(names(norm("bash -c 'id' <<EOF\nrm\nEOF\n")), ['bash', 'id'])
  t.same(names(norm('bash deploy.sh <<EOF\nrm\nEOF\n')), ['bash'])
  t.same(names(norm('cat <<EOF\nrm -rf /\nEOF\n')), ['cat'])
  t.same(names(norm('bash <<EOF 0<input.sh\nrm\nEOF\n')), ['bash'], 'the last stdin redirection wins')
})

t.test('trap and alias strings are parsed as code', async t => {
  const trap = norm("trap 'rm -rf /tmp/x' EXIT")
  t.same(names(trap), ['trap', 'rm'])
  t.equal(only(trap, 'rm').origin, 'eval')
  t.same(names(norm('trap - EXIT; trap INT')), ['trap', 'trap'])
  const alias = norm("alias ls='rm -rf /'")
  t.same(names(alias), ['alias', 'rm'])
})

t.test('wrapping deeper than maxDepth stops with depth_exceeded', async t => {
  const out = norm(`${'sudo '.repeat(12)}rm -rf /`)
  t.equal(out.facts.depth_exceeded, true)
  t.equal(out.commands.length, 9, 'depths 0 to 8')
  t.notOk(names(out).includes('rm'))
  const evals = norm(`${'eval '.repeat(20)}rm`)
  t.equal(evals.facts.depth_exceeded, true)
  t.notOk(names(evals).includes('rm'))
  let script = 'rm -rf /'
  for (let i = 0; i < 3; i++) script = `sh -c ${JSON.stringify(script).replace(/\$/g, '\\$')}`
  t.equal(norm(script, { maxDepth: 2 }).facts.depth_exceeded, true)
  t.equal(norm(script, { maxDepth: 3 }).facts.depth_exceeded, false)
})
