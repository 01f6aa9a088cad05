export function resultsInReadme(readme: string): string
export function withResults(readme: string, results: string): string
