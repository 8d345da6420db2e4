import { HttpStatus } from '@nestjs/common';
import { DomainError } from './errors/domain-error';
import { MAX_JSON_DEPTH } from './input-limits';
import { unstorableText } from './storable-text';

/**
 * Checks on raw input that hold for every route, whatever its DTO says: the shape of a JSON body
 * (how deep, how many values) and text PostgreSQL can store. Both stop at the first problem.
 */

const [QUOTE, BACKSLASH, COMMA, COLON, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT] = [...'"\\,:[]{}'].map((c) =>
  c.charCodeAt(0),
);
const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** What is wrong with the shape of a JSON text, and the status that refuses it. */
export interface JsonShapeProblem {
  status: HttpStatus.BAD_REQUEST | HttpStatus.PAYLOAD_TOO_LARGE;
  message: string;
}

/**
 * Finds, before the text is parsed, a JSON text that nests deeper than MAX_JSON_DEPTH (400) or
 * holds more than `maxValues` values (objects, arrays, strings, numbers, literals; 413). It must
 * run before JSON.parse: parsing is what costs, about quadratically in depth (30,000 nested
 * arrays, 60 kB, take over 100 ms) and linearly in values (millions of zeros, seconds). One pass
 * over the bytes, no allocation; malformed text is left for the parser to refuse. `what` names
 * the text in the message ("the body", "the line").
 */
export function jsonShapeProblem(text: Uint8Array, maxValues: number, what: string): JsonShapeProblem | null {
  let depth = 0;
  let values = 0;
  let expectValue = true;
  // Whether each open container is an array (a comma there starts a value) or an object (a key).
  const isArray: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (isWhitespace(c)) continue;
    if (expectValue && c !== CLOSE_ARRAY && ++values > maxValues) {
      return { status: HttpStatus.PAYLOAD_TOO_LARGE, message: `${what} holds more than ${maxValues} JSON values` };
    }
    expectValue = false;
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i === -1) return null;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > MAX_JSON_DEPTH) {
        return { status: HttpStatus.BAD_REQUEST, message: `${what} nests deeper than ${MAX_JSON_DEPTH} levels` };
      }
      isArray[depth] = c === OPEN_ARRAY;
      expectValue = c === OPEN_ARRAY;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    else if (c === COMMA) expectValue = isArray[depth] === true;
    else if (c === COLON) expectValue = true;
  }
  return null;
}

/** Refuses a JSON body whose shape jsonShapeProblem finds wrong, naming `body`. */
export function checkJsonShape(text: Uint8Array, maxValues: number): void {
  const problem = jsonShapeProblem(text, maxValues, 'the body');
  if (problem) throw new DomainError(problem.status, problem.message, [{ field: 'body', message: problem.message }]);
}

/** Where the string opened at `open` ends (a quote after an even run of backslashes), or -1. Strings are most of a body: indexOf skips them natively. */
function closingQuote(text: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf(QUOTE, at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/**
 * NUL, which PostgreSQL text cannot hold, and a UTF-16 surrogate without its pair, which has no
 * UTF-8 form (the driver would silently store U+FFFD instead).
 */
/** Characters PostgreSQL cannot store, each, to show a refused property name without them. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for.
const UNSTORABLE_CHARS = /[\u0000\uD800-\uDFFF]/g;

/** Keys that would reach an object's prototype if copied by assignment; no DTO has them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function textProblem(text: string, field: string): string | undefined {
  const reason = unstorableText(text);
  return reason === null ? undefined : `${field} ${reason}`;
}

const pathOf = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/**
 * A 400 naming the first field whose text PostgreSQL cannot store, or whose key is a prototype
 * key; nothing when all is well. `field` names the value itself (a path parameter); the keys of
 * an object name their own values.
 */
export function assertStorableInput(value: unknown, field = ''): void {
  const stack: { value: unknown; field: string }[] = [{ value, field }];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      const problem = textProblem(item.value, item.field || 'value');
      if (problem) throw badInput(problem, item.field || 'value');
    } else if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => stack.push({ value: v, field: pathOf(item.field, i) }));
    } else if (item.value !== null && typeof item.value === 'object') {
      for (const key of Object.keys(item.value)) {
        const shown = pathOf(item.field, key.slice(0, 100));
        const keyProblem = textProblem(key, 'a property name');
        if (keyProblem) throw badInput(keyProblem, shown.replace(UNSTORABLE_CHARS, '\uFFFD'));
        if (PROTOTYPE_KEYS.has(key)) throw badInput(`property ${shown} is not allowed`, shown);
        stack.push({ value: (item.value as Record<string, unknown>)[key], field: shown });
      }
    }
  }
}

function badInput(message: string, field: string): DomainError {
  return new DomainError(HttpStatus.BAD_REQUEST, message, [{ field, message }]);
}
