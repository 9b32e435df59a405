/** What a gateway tool call returns: the same shape for success and failure. */
export interface ToolOutcome {
  /** True when nothing useful happened: blocked, refused, failed to run. */
  isError: boolean
  /** One line a model or a human can read. */
  summary: string
  structured: Record<string, unknown>
}

export const outcome = (isError: boolean, summary: string, structured: Record<string, unknown>): ToolOutcome => ({
  isError,
  summary,
  structured,
})

/** The text content of an outcome: the summary, then the structured fields as JSON. */
export const outcomeText = (o: ToolOutcome): string => `${o.summary}\n${JSON.stringify(o.structured, null, 2)}`
