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
