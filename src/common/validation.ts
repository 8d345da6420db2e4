import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail } from './errors/error-response';

/** Flattens class-validator errors into `[{field, message}]`, nested fields as dotted paths. */
function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: ErrorDetail[] = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return own.concat(flattenValidationErrors(error.children ?? [], field));
  });
}

/** The global pipe: unknown fields rejected, types transformed, 400 naming every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
