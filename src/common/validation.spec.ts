import { BadRequestException } from '@nestjs/common';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { ErrorDetail } from './errors/error-response';
import { createValidationPipe } from './validation';

class NamedDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(5)
  name: string;

  @IsNotEmpty({ message: 'day is required (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must be YYYY-MM-DD' })
  day: string;
}

const DAY = '2026-01-01';

/** The details of the 400 the app's pipe answers for `body`. */
async function refusal(body: unknown): Promise<ErrorDetail[]> {
  const pipe = createValidationPipe();
  try {
    await pipe.transform(body, { type: 'body', metatype: NamedDto });
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { details: ErrorDetail[] }).details;
  }
  throw new Error('expected a 400');
}

describe('the validation pipe', () => {
  it('calls a missing field required, not too long', async () => {
    expect(await refusal({ day: DAY })).toEqual([{ field: 'name', message: 'name is required' }]);
  });

  it.each([[undefined], ['']])("keeps a DTO's own words for a day of %j", async (day) => {
    expect(await refusal({ name: 'a', day })).toEqual([{ field: 'day', message: 'day is required (YYYY-MM-DD)' }]);
  });

  it('calls a null field not nullable', async () => {
    expect(await refusal({ name: null, day: DAY })).toEqual([{ field: 'name', message: 'name must not be null' }]);
  });

  it.each([[123], [['x']], [{ a: 1 }]])('names the type a field of %j fails, not the bound', async (name) => {
    expect(await refusal({ name, day: DAY })).toEqual([{ field: 'name', message: 'name must be a string' }]);
  });

  it('names the bound when the type is right', async () => {
    expect(await refusal({ name: 'toolong', day: DAY })).toEqual([
      { field: 'name', message: 'name must be shorter than or equal to 5 characters' },
    ]);
  });

  it('names the format a present value fails', async () => {
    expect(await refusal({ name: 'a', day: '5 May' })).toEqual([{ field: 'day', message: 'day must be YYYY-MM-DD' }]);
  });

  it('refuses an unknown field as unknown, even when it is null', async () => {
    expect(await refusal({ name: 'a', day: DAY, extra: null })).toEqual([
      { field: 'extra', message: 'property extra should not exist' },
    ]);
  });

  it('gives one message a field', async () => {
    const details = await refusal({ name: 42, day: 7 });
    expect(details.map((d) => d.field)).toEqual(['name', 'day']);
  });
});
