import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { setImmediate } from 'node:timers/promises';
import { mergeMap, Observable } from 'rxjs';

/**
 * Rows handled between two turns of the event loop: 2,000 rows of `group_by=team,model` are
 * 540 kB of JSON, about 5 ms to serialise and encode on the 2-core test machine. A report near
 * REPORT_MAX_ROWS built, serialised and wrote its 13 MB in one go, and the process answered
 * nothing else for 200-550 ms (docs/decisions.md, "Long loops take turns with other requests").
 */
export const ROWS_PER_PIECE = 2000;

/**
 * Rows already written as JSON, a text each (the database can write a report's rows: turning
 * thousands of rows into objects and back into text was a third of the API's work on them). An
 * answer holding them is always sent as text (`jsonPieces`): serialised as an object, it would
 * read `{"texts": [...]}`.
 */
export class JsonRows {
  constructor(readonly texts: readonly string[]) {}
}

/** What an answer of rows looks like: the rows themselves, or an object with them in `rows`. */
type RowsAnswer = readonly unknown[] | { rows: readonly unknown[] | JsonRows };

function rowsOf(answer: unknown): readonly unknown[] | JsonRows | null {
  if (Array.isArray(answer)) return answer as unknown[];
  const rows = answer !== null && typeof answer === 'object' ? (answer as { rows?: unknown }).rows : undefined;
  return Array.isArray(rows) || rows instanceof JsonRows ? rows : null;
}

/**
 * `rows` ROWS_PER_PIECE at a time, each piece with the index of its first row, and a turn of the
 * event loop between pieces: the one loop of the helpers below. No rows are one empty piece, so
 * that a CSV of none still has its header.
 */
async function* piecesOf<T>(rows: readonly T[]): AsyncGenerator<{ piece: T[]; start: number }> {
  for (let start = 0; start === 0 || start < rows.length; start += ROWS_PER_PIECE) {
    if (start > 0) await setImmediate();
    yield { piece: rows.slice(start, start + ROWS_PER_PIECE), start };
  }
}

/** Calls `each` on every row, a piece of rows between two turns of the event loop. */
export async function forEachInPieces<T>(rows: T[], each: (row: T, index: number) => void): Promise<void> {
  for await (const { piece, start } of piecesOf(rows)) piece.forEach((row, i) => each(row, start + i));
}

/** `rows` as text, `write` making each piece's, a piece between two turns of the event loop. */
async function* inPieces<T>(rows: readonly T[], write: (piece: T[], first: boolean) => string): AsyncGenerator<string> {
  for await (const { piece, start } of piecesOf(rows)) yield write(piece, start === 0);
}

/**
 * The JSON text of an answer, the very text JSON.stringify gives, its rows serialised a piece at
 * a time (rows already written as JSON are joined as they are). The fields around the rows keep
 * their order.
 */
export async function* jsonPieces(answer: RowsAnswer): AsyncGenerator<string> {
  const rows = rowsOf(answer)!;
  let before = '[';
  let after = ']';
  if (!Array.isArray(answer)) {
    const fields = Object.entries(answer).filter(([, value]) => value !== undefined);
    const at = fields.findIndex(([name]) => name === 'rows');
    const text = (list: [string, unknown][]) =>
      list.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
    before = `{${[...text(fields.slice(0, at)), '"rows":['].join(',')}`;
    after = `]${text(fields.slice(at + 1))
      .map((field) => `,${field}`)
      .join('')}}`;
  }
  yield before;
  if (rows instanceof JsonRows) yield* inPieces(rows.texts, (piece, first) => (first ? '' : ',') + piece.join(','));
  else yield* inPieces(rows, (piece, first) => (first ? '' : ',') + JSON.stringify(piece).slice(1, -1));
  yield after;
}

/**
 * Text pieces joined into one answer. Returned as a string, it is sent by Express as a smaller
 * answer is: with its `Content-Length` and `ETag`, a 304 to a matching `If-None-Match`, no body to
 * a HEAD. Joining is cheap (V8 links the pieces and copies them once, when Express encodes the
 * text); the work that took the event loop for hundreds of milliseconds was serialising the rows.
 */
export async function joinedPieces(pieces: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of pieces) text += piece;
  return text;
}

/** Pieces of CSV: the header with the first piece only. */
export function csvInPieces(rows: readonly object[], csvOf: (piece: object[], header: boolean) => string) {
  return inPieces(rows, csvOf);
}

/**
 * Answers with more than ROWS_PER_PIECE rows are serialised a piece at a time, with a turn of the
 * event loop between pieces, and sent as the same JSON text (joinedPieces). Answers whose rows are
 * JsonRows are joined whatever their size. Smaller answers are sent as before.
 */
@Injectable()
export class LargeAnswersInPieces implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (answer: unknown) => {
        const rows = rowsOf(answer);
        if (!rows || (Array.isArray(rows) && rows.length <= ROWS_PER_PIECE)) return answer;
        context.switchToHttp().getResponse<Response>().type('application/json');
        return joinedPieces(jsonPieces(answer as RowsAnswer));
      }),
    );
  }
}
