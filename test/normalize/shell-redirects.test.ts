import t from 'tap'
import { ShellInput, type ShellCommand, type ShellRedirect } from '../../src/normalize/schema.js'
import { normalizeShell } from '../../src/normalize/shell.js'

const CWD = '/work/proj'
const norm = (command: string, opts: { home?: string } = {}, cwd = CWD): ShellInput =>
  ShellInput.parse(normalizeShell({ command, cwd }, opts))
const first = (out: ShellInput): ShellCommand => out.commands[0] as ShellCommand
const redirect = (command: string, opts: { home?: string } = {}, cwd = CWD): ShellRedirect => first(norm(command, opts, cwd)).redirects[0] as ShellRedirect
const pathOf = (command: string): string | null => redirect(command).path

t.test('a write into the working directory is a write inside cwd', async t => {
  t.same(redirect('echo x > out.txt'), {
    op: '>',
    fd: null,
    target: 'out.txt',
    literal: true,
    path: '/work/proj/out.txt',
    writes: true,
    outside_cwd: false,
  })
  t.equal(norm('echo x > out.txt').facts.writes_outside_cwd, false)
})

t.test('a write outside the working directory is flagged on the redirect and in facts', async t => {
  const out = norm('echo x >> /etc/passwd')
  t.same(first(out).redirects[0], {
    op: '>>',
    fd: null,
    target: '/etc/passwd',
    literal: true,
    path: '/etc/passwd',
    writes: true,
    outside_cwd: true,
  })
  t.equal(out.facts.writes_outside_cwd, true)
})

t.test('every writing operator writes; reading ones do not', async t => {
  const writes: Array<[string, string]> = [
    ['cmd > f', '>'],
    ['cmd >> f', '>>'],
    ['cmd &> f', '&>'],
    ['cmd &>> f', '&>>'],
    ['cmd >| f', '>|'],
    ['cmd <> f', '<>'],
    ['cmd >& f', '>&'],
  ]
  for (const [text, op] of writes) {
    const r = redirect(text)
    t.equal(r.op, op, text)
    t.equal(r.writes, true, text)
    t.equal(r.path, '/work/proj/f', text)
  }
  const read = redirect('cmd < f')
  t.equal(read.op, '<')
  t.equal(read.writes, false)
  t.equal(read.path, '/work/proj/f')
})

t.test('descriptor duplication and closing are not file writes', async t => {
  t.same(redirect('cmd 2>&1'), { op: '>&', fd: 2, target: '1', literal: true, path: null, writes: false, outside_cwd: false })
  t.same(redirect('cmd >&-'), { op: '>&', fd: null, target: '-', literal: true, path: null, writes: false, outside_cwd: false })
  t.equal(redirect('cmd 0<&3').writes, false)
  t.equal(redirect('cmd 3>out').fd, 3)
  t.equal(redirect('exec {fd}>out').fd, null, 'a named descriptor has no number')
})

t.test('a duplication to a non-literal descriptor is judged as an unknown write', async t => {
  const r = redirect('cmd >&$fd')
  t.equal(r.writes, true)
  t.equal(r.path, null)
  t.equal(r.outside_cwd, true)
})

t.test('the null device and the process streams are not outside writes', async t => {
  for (const target of ['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/fd/3']) {
    const r = redirect(`cmd > ${target}`)
    t.equal(r.writes, true, target)
    t.equal(r.outside_cwd, false, target)
  }
  t.equal(redirect('cmd > /dev/sda').outside_cwd, true)
  t.equal(redirect('cmd > /dev/null/../sda').outside_cwd, true, 'the normalized path is what counts')
})

t.test('paths are normalized against cwd', async t => {
  t.equal(pathOf('cmd > ../x'), '/work/x')
  t.equal(redirect('cmd > ../x').outside_cwd, true)
  t.equal(pathOf('cmd > a/../b'), '/work/proj/b')
  t.equal(pathOf('cmd > ./sub/'), '/work/proj/sub')
  t.equal(pathOf('cmd > /work/proj/../projX/f'), '/work/projX/f')
  t.equal(redirect('cmd > /work/proj/../projX/f').outside_cwd, true, 'a sibling with a common prefix is outside')
  t.equal(redirect('cmd > f', {}, '/').outside_cwd, false, 'everything is inside /')
  t.equal(redirect('cmd > f', {}, '/work/proj/').path, '/work/proj/f')
  t.equal(redirect('cmd > /work/proj', {}, '/work/proj/').outside_cwd, false)
})

t.test('a tilde target becomes $HOME and its path uses the configured home', async t => {
  const r = redirect('cmd > ~/notes')
  t.equal(r.target, '$HOME/notes')
  t.equal(r.literal, true)
  t.equal(r.path, '/root/notes', 'default home')
  t.equal(r.outside_cwd, true)
  t.equal(redirect('cmd > ~/notes', { home: '/home/agent' }).path, '/home/agent/notes')
  t.equal(redirect('cmd > ~/x', { home: '/work/proj' }).outside_cwd, false)
  t.equal(redirect('cat < ~/.ssh/id_rsa', { home: '/home/agent' }).path, '/home/agent/.ssh/id_rsa', 'credential reads are visible')
})

t.test('a non-literal target has no path and counts as an outside write', async t => {
  for (const text of ['cmd > "$f"', 'cmd > $(mktemp)', 'cmd > ${DIR}/x', 'cmd > $HOME/x']) {
    const r = redirect(text)
    t.equal(r.literal, false, text)
    t.equal(r.path, null, text)
    t.equal(r.outside_cwd, true, text)
  }
  t.equal(redirect('cmd > "$f"').target, '$f')
  t.equal(redirect('cmd < "$f"').outside_cwd, false, 'a read is never an outside write')
})

t.test('a glob target may name any matching file: no path', async t => {
  const r = redirect('cmd > *.txt')
  t.equal(r.path, null)
  t.equal(r.outside_cwd, true)
  t.equal(redirect('cmd > "*.txt"').path, '/work/proj/*.txt', 'a quoted star is a file name')
})

t.test('here-documents and here-strings are redirects but not targets', async t => {
  t.same(redirect('cat <<EOF\nbody\nEOF\n'), { op: '<<', fd: null, target: 'EOF', literal: true, path: null, writes: false, outside_cwd: false })
  t.same(redirect("cat <<< 'text'"), { op: '<<<', fd: null, target: 'text', literal: true, path: null, writes: false, outside_cwd: false })
  t.equal(redirect('cat <<-EOF\n\tbody\n\tEOF\n').op, '<<-')
})

t.test('redirects of a compound statement apply to every command inside it', async t => {
  const block = norm('{ a; b; } > out')
  t.same(
    block.commands.map(c => [c.name, c.redirects.map(r => r.path)]),
    [
      ['a', ['/work/proj/out']],
      ['b', ['/work/proj/out']],
    ],
  )
  t.same(
    norm('if x; then y; fi 2>/etc/log').commands.map(c => c.redirects.length),
    [1, 1],
  )
  t.same(
    norm('for i in 1; do a; done > f').commands.map(c => c.redirects[0]?.target),
    ['f'],
  )
  t.same(
    norm('(a; b > inner) > outer').commands.map(c => [c.name, c.redirects.map(r => r.target)]),
    [
      ['a', ['outer']],
      ['b', ['outer', 'inner']],
    ],
    'outer redirects first, in the order the shell applies them',
  )
})

t.test('a command inside a substitution does not get the statement redirects', async t => {
  const out = norm('{ echo $(id); } > f')
  t.same(
    out.commands.map(c => [c.name, c.redirects.length]),
    [
      ['echo', 1],
      ['id', 0],
    ],
  )
})

t.test('in a pipeline a redirect belongs to its stage only', async t => {
  t.same(
    norm('a | b > f').commands.map(c => c.redirects.length),
    [0, 1],
  )
})

t.test('a script run by sh -c inherits the redirects of the shell', async t => {
  const out = norm("bash -c 'cat /etc/shadow' > /tmp/out")
  const cat = out.commands.find(c => c.name === 'cat')
  t.same(cat?.redirects.map(r => r.path), ['/tmp/out'])
})

t.test('a statement of redirections only still counts its writes', async t => {
  const out = norm('> /etc/motd')
  t.same(out.commands, [])
  t.equal(out.facts.writes_outside_cwd, true)
})

t.test('after cd, relative targets are unknown: no path, outside', async t => {
  for (const text of [
    'cd /etc && echo x > passwd',
    'echo x > passwd; cd /etc',
    'pushd /etc; echo x > passwd',
    'builtin cd /etc; echo x > passwd',
    'cleanup() { cd /; }; echo x > passwd',
    '$CMD /etc; echo x > passwd',
    'eval "$step"; echo x > passwd',
    'source ./env.sh; echo x > passwd',
    'for d in a b; do echo x > passwd; cd /etc; done',
  ]) {
    const write = norm(text).commands.find(c => c.redirects.length > 0)
    t.equal(write?.redirects[0]?.path, null, text)
    t.equal(write?.redirects[0]?.outside_cwd, true, text)
  }
  const absolute = norm('cd /tmp; echo x > /work/proj/x').commands[1]?.redirects[0]
  t.equal(absolute?.path, '/work/proj/x', 'an absolute path does not depend on cwd')
  t.equal(absolute?.outside_cwd, false)
})

t.test('a cd in a subshell or pipeline stage does not leak out of it', async t => {
  const out = norm('(cd sub && make) > build.log')
  t.same(out.commands.map(c => c.redirects[0]?.path), ['/work/proj/build.log', '/work/proj/build.log'])
  t.equal(out.facts.writes_outside_cwd, false)
  t.equal(norm('(cd /etc); echo x > ok').commands[1]?.redirects[0]?.path, '/work/proj/ok')
  t.equal(norm('(cd /etc; echo x > passwd)').commands[1]?.redirects[0]?.path, null, 'but it applies inside')
  t.equal(norm('echo $(cd /etc) > ok').commands[0]?.redirects[0]?.path, '/work/proj/ok')
})

t.test('a wrapper that changes directory makes relative paths of its script unknown', async t => {
  for (const text of ["env -C /etc sh -c 'echo x > passwd'", "sudo -D /etc sh -c 'echo x > passwd'", "su - root -c 'echo x > passwd'", "chroot /mnt sh -c 'echo x > f'"]) {
    const write = norm(text).commands.find(c => c.redirects.length > 0)
    t.equal(write?.redirects[0]?.path, null, text)
  }
  const plain = norm("sh -c 'echo x > f'").commands.find(c => c.redirects.length > 0)
  t.equal(plain?.redirects[0]?.path, '/work/proj/f')
})

t.test('after HOME is changed, ~ is unknown', async t => {
  for (const text of ['HOME=/etc; echo x > ~/passwd', 'export HOME=/etc; echo x > ~/passwd', 'read HOME; echo x > ~/passwd', 'declare HOME=/etc; echo x > ~/passwd']) {
    const r = norm(text).commands.find(c => c.redirects.length > 0)?.redirects[0]
    t.equal(r?.path, null, text)
    t.equal(r?.literal, false, text)
    t.equal(r?.target, '$HOME/passwd', text)
  }
  t.equal(pathOf('HOME=/etc echo x > ~/passwd'), '/root/passwd', 'a prefix assignment does not change the shell expanding the redirect')
})

t.test('~ in a script run as another user or with another environment is unknown', async t => {
  for (const text of ["sudo sh -c 'echo x > ~/f'", "env -i sh -c 'echo x > ~/f'", "HOME=/etc sh -c 'echo x > ~/f'", "su bob -c 'echo x > ~/f'"]) {
    const r = norm(text).commands.find(c => c.redirects.length > 0)?.redirects[0]
    t.equal(r?.path, null, text)
  }
  const plain = norm("sh -c 'echo x > ~/f'").commands.find(c => c.redirects.length > 0)?.redirects[0]
  t.equal(plain?.path, '/root/f')
})
