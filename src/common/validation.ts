import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail } from './errors/error-response';
import { assertStorableInput } from './input-checks';

/** Flattens class-validator errors into `[{field, message}]`, nested fields as dotted paths. */
function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: ErrorDetail[] = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
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
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new BadRequestException({ message: details.map((d) => d.message).join('; '), details });
    },
  });
}
