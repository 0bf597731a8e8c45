import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** 429 with the seconds to wait, sent as `Retry-After` by the filter below. */
export class TooManyRequests extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

@Catch(TooManyRequests)
export class TooManyRequestsFilter implements ExceptionFilter {
  catch(exception: TooManyRequests, host: ArgumentsHost): void {
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(429)
      .header('retry-after', String(exception.retryAfterSeconds))
      .send(exception.getResponse());
  }
}
