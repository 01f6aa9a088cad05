// Writes a synthetic spec tree of N experiments for the benchmark and the interrupted-write test:
// cluster.yaml -> base.yaml (abstract) -> one model layer per 100 experiments (abstract) -> experiments:
// in even folders one file per experiment, in odd folders (with `sweeps`) one sweep file of 100
// combinations. The cluster and base layers are the shipped ones. Each experiment has its own data seed
// (`verl_overrides.data.seed`), so that no two train the same thing (DUPLICATE_TRAINING).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * @param {string} dir folder to create the tree in (e.g. `<tmp>/experiments`)
 * @param {number} count number of experiments
 * @param {{ lr?: string, sweeps?: boolean }} [options] the base learning rate (to make every output change);
 *   `sweeps`: write every other folder as one sweep file
 */
export function writeSyntheticTree(dir, count, options = {}) {
  const modeline = '# yaml-language-server: $schema=../../schema/layer.schema.json'
  let base = readFileSync(join(ROOT, 'experiments', 'base.yaml'), 'utf8')
  if (options.lr) base = base.replace('lr: 1.0e-6', `lr: ${options.lr}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'cluster.yaml'), readFileSync(join(ROOT, 'experiments', 'cluster.yaml'), 'utf8'))
  writeFileSync(join(dir, 'base.yaml'), base)
  const families = Math.ceil(count / 100)
  for (let f = 0; f < families; f++) {
    const size = f % 2 === 0 ? '4b' : '8b'
    const famDir = join(dir, `family${f}`)
    mkdirSync(famDir, { recursive: true })
    writeFileSync(
      join(famDir, 'model.yaml'),
      `${modeline}\nabstract: true\nextends: ../base.yaml\nmodel:\n  path: catherpker/stockr1-qwen3-${size}\ndata:\n  train_file: train_${size}_model_forecast_20000.parquet\n  val_file: test_${size}_model_forecast_2000.parquet\n`,
    )
    const first = f * 100
    const last = Math.min(count, first + 100) - 1
    if (options.sweeps && f % 2 === 1) {
      const ids = Array.from({ length: last - first + 1 }, (_, k) => first + k)
      writeFileSync(
        join(famDir, 'sweep.yaml'),
        `${modeline}\nmatrix:\n  verl_overrides.data.seed: [${ids.join(', ')}]\nextends: ./model.yaml\nname: synthetic_{verl_overrides.data.seed}\nscript: run_synthetic_{verl_overrides.data.seed}.sh\ndescription: synthetic experiment {verl_overrides.data.seed}\n`,
      )
      continue
    }
    for (let i = first; i <= last; i++) {
      const n = [4, 8, 12, 16][i % 4]
      writeFileSync(
        join(famDir, `exp${i}.yaml`),
        `${modeline}\nextends: ./model.yaml\nname: synthetic_${i}\nscript: run_synthetic_${i}.sh\nrollout:\n  n: ${n}\ntraining:\n  epochs: ${1 + (i % 10)}\nverl_overrides:\n  data.seed: ${i}\n`,
      )
    }
  }
}
