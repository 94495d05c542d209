/** The time the whole run may take; suites stop starting new rounds once it is spent. */
export interface Budget {
  left(): number;
  spent(): boolean;
}

export function createBudget(totalMs: number): Budget {
  const end = Date.now() + totalMs;
  return {
    left: () => Math.max(0, end - Date.now()),
    spent: () => Date.now() >= end,
  };
}
