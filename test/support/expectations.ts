export const UUID = /^[0-9a-f-]{36}$/;

export function expectErrorShape(body: Record<string, unknown>, status: number) {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
      request_id: expect.stringMatching(UUID),
    }),
  );
  expect(JSON.stringify(body)).not.toMatch(/at .+\.(ts|js):\d+|SELECT |INSERT /);
}

/**
 * A report row (or totals) of jobs that report no GPU utilization: nothing used, nothing wasted,
 * all of the allocated cost unmeasured, no efficiency.
 */
export function unmeasured<T extends Record<string, unknown>>(row: T) {
  const allocated = row.allocated_usd ?? row.total_cost_usd ?? row.cost_usd;
  return { ...row, used_cost_usd: 0, waste_usd: 0, unmeasured_cost_usd: allocated, efficiency: null };
}
