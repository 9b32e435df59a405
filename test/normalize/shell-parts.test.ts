import t from 'tap'
import { BINARY_OPS, parseShell, REDIRECT_OPS, toSource } from '../../src/normalize/shell-ast.js'
import type * as sh from '../../src/normalize/shell-nodes.js'
import { scanOptions, scanPermuted } from '../../src/normalize/shell-options.js'
import { absolutePath, isInside } from '../../src/normalize/shell-paths.js'
import { decodeAnsiC, plainWord, resolveWord, unescapeDouble, type ResolvedWord } from '../../src/normalize/shell-words.js'

const firstStmt = (text: string): sh.Stmt => {
  const parsed = parseShell(text)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.file.Stmts[0] as sh.Stmt
}

/** The resolved words of a one-command text. */
const words = (text: string, homeKnown = true): ResolvedWord[] =>
  (firstStmt(text).Cmd as sh.CallExpr).Args.map(w => resolveWord(w, toSource(text), { homeKnown }))

t.test('the operator tables match what the parser produces for each operator', async t => {
  const redirs: Record<string, string> = {
    '>': 'cat > f',
    '>>': 'cat >> f',
    '<': 'cat < f',
    '<>': 'cat <> f',
    '<&': 'cat <& 3',
    '>&': 'cat >& 2',
    '>|': 'cat >| f',
    '<<': 'cat <<E\nx\nE\n',
    '<<-': 'cat <<-E\nx\nE\n',
    '<<<': 'cat <<< x',
    '&>': 'cat &> f',
    '&>>': 'cat &>> f',
  }
  for (const [op, text] of Object.entries(redirs)) {
    const r = firstStmt(text).Redirs[0] as sh.Redirect
    t.equal(REDIRECT_OPS[r.Op], op, text)
  }
  for (const op of ['&&', '||', '|', '|&']) {
    const bin = firstStmt(`a ${op} b`).Cmd as sh.BinaryCmd
    t.equal(BINARY_OPS[bin.Op], op)
  }
})

t.test('parsed nodes carry their type and source positions', async t => {
  const text = 'echo "é" $(id)'
  const call = firstStmt(text).Cmd as sh.CallExpr
  t.equal(call.type, 'CallExpr')
  t.same(call.Args.map(w => w.Parts[0]?.type), ['Lit', 'DblQuoted', 'CmdSubst'])
  const dq = call.Args[1]?.Parts[0] as sh.DblQuoted
  t.equal((dq.Parts[0] as sh.Lit).Value, 'é', 'non-ASCII text is decoded from the parser byte strings')
  const sub = call.Args[2] as sh.Word
  t.equal(toSource(text).bytes.subarray(sub.Pos().Offset(), sub.End().Offset()).toString(), '$(id)')
})

t.test('parse errors are messages, never exceptions', async t => {
  const bad = parseShell('echo "x')
  t.equal(bad.ok, false)
  t.match(!bad.ok && bad.message, /^1:6: reached EOF without closing quote/)
  t.equal(parseShell('ls').ok, true, 'the parser still works after an error')
})

t.test('ANSI-C escapes decode like bash', async t => {
  t.equal(decodeAnsiC('\\x72m'), 'rm')
  t.equal(decodeAnsiC('\\162\\155'), 'rm')
  t.equal(decodeAnsiC('\\u0072\\U0000006d'), 'rm')
  t.equal(decodeAnsiC('a\\tb\\nc\\\\d\\\'e\\"f\\?g'), 'a\tb\nc\\d\'e"f?g')
  t.equal(decodeAnsiC('\\a\\b\\e\\E\\f\\r\\v'), '\x07\b\x1b\x1b\f\r\v')
  t.equal(decodeAnsiC('\\cA\\c?'), '\x01\x1f')
  t.equal(decodeAnsiC('\\u00e9\\U0001F600'), 'é😀')
  t.equal(decodeAnsiC('\\q\\x'), '\\q\\x', 'unknown or empty escapes stay as written')
  t.equal(decodeAnsiC('a\\0b'), 'a', 'NUL ends the string')
  t.equal(decodeAnsiC('a\\x00b'), 'a')
  t.equal(decodeAnsiC('\\U7FFFFFFF'), '\ufffd', 'out-of-range code points do not throw')
  t.equal(decodeAnsiC('end\\'), 'end\\')
})

t.test('double-quote escapes remove only the backslashes bash removes', async t => {
  t.equal(unescapeDouble('a\\$b\\`c\\"d\\\\e\\qf'), 'a$b`c"d\\e\\qf')
  t.equal(unescapeDouble('x\\\ny'), 'xy')
  t.equal(unescapeDouble('a\\"b', true), 'a\\"b', 'here-documents keep \\"')
})

t.test('resolved words say what kind of text they are', async t => {
  const [plain, quoted, param, glob, brace, tilde, qbrace] = words('echo plain "q t" $x *.c {a,b} ~/d "{a,b}"').slice(1)
  t.match(plain, { text: 'plain', literal: true, expansion: false, glob: false, brace: false, tilde: false })
  t.match(quoted, { text: 'q t', literal: true })
  t.match(param, { text: '$x', literal: false, expansion: true })
  t.match(glob, { text: '*.c', literal: true, glob: true })
  t.match(brace, { text: '{a,b}', literal: true, brace: true })
  t.match(tilde, { text: '$HOME/d', literal: true, tilde: true })
  t.match(qbrace, { text: '{a,b}', brace: false })
  t.equal(words('x [').at(1)?.glob, false, 'a lone [ is not a glob')
  t.equal(words('x "*"').at(1)?.glob, false)
  t.equal(words('x \\*').at(1)?.glob, false)
  t.equal(words('x {1..3}').at(1)?.brace, true)
  t.equal(words('x {}').at(1)?.brace, false, "find's {} is not a brace expansion")
  t.match(words('x ~/d', false).at(1), { text: '$HOME/d', literal: false, tilde: true })
  t.match(words('x ~"q"').at(1), { text: '~q', literal: true, tilde: false })
})

t.test('absolute paths normalize without the process cwd', async t => {
  t.equal(absolutePath('a/../b', '/w'), '/w/b')
  t.equal(absolutePath('/x/./y/', '/w'), '/x/y')
  t.equal(absolutePath('../../..', '/w'), '/')
  t.equal(absolutePath('x', 'relative'), null)
  t.equal(isInside('/w/p/f', '/w/p'), true)
  t.equal(isInside('/w/p', '/w/p/'), true)
  t.equal(isInside('/w/px', '/w/p'), false)
  t.equal(isInside('/anything', '/'), true)
})

const argv = (...texts: string[]): ResolvedWord[] => texts.map(s => plainWord(s))

t.test('the option scanner reads clusters, attached values and long prefixes', async t => {
  const spec = { shortArg: 'u', longArg: ['user', 'group'], long: ['login'] }
  t.same(scanOptions(argv('sudo', '-nu', 'root', 'rm'), 1, spec), {
    options: [
      { name: 'n', value: null, plus: false },
      { name: 'u', value: plainWord('root'), plus: false },
    ],
    rest: 3,
  })
  t.equal(scanOptions(argv('x', '-uroot', 'rm'), 1, spec).options[0]?.value?.text, 'root')
  t.equal(scanOptions(argv('x', '--user=root', 'rm'), 1, spec).rest, 2)
  t.equal(scanOptions(argv('x', '--us', 'root', 'rm'), 1, spec).options[0]?.name, 'user', 'a unique prefix')
  t.equal(scanOptions(argv('x', '--us', 'root', 'rm'), 1, spec).rest, 3)
  t.equal(scanOptions(argv('x', '-n', '--', '-rm'), 1, spec).rest, 3, '-- ends the options')
  t.equal(scanOptions(argv('x', '-u'), 1, spec).rest, 2, 'a missing value does not run past the end')
  const dynamic = [plainWord('x'), { ...plainWord('$O'), literal: false }, plainWord('rm')]
  t.equal(scanOptions(dynamic, 1, spec).rest, 1, 'a non-literal word stops the scan')
  t.same(scanOptions(argv('sh', '+o', 'posix', '-c', 'x'), 1, { shortArg: 'o', plus: true }).options.map(o => [o.name, o.plus]), [
    ['o', true],
    ['c', false],
  ])
})

t.test('the permuting scanner finds options after operands', async t => {
  const res = scanPermuted(argv('su', 'root', '-c', 'id', '--', '-x'), 1, { shortArg: 'c' })
  t.same(res.options.map(o => [o.name, o.value?.text]), [['c', 'id']])
  t.same(res.operands.map(o => o.text), ['root', '-x'])
})
