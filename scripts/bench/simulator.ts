/** The MMSC simulator's counters (GET /api/stats): how many SubmitReqs it has accepted. */
export interface SimulatorStats {
  readonly submissions: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly repeats: number;
}

export async function simulatorStats(origin: string): Promise<SimulatorStats> {
  const response = await fetch(`${origin}/api/stats`, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`MMSC simulator /api/stats: HTTP ${response.status}`);
  const body = (await response.json()) as Partial<SimulatorStats>;
  return {
    submissions: Number(body.submissions ?? 0),
    accepted: Number(body.accepted ?? 0),
    rejected: Number(body.rejected ?? 0),
    repeats: Number(body.repeats ?? 0),
  };
}
