export const MANIFEST = '.finqa-manifest.json'

export interface Manifest {
  readonly generator: 'finqa'
  readonly files: readonly string[]
}

export function renderManifest(files: readonly string[]): string {
  const manifest: Manifest = { generator: 'finqa', files: [...files].sort() }
  return `${JSON.stringify(manifest, null, 2)}\n`
}

export function parseManifest(text: string | undefined): string[] {
  if (text === undefined) return []
  try {
    const value = JSON.parse(text) as Partial<Manifest>
    return Array.isArray(value.files) ? value.files.filter((f): f is string => typeof f === 'string') : []
  } catch {
    return []
  }
}
