#!/usr/bin/env -S node --single-threaded-gc
// V8 collects garbage on the main thread only: with its parallel GC helpers the gateway's RSS
// swings by ±15% (130-168 MB over 500,000 decisions, JS heap flat at 19 MB); without them it
// stays within 2% (125-128 MB), at no cost in throughput measured on 2 cores. `npm run bench`
// measures both. (The flag cannot be set from inside: V8 aborts when GC flags change at run time.)
import { cli } from './index.js'

const code = await cli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: text => void process.stdout.write(text),
  stderr: text => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
})
process.exitCode = code
