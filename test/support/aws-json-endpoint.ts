import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpEndpoint } from './local-http-endpoint.js';

/**
 * The protocol half of the local AWS endpoints the tests run against: a real HTTP server on
 * 127.0.0.1 speaking awsJson1_1 as the real SDK does (POST /, `X-Amz-Target: <prefix>.<Operation>`,
 * `application/x-amz-json-1.1`, SigV4 signed for the service), answering errors in the SDK's
 * shape (`__type`, `x-amzn-errortype`). What a service does with a request is the subclass's.
 */

export type Json = Record<string, unknown>;

export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface AwsJsonRequest {
  operation: string;
  /** From the signature's credential scope. */
  region: string;
  /** The access key the request is signed with (tells one account's caller from another's). */
  accessKeyId: string;
  body: Json;
  headers: IncomingHttpHeaders;
  /** When it arrived (ms). */
  at: number;
}

export interface AwsJsonProtocol {
  /** `AWSWAF_20190729.`, `Logs_20140328.` */
  targetPrefix: string;
  /** The SigV4 service name the request must be signed for. */
  signingName: string;
  operations: Record<string, unknown>;
  /** The error type of an unexpected failure, as the service names its internal error. */
  internalError: string;
}

export abstract class AwsJsonEndpoint extends LocalHttpEndpoint {
  constructor(private readonly protocol: AwsJsonProtocol) {
    super();
  }

  /** The answer to a well-formed, signed request; throws AwsError for a service error. */
  protected abstract answer(request: AwsJsonRequest): Promise<Json>;

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      res.end(JSON.stringify(body));
    };
    try {
      send(200, await this.answer(this.parse(req, Buffer.concat(chunks), at)));
    } catch (error) {
      if (error instanceof AwsError) {
        send(
          error.status,
          { __type: error.type, message: error.message, Message: error.message },
          error.type,
        );
      } else {
        const type = this.protocol.internalError;
        send(500, { __type: type, message: String(error), Message: String(error) }, type);
      }
    }
  }

  private parse(req: IncomingMessage, raw: Buffer, at: number): AwsJsonRequest {
    const { targetPrefix, signingName, operations } = this.protocol;
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : '';
    if (req.method !== 'POST' || req.url !== '/')
      throw new AwsError('UnknownOperationException', 'POST / only');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
      throw new AwsError(
        'SerializationException',
        `content-type must be application/x-amz-json-1.1, got ${req.headers['content-type']}`,
      );
    }
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    if (!credential)
      throw new AwsError('MissingAuthenticationTokenException', 'request is not signed with SigV4', 403);
    const [, accessKeyId = '', region = '', service] = credential;
    if (service !== signingName)
      throw new AwsError('InvalidSignatureException', `signed for ${service}, not ${signingName}`, 403);
    if (!operations[operation])
      throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
    let body: Json;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Json;
    } catch {
      throw new AwsError('SerializationException', 'body is not JSON');
    }
    return { operation, region, accessKeyId, body, headers: req.headers, at };
  }
}
