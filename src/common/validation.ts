import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail } from './errors/error-response';
import { assertStorableInput } from './input-checks';

/**
 * The one message a field's failed checks come down to: what the client must fix first. A missing
 * value is "required" (in the DTO's own words when it has some, e.g. with the format expected),
 * and a value of the wrong type or format is named by that check (`isString`, `isInt`, `isUUID`,
 * `isIn`, …) rather than by a bound it also fails: `{"name": 123}` must not read "name must be
 * shorter than or equal to 200 characters". class-validator lists the checks in the order the
 * decorators were applied (bottom up), so the order alone cannot tell.
 */
function messageOf(error: ValidationError, field: string): string | null {
  const constraints = Object.entries(error.constraints ?? {});
  if (!constraints.length) return null;
  // A field the DTO does not have is refused as such, whatever its value.
  const unknown = constraints.find(([name]) => name === 'whitelistValidation');
  if (unknown) return unknown[1];
  if (error.value === undefined) {
    return constraints.find(([, message]) => message.includes('required'))?.[1] ?? `${field} is required`;
  }
  if (error.value === null) return `${field} must not be null`;
  const typeCheck = constraints.find(([name]) => /^is[A-Z]/.test(name));
  return (typeCheck ?? constraints[0])[1];
}

/** Flattens class-validator errors into `[{field, message}]`, one a field, nested fields as dotted paths. */
function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = messageOf(error, field);
    const own: ErrorDetail[] = message === null ? [] : [{ field, message }];
    return own.concat(flattenValidationErrors(error.children ?? [], field));
  });
}

/**
 * The global pipe. First, for every path parameter, query and body a handler takes: no text
 * PostgreSQL cannot store and no prototype keys, whatever the DTO (so no DTO can forget it).
 * Then the DTO: unknown fields rejected, types transformed, 400 naming every bad field.
 */
class InputPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // `custom` is what the app's own decorators (the caller) produce: not client text.
    if (metadata.type !== 'custom') assertStorableInput(value, metadata.type === 'param' ? metadata.data : undefined);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new InputPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new BadRequestException({ message: details.map((d) => d.message).join('; '), details });
    },
  });
}
