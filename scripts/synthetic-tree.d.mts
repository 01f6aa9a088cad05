export function writeSyntheticTree(
  dir: string,
  count: number,
  options?: { lr?: string; sweeps?: boolean },
): void
