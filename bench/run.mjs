#!/usr/bin/env node
// `npm run bench`: times whole `finqa` processes on synthetic spec trees and prints a Markdown table.
// Sizes: 8 (the shipped experiments), 1,000 and 10,000 experiments (inheritance depth 3, plain files and
// sweeps mixed; scripts/synthetic-tree.mjs). Each measure is the median of FINQA_BENCH_RUNS runs (default 5).
// Peak RSS and CPU time (user + system) come from /usr/bin/time (Debian package `time`). Override sizes
// with FINQA_BENCH_SIZES=8,1000.
// Side by side with a baseline: the same compiles of the finqa at FINQA_BENCH_BASELINE, built in a temporary
// worktree that shares this checkout's node_modules, timed in turns with this checkout's. A baseline is a git
// revision, or REV+OTHER: REV with OTHER merged into it (conflicts taken from OTHER), then bench/<name>.patch
// when FINQA_BENCH_BASELINE_PATCH names one, its generated files rebuilt (`none` skips it). The default,
// `pre-verl`, is finqa just before the VERL targets of issue 18 with the encoders of issue 17 that landed
// after them: 226fcb8 + 2a9eecc + bench/pre-verl.patch (the two template slots the merge 922aefd added).
// And `finqa compile --watch`: a warm watching process, the time from a one-line edit of a leaf layer (and of
// the base) until it reports the outputs written, against the compile into an empty folder of the same run.
// And the launch-script start: `bash dist-scripts/run_4b.sh` with a stub python3 on PATH, against a bare
// `bash -c python3` with the same stub, so the difference is what the script does before VERL (its checks,
// the resume guard, the run record); and its checks alone.
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeSyntheticTree } from '../scripts/synthetic-tree.mjs'
import { withResults } from './readme-block.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
// The no-op cache of the runs goes to a temp folder of this bench, not ~/.cache/finqa.
const CACHE = mkdtempSync(join(tmpdir(), 'finqa-bench-cache-'))
const ENV = { ...process.env, FINQA_CACHE_DIR: CACHE }
// Nothing is deleted while the bench measures: every folder it is done with is moved into TRASH (a rename),
// and TRASH is deleted once the last measure is taken. On ext4 without a journal (as this machine's disk),
// a file deleted in the last 60 seconds does not give up its inode: each new file then searches past every
// such inode (fs/ext4/ialloc.c, `recently_deleted`; `perf record` of a 10,000-experiment compile after the
// previous run's 30,000 files were deleted: a third of its time in `find_inode_bit`). A compile's system
// time then went from 2 s to 15 s depending on how recently, and how much, the bench itself had deleted.
const TRASH = mkdtempSync(join(tmpdir(), 'finqa-bench-trash-'))
let trashed = 0
/** Moves `path` (if it exists) out of the way into TRASH, deleting nothing. */
function discard(path) {
  if (existsSync(path)) renameSync(path, join(TRASH, String(trashed++)))
}
process.on('exit', () => rmSync(TRASH, { recursive: true, force: true }))
// Interrupted (Ctrl-C, a timeout's SIGTERM), Node ends without 'exit': end through it, so the trash, several GB
// at the default sizes, is not left in the temp folder.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))
const BIN = join(ROOT, 'bin', 'finqa.js')
const SIZES = (process.env.FINQA_BENCH_SIZES ?? '8,1000,10000').split(',').map(Number)
const RUNS = Number(process.env.FINQA_BENCH_RUNS ?? 5)
// Pairs side by side with the baseline: a compile of a few experiments takes a fraction of a second and this
// machine's speed drifts by more than the difference measured, so small trees get many pairs.
const SIDE_RUNS = (size) =>
  Number(process.env.FINQA_BENCH_SIDE_RUNS ?? (size <= 100 ? Math.max(RUNS, 100) : RUNS))
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
const BASELINES = { 'pre-verl': { rev: '226fcb8+2a9eecc', patch: 'pre-verl.patch' } }
const BASELINE = process.env.FINQA_BENCH_BASELINE ?? 'pre-verl'

/**
 * Runs a command; returns wall seconds, and from /usr/bin/time (when it exists) peak RSS in MiB and CPU
 * seconds (user + system).
 */
function measure(cmd, args, cwd, env = ENV) {
  const argv = TIME ? [TIME, ['-f', '%M %U %S', cmd, ...args]] : [cmd, args]
  const start = process.hrtime.bigint()
  const r = spawnSync(argv[0], argv[1], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`)
  const [rss, user, sys] = TIME ? r.stderr.trim().split('\n').at(-1).split(' ').map(Number) : []
  return { seconds, rss: rss / 1024, cpu: user + sys, stdout: r.stdout }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

function summary(out) {
  return {
    seconds: median(out.map((o) => o.seconds)),
    cpu: median(out.map((o) => o.cpu)),
    rss: Math.max(...out.map((o) => o.rss)),
    last: out.at(-1),
  }
}

function repeat(n, fn) {
  return summary(Array.from({ length: n }, () => fn()))
}

/**
 * A worktree of this repository at the baseline `name` (a revision, `REV+OTHER`, or a name in BASELINES) in a
 * temp folder, sharing node_modules, built; its bin/finqa.js.
 */
function baselineBin(name) {
  const { rev, patch } = BASELINES[name] ?? { rev: name, patch: process.env.FINQA_BENCH_BASELINE_PATCH }
  const dir = mkdtempSync(join(tmpdir(), 'finqa-bench-baseline-'))
  const tree = join(dir, 'tree')
  const run = (cmd, args, cwd = ROOT) => {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`)
  }
  const [base, other] = rev.split('+')
  for (const r of [base, other].filter(Boolean)) {
    const known = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${r}^{commit}`], { cwd: ROOT })
    if (known.status !== 0)
      throw new Error(`no baseline revision ${r} here (set FINQA_BENCH_BASELINE, =none to skip)`)
  }
  run('git', ['worktree', 'add', '--detach', tree, base])
  const remove = () => run('git', ['worktree', 'remove', '--force', tree])
  try {
    if (other !== undefined) {
      const id = ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost']
      run('git', [...id, 'merge', '--no-edit', '-q', '-X', 'theirs', other], tree)
    }
    if (patch !== undefined) run('git', ['apply', join(ROOT, 'bench', patch)], tree)
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'))
    if (other !== undefined || patch !== undefined) {
      // The merged or patched sources: their precompiled templates and validators made anew.
      run('npm', ['run', 'build'], tree)
      run(process.execPath, ['scripts/gen-types.mjs'], tree)
    }
    const bin = join(tree, 'bin', 'finqa.js')
    const built = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })
    if (built.status !== 0) throw new Error(`the baseline ${name} did not build:\n${built.stderr}`)
    return { bin, tree, remove }
  } catch (error) {
    remove()
    throw error
  }
}

// Build once so no run pays for it.
spawnSync(process.execPath, [BIN, '--version'], { stdio: 'ignore' })
const baseline = BASELINE === 'none' ? undefined : baselineBin(BASELINE)

const rows = []
for (const size of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), `finqa-bench-${size}-`))
  if (size === 8) cpSync(join(ROOT, 'experiments'), join(dir, 'experiments'), { recursive: true })
  else writeSyntheticTree(join(dir, 'experiments'), size, { sweeps: true })
  const finqa = (...args) =>
    measure(process.execPath, [BIN, 'compile', 'experiments', '--out', 'out', ...args], dir)
  // A compile into an empty folder, `cp -r` of what it wrote and a bare `node -e 0`, in turns: this machine's
  // disk and CPU speed drift over minutes, and each ratio should compare the two under the same conditions.
  const fulls = []
  const cps = []
  const nodes = []
  for (let i = 0; i < RUNS; i++) {
    discard(join(dir, 'out'))
    // An empty no-op cache each time, as the baseline's below.
    discard(CACHE)
    mkdirSync(CACHE)
    fulls.push(finqa())
    discard(join(dir, 'copy'))
    cps.push(measure('cp', ['-r', 'out', 'copy'], dir))
    nodes.push(measure(process.execPath, ['-e', '0'], ROOT))
  }
  discard(join(dir, 'copy'))
  // The baseline side by side: in a loop of its own, the two compiles in turns, the first of each pair
  // alternating, each into an empty folder with an empty cache and after a `sync`, so that neither
  // pays for the other's (or cp's) writes still being flushed.
  // Both compile the same specs: at 8 experiments the shipped study as the baseline has it (a spec of today
  // may use fields the baseline does not know yet; today's finqa compiles the baseline's), else the tree.
  const sideSpecs = size === 8 && baseline ? 'experiments-side' : 'experiments'
  if (sideSpecs !== 'experiments')
    cpSync(join(baseline.tree, 'experiments'), join(dir, sideSpecs), { recursive: true })
  const pairs = { current: [], baseline: [] }
  for (let i = 0; baseline && i < SIDE_RUNS(size); i++) {
    const order = i % 2 === 0 ? ['current', 'baseline'] : ['baseline', 'current']
    for (const which of order) {
      const out = which === 'current' ? 'out-side' : 'out-base'
      const cache = mkdtempSync(join(tmpdir(), 'finqa-bench-side-cache-'))
      discard(join(dir, out))
      spawnSync('sync')
      const bin = which === 'current' ? BIN : baseline.bin
      pairs[which].push(
        measure(process.execPath, [bin, 'compile', sideSpecs, '--out', out], dir, {
          ...ENV,
          FINQA_CACHE_DIR: cache,
        }),
      )
      discard(cache)
    }
  }
  discard(join(dir, 'out-side'))
  discard(join(dir, 'out-base'))
  const full = summary(fulls)
  const side = baseline ? { current: summary(pairs.current), base: summary(pairs.baseline) } : undefined
  const cp = summary(cps)
  const nodeBare = summary(nodes)
  const noop = repeat(RUNS, () => finqa())
  if (!/ 0 written,/.test(noop.last.stdout))
    throw new Error(`a no-op compile wrote files: ${noop.last.stdout}`)
  const check = repeat(RUNS, () => finqa('--check'))
  const files = Number(/(\d+) unchanged/.exec(noop.last.stdout)?.[1] ?? 0)
  const watchEdits = await watchMeasure(dir, size)
  // Peak memory of any of the three ways to run a compile.
  rows.push({
    size,
    files,
    full,
    side,
    noop,
    check,
    cp,
    nodeBare,
    watch: watchEdits,
    rss: Math.max(full.rss, noop.rss, check.rss),
  })
  discard(dir)
}

/**
 * `finqa compile --watch --json` on the tree in `dir` (into a folder of its own), warmed by its first compile
 * and one edit; then RUNS one-line edits of a leaf layer (its rollout.n, back and forth) and of the base (its
 * learning rate), each timed from the write until the process prints the report of the compile that wrote it
 * (printed once the outputs are in place), medians in seconds.
 */
async function watchMeasure(dir, size) {
  const leaf = join(dir, 'experiments', size === 8 ? '4b/rollout4.yaml' : 'family0/exp0.yaml')
  const script = join(dir, 'out-watch', size === 8 ? 'run_4b_rollout4.sh' : 'run_synthetic_0.sh')
  const base = join(dir, 'experiments', 'base.yaml')
  const child = spawn(
    process.execPath,
    [BIN, 'compile', 'experiments', '--out', 'out-watch', '--watch', '--json'],
    { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  // A report is one line of JSON, some MB at 10,000 experiments: its time is when its last byte arrives.
  // Each chunk is searched once for the line's end, and the report parsed after the time is taken, so the
  // bench's own work on the text is not counted as finqa's.
  let pending = []
  const waiting = []
  const reports = []
  const deliver = (line, at) => {
    const report = JSON.parse(line)
    if (!report.ok) throw new Error(`a compile under --watch failed: ${JSON.stringify(report.diagnostics)}`)
    const next = waiting.shift()
    if (next) next({ report, at })
    else reports.push({ report, at })
  }
  child.stdout.setEncoding('utf8').on('data', (text) => {
    const at = process.hrtime.bigint()
    let from = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      pending.push(text.slice(from, nl))
      const line = pending.join('')
      pending = []
      from = nl + 1
      deliver(line, at)
    }
    if (from < text.length) pending.push(text.slice(from))
  })
  const nextReport = () =>
    new Promise((resolve) => (reports.length > 0 ? resolve(reports.shift()) : waiting.push(resolve)))
  /** Seconds from replacing `from` by `to` in `file` until the report of the compile that wrote it. */
  const timedEdit = async (file, from, to) => {
    const text = readFileSync(file, 'utf8')
    if (!text.includes(from)) throw new Error(`${file} lacks ${from}`)
    const start = process.hrtime.bigint()
    writeFileSync(file, text.replace(from, to))
    const { report, at } = await nextReport()
    if (report.files.written.length === 0) throw new Error(`an edit of ${file} wrote nothing`)
    return Number(at - start) / 1e9
  }
  await nextReport() // the first compile: everything
  const leafEdit = (i) => (i % 2 === 0 ? ['  n: 4', '  n: 5'] : ['  n: 5', '  n: 4'])
  await timedEdit(leaf, ...leafEdit(0)) // warm-up
  const leafTimes = []
  for (let i = 1; i <= RUNS; i++) leafTimes.push(await timedEdit(leaf, ...leafEdit(i)))
  if (!readFileSync(script, 'utf8').includes(`ROLLOUT_N:-${RUNS % 2 === 0 ? 5 : 4}}`))
    throw new Error(`${script} does not hold the last edit`)
  const baseTimes = []
  for (let i = 0; i < RUNS; i++)
    baseTimes.push(
      await timedEdit(base, ...(i % 2 === 0 ? ['lr: 1.0e-6', 'lr: 2.0e-6'] : ['lr: 2.0e-6', 'lr: 1.0e-6'])),
    )
  child.kill('SIGTERM')
  await new Promise((resolve) => child.on('exit', resolve))
  discard(join(dir, 'out-watch'))
  return { leaf: median(leafTimes), base: median(baseTimes) }
}

// The launch script's start, in bash: run_4b.sh as committed, with a stub python3 that exits at once (the
// script ends in `exec python3 ...`), with and without extra VERL arguments, against the same stub run by a
// bare bash. FINQA_SKIP_PREFLIGHT=1: the data files of the seed's paths do not exist here. Its checks alone:
// a copy of run_4b.sh without the run record's git call (`finqa_git_start`, which runs in the background)
// that exits before the resume guard (`finqa_settings`), beside a link to the same lib/.
function launchChecks() {
  const dir = mkdtempSync(join(tmpdir(), 'finqa-bench-launch-'))
  const stub = join(dir, 'bin')
  mkdirSync(stub)
  writeFileSync(join(stub, 'python3'), '#!/bin/sh\nexit 0\n')
  chmodSync(join(stub, 'python3'), 0o755)
  // Its checkpoint folder in a folder of the bench's, emptied before each start (a first start: the run
  // record is written, no earlier one is read), never the seed's /checkpoints.
  const root = join(dir, 'checkpoints')
  const env = {
    ...ENV,
    PATH: `${stub}:${process.env.PATH}`,
    FINQA_SKIP_PREFLIGHT: '1',
    CHECKPOINT_ROOT: root,
  }
  const script = join(ROOT, 'dist-scripts', 'run_4b.sh')
  const cut = join(dir, 'checks-only')
  mkdirSync(cut)
  symlinkSync(join(ROOT, 'dist-scripts', 'lib'), join(cut, 'lib'))
  const text = readFileSync(script, 'utf8')
  const gitStart = /^finqa_git_start "\$@"$/m
  const guard = /^finqa_settings /m
  if (!gitStart.test(text) || !guard.test(text))
    throw new Error(`${script}: no \`finqa_git_start\` or \`finqa_settings\` line to stop the checks at`)
  writeFileSync(join(cut, 'run_4b.sh'), text.replace(gitStart, '').replace(guard, 'exit 0\n$&'))
  const extra = ['trainer.val_before_train=False', '+data.apply_chat_template_kwargs.enable_thinking=False']
  const kinds = {
    bare: ['bash', ['-c', 'exec python3']],
    script: ['bash', [script]],
    extra: ['bash', [script, ...extra]],
    checks: ['bash', [join(cut, 'run_4b.sh'), ...extra]],
  }
  const times = { bare: [], script: [], extra: [], checks: [] }
  // Short runs: many of them, in turns.
  for (let i = 0; i < RUNS * 6; i++)
    for (const [kind, [cmd, args]] of Object.entries(kinds)) {
      discard(root)
      const start = process.hrtime.bigint()
      const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`)
      times[kind].push(Number(process.hrtime.bigint() - start) / 1e9)
    }
  rmSync(dir, { recursive: true, force: true })
  return {
    bare: median(times.bare),
    script: median(times.script),
    extra: median(times.extra),
    checks: median(times.checks),
    runs: RUNS * 6,
  }
}
const launch = launchChecks()
baseline?.remove()

const ms = (s) => `${(s * 1000).toFixed(0)} ms`
const x = (a, b) => `${(a / b).toFixed(2)}×`
const cpu = cpus()
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} with Node ${process.version} on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${RUNS} run${RUNS === 1 ? '' : 's'} each, medians. Each compile into an empty folder is timed in turns with \`cp -r\` of its output and a bare \`node -e 0\`.`,
  '',
  '| experiments | files | compile (empty dir) | its CPU | no-op recompile | --check | cp -r of the output | its CPU | node -e 0 | peak RSS | compile / node -e 0 | compile / cp -r | no-op / compile |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.size.toLocaleString('en')} | ${r.files.toLocaleString('en')} | ${ms(r.full.seconds)} | ${ms(r.full.cpu)} | ${ms(r.noop.seconds)} | ${ms(r.check.seconds)} | ${ms(r.cp.seconds)} | ${ms(r.cp.cpu)} | ${ms(r.nodeBare.seconds)} | ${r.rss.toFixed(0)} MiB | ${x(r.full.seconds, r.nodeBare.seconds)} | ${x(r.full.seconds, r.cp.seconds)} | ${x(r.noop.seconds, r.full.seconds)} |`,
  ),
]
if (baseline)
  lines.push(
    '',
    `Side by side with the baseline ${BASELINE} (FINQA_BENCH_BASELINE): each compile into an empty folder with an empty cache after a \`sync\`, in pairs, which of the two goes first alternating (${SIDE_RUNS(8)} pairs up to 100 experiments, ${SIDE_RUNS(1000)} above; medians):`,
    '',
    '| experiments | compile | baseline compile | compile / baseline | its CPU | baseline CPU |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${ms(r.side.current.seconds)} | ${ms(r.side.base.seconds)} | ${x(r.side.current.seconds, r.side.base.seconds)} | ${ms(r.side.current.cpu)} | ${ms(r.side.base.cpu)} |`,
    ),
  )
lines.push(
  '',
  `\`finqa compile --watch\`, warm: from a one-line edit until the watching process reports the outputs written, ${RUNS} edits each, medians; against the compile into an empty folder above:`,
  '',
  '| experiments | leaf edit | leaf edit / compile | base edit | base edit / compile |',
  '|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.size.toLocaleString('en')} | ${ms(r.watch.leaf)} | ${x(r.watch.leaf, r.full.seconds)} | ${ms(r.watch.base)} | ${x(r.watch.base, r.full.seconds)} |`,
  ),
)
lines.push(
  '',
  `Launch-script start: \`bash dist-scripts/run_4b.sh\` with a stub \`python3\` (its checks, the resume guard and the run record of a first start, in a fresh checkpoint folder), against a bare \`bash -c 'exec python3'\` with the same stub; its checks alone (environment overrides, extra arguments, VERL's start-up checks) by a copy that exits before the resume guard and run record. ${launch.runs} runs each in turns, medians:`,
  '',
  '| bare bash + python3 | run_4b.sh | its start | run_4b.sh with 2 extra VERL arguments | its start | its checks alone |',
  '|---:|---:|---:|---:|---:|---:|',
  `| ${ms(launch.bare)} | ${ms(launch.script)} | ${ms(launch.script - launch.bare)} | ${ms(launch.extra)} | ${ms(launch.extra - launch.bare)} | ${ms(launch.checks - launch.bare)} |`,
)
const by = (n) => rows.find((r) => r.size === n)
const targets = []
if (by(8)) targets.push(['8 experiments <= 1.5x node -e 0', by(8).full.seconds / by(8).nodeBare.seconds, 1.5])
if (by(10000)) {
  targets.push(['10,000 experiments <= 2x cp -r', by(10000).full.seconds / by(10000).cp.seconds, 2])
  targets.push(['peak RSS at 10,000 <= 256 MiB', by(10000).rss, 256])
}
if (by(1000) && by(10000))
  targets.push(['linear: 10k / 1k <= 11', by(10000).full.seconds / by(1000).full.seconds, 11])
for (const r of rows)
  targets.push([`no-op <= 0.5x compile at ${r.size}`, r.noop.seconds / r.full.seconds, 0.5])
// Issue 18: the VERL checks may not make the large compile slower (5%: this machine's noise between turns).
const sideRatio = (r) => r.side.current.seconds / r.side.base.seconds
if (by(10000)?.side)
  targets.push([`10,000 experiments <= 1.05x baseline ${BASELINE}`, sideRatio(by(10000)), 1.05])
if (by(8)?.side) targets.push([`8 experiments <= 1.1x baseline ${BASELINE}`, sideRatio(by(8)), 1.1])
// Issue 20: a warm --watch recompiles only what an edit changes.
if (by(8)) targets.push(['watch: leaf edit at 8 <= 50 ms (ms)', by(8).watch.leaf * 1000, 50])
if (by(10000))
  targets.push([
    'watch: leaf edit at 10,000 <= 0.05x compile',
    by(10000).watch.leaf / by(10000).full.seconds,
    0.05,
  ])
for (const r of rows)
  targets.push([`watch: base edit <= 1x compile at ${r.size}`, r.watch.base / r.full.seconds, 1])
// The whole start before VERL (checks, resume guard, run record), with 2 extra arguments. A bare bash slower
// than the script (seen on 2026-12-08: 374 ms against 44 ms, cause not found) is a disturbed measurement,
// never a pass: NaN, which meets no target.
const start = launch.extra - launch.bare
targets.push(['launch-script start <= 50 ms (ms)', start > 0 ? start * 1000 : Number.NaN, 50])
lines.push('', '| target | measured | met |', '|---|---:|:--:|')
for (const [name, value, limit] of targets)
  lines.push(`| ${name} | ${value.toFixed(2)} | ${value <= limit ? 'yes' : 'no'} |`)
rmSync(CACHE, { recursive: true, force: true })
const text = `${lines.join('\n')}\n`
process.stdout.write(text)
const RESULTS = join(ROOT, 'bench', 'results.md')
writeFileSync(RESULTS, text)
// Formatted as `npm run lint` wants it, then copied into README.md's Speed section between its markers
// (test/bench-readme.test.ts checks the two agree).
const biome = spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', RESULTS], {
  encoding: 'utf8',
})
if (biome.status !== 0) throw new Error(`biome format failed:\n${biome.stdout}${biome.stderr}`)
const README = join(ROOT, 'README.md')
writeFileSync(README, withResults(readFileSync(README, 'utf8'), readFileSync(RESULTS, 'utf8')))
