#!/usr/bin/env node
import { cli } from './index.js'

const code = await cli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: text => void process.stdout.write(text),
  stderr: text => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
})
process.exitCode = code
