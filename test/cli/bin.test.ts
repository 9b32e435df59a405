// The installed bin runs node with --single-threaded-gc (its shebang): started the way the kernel
// starts it (interpreter + the shebang's one argument + the script), it judges requests, and a
// serving gateway's command line carries the flag.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { makeDirs, removeDirs } from '../mcp/harness.js'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'bin.js')
const SHEBANG = '#!/usr/bin/env -S node --single-threaded-gc'

const firstLine = readFileSync(BIN, 'utf8').split('\n', 1)[0]!
// As the kernel reads it: the interpreter, then everything after it as one argument.
const [interpreter, ...rest] = firstLine.slice(2).trim().split(' ')
const shebangArg = rest.join(' ')

t.test('the built bin keeps the shebang that turns off parallel GC helpers', async t => {
  t.equal(firstLine, SHEBANG)
})

t.test('started through its shebang, the bin judges a request', async t => {
  const r = spawnSync(interpreter!, [shebangArg, BIN, 'decide', '--tool', 'gateway_shell_exec', '--args', '{"command":"sudo rm -rf /"}', '--env', 'dev'], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.equal(r.status, 0, r.stderr)
  t.equal(JSON.parse(r.stdout).decision, 'block')
})

t.test('a serving gateway started through its shebang runs node with --single-threaded-gc', async t => {
  const d = await makeDirs('gateway-bin-')
  t.teardown(() => removeDirs(d))
  const child = spawn(interpreter!, [shebangArg, BIN, 'serve', '--env', 'dev', '--state-dir', d.state, '--workdir', d.work, '--unsafe-no-sandbox'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  // env replaces itself with node, so the pid's command line is node's once exec has happened.
  // env's own command line also names the script: wait for the interpreter to change, not for BIN.
  const isNode = (argv: string[]) => /(^|\/)node$/.test(argv[0] ?? '')
  let argv: string[] = []
  for (let i = 0; i < 400 && !isNode(argv); i++) {
    try {
      argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')
    } catch {}
    if (!isNode(argv)) await sleep(25)
  }
  t.equal(argv.includes(BIN), true, `node started: ${argv.join(' ')}`)
  t.match(argv[0], /(^|\/)node$/)
  t.equal(argv[1], '--single-threaded-gc')
  child.stdin.end()
})
