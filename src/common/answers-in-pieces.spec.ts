import { TurnCounter } from '../../test/support/turn-counter';
import { csvInPieces, forEachInPieces, jsonPieces, ROWS_PER_PIECE } from './answers-in-pieces';

/** Runs `work` with a count of the event loop's turns, which it reads to tell which turn it is. */
async function countingTurns<T>(work: (turn: () => number) => Promise<T>): Promise<T> {
  const counter = new TurnCounter();
  try {
    return await work(() => counter.turn);
  } finally {
    counter.stop();
  }
}

const rowsOf = (count: number) => Array.from({ length: count }, (_, i) => ({ team: `t"${i}`, cost_usd: i / 100 }));

async function collect(pieces: AsyncIterable<string>, turn: () => number): Promise<{ text: string; turns: number[] }> {
  let text = '';
  const turns: number[] = [];
  for await (const piece of pieces) {
    text += piece;
    turns.push(turn());
  }
  return { text, turns };
}

describe('jsonPieces', () => {
  it('writes the very text JSON.stringify gives, the fields around the rows in their order', async () => {
    const answer = {
      start_date: '2026-01-01',
      group_by: ['team'],
      skipped: undefined,
      rows: rowsOf(2 * ROWS_PER_PIECE + 1),
      totals: { cost_usd: 1.5 },
    };
    const { text } = await countingTurns((turn) => collect(jsonPieces(answer), turn));
    expect(text).toBe(JSON.stringify(answer));
  });

  it('writes an answer that is a list of rows, and an empty one', async () => {
    for (const answer of [rowsOf(ROWS_PER_PIECE + 3), [], { rows: [], totals: {} }]) {
      const { text } = await countingTurns((turn) => collect(jsonPieces(answer), turn));
      expect(text).toBe(JSON.stringify(answer));
    }
  });

  it('serialises at most a piece of rows between two turns of the event loop', async () => {
    const { turns } = await countingTurns((turn) => collect(jsonPieces({ rows: rowsOf(3 * ROWS_PER_PIECE) }), turn));
    // The fields before the rows, three pieces of rows, the fields after them.
    const rowPieces = turns.slice(1, -1);
    expect(rowPieces).toHaveLength(3);
    expect(new Set(rowPieces).size).toBe(3);
  });
});

describe('csvInPieces', () => {
  it('gives the header with the first piece only', async () => {
    const rows = rowsOf(ROWS_PER_PIECE + 1);
    const headers: boolean[] = [];
    const pieces = csvInPieces(rows, (piece, header) => {
      headers.push(header);
      return `${piece.length};`;
    });
    const { text } = await countingTurns((turn) => collect(pieces, turn));
    expect(headers).toEqual([true, false]);
    expect(text).toBe(`${ROWS_PER_PIECE};1;`);
  });

  it('gives the header of no rows too: one empty piece', async () => {
    const headers: boolean[] = [];
    const pieces = csvInPieces([], (piece, header) => {
      headers.push(header);
      return `${piece.length};`;
    });
    const { text } = await countingTurns((turn) => collect(pieces, turn));
    expect(headers).toEqual([true]);
    expect(text).toBe('0;');
  });
});

describe('forEachInPieces', () => {
  it('visits every row in order, with a turn of the event loop between pieces', async () => {
    const rows = rowsOf(2 * ROWS_PER_PIECE + 5);
    const seen: number[] = [];
    const perTurn = new Map<number, number>();
    await countingTurns((turn) =>
      forEachInPieces(rows, (_row, i) => {
        seen.push(i);
        perTurn.set(turn(), (perTurn.get(turn()) ?? 0) + 1);
      }),
    );
    expect(seen).toEqual(rows.map((_, i) => i));
    expect([...perTurn.values()]).toEqual([ROWS_PER_PIECE, ROWS_PER_PIECE, 5]);
  });
});
