import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AwsModel, AwsModelValidator, loadAwsModel, type Shape } from './aws-model-validator.js';
import { LocalHttpEndpoint } from './local-http-endpoint.js';
import { awsModelPath } from './vendored.js';

/**
 * A local STS for tests: a real HTTP server speaking the awsQuery protocol the SDK's STS client
 * speaks (form-encoded `Action=AssumeRole&Version=2011-06-15&...`, XML answers), checking every
 * request against the published model (vendor/aws-models/sts.service-2.json) before looking at it.
 *
 * It knows the callers (access keys of the agency's own credentials, each in an account) and the
 * roles (in client accounts) with the external id each trust policy demands. AssumeRole hands out
 * session credentials whose access key the local WAFv2 maps back to the role's account
 * (`accountOf`), so one WAFv2 endpoint keeps each account's web ACLs apart, as AWS does.
 */

export const STS_MODEL_PATH = awsModelPath('sts');
const VERSION = '2011-06-15';
const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface LocalRole {
  arn: string;
  /** The external id the role's trust policy requires (sts:ExternalId condition), if any. */
  externalId?: string;
  /** Accounts allowed to assume it (the trust policy's principals); any known caller when absent. */
  trustedAccounts?: string[];
}

export interface StsRequestLog {
  action: string;
  accessKeyId: string;
  params: Record<string, unknown>;
}

interface Session {
  account: string;
  arn: string;
}

export class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function accountOfRole(arn: string): string {
  return arn.split(':')[4] ?? '';
}

export class LocalSts extends LocalHttpEndpoint {
  readonly validator: AwsModelValidator;
  readonly requests: StsRequestLog[] = [];
  /** Requests the model rejected, with why. */
  readonly rejected: { action: string; errors: string[] }[] = [];
  private readonly model: AwsModel;
  private readonly callers = new Map<string, Session>();
  private readonly sessions = new Map<string, Session>();
  private readonly roles = new Map<string, LocalRole>();

  constructor() {
    super();
    this.model = loadAwsModel(STS_MODEL_PATH);
    this.validator = new AwsModelValidator(this.model);
  }

  /** Long-term credentials of a user in `account` (the agency's own profile or environment). */
  addCaller(accessKeyId: string, account: string, user = 'waftune-operator'): void {
    this.callers.set(accessKeyId, { account, arn: `arn:aws:iam::${account}:user/${user}` });
  }

  addRole(role: LocalRole): void {
    this.roles.set(role.arn, role);
  }

  removeRole(arn: string): void {
    this.roles.delete(arn);
  }

  /** The account behind an access key: a caller's own, or the role account of a session it was given. */
  accountOf(accessKeyId: string): string | undefined {
    return this.sessions.get(accessKeyId)?.account ?? this.callers.get(accessKeyId)?.account;
  }

  actions(name?: string): string[] {
    return this.requests.map((r) => r.action).filter((a) => !name || a === name);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      res.end(xml);
    };
    let action = '';
    try {
      if (req.method !== 'POST') throw new StsError('InvalidAction', 'POST only');
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        throw new StsError('MalformedInput', `content-type ${req.headers['content-type']}`);
      const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
        String(req.headers.authorization ?? ''),
      );
      if (!credential) throw new StsError('MissingAuthenticationToken', 'request is not signed', 403);
      const [, accessKeyId = '', , service] = credential;
      if (service !== 'sts') throw new StsError('InvalidClientTokenId', `signed for ${service}`, 403);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      action = form.get('Action') ?? '';
      if (form.get('Version') !== VERSION) throw new StsError('InvalidAction', `Version must be ${VERSION}`);
      const op = this.model.operations[action];
      if (!op) throw new StsError('InvalidAction', `unknown action ${action}`);
      const params = this.decode(op.input?.shape, form);
      this.requests.push({ action, accessKeyId, params });
      const errors = op.input ? this.validator.validateShape(op.input.shape, params) : [];
      if (errors.length) {
        this.rejected.push({ action, errors });
        throw new StsError('ValidationError', errors.join('; '));
      }
      const caller = this.sessions.get(accessKeyId) ?? this.callers.get(accessKeyId);
      if (!caller)
        throw new StsError(
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
          403,
        );
      const result =
        action === 'AssumeRole'
          ? this.assumeRole(caller, params)
          : action === 'GetCallerIdentity'
            ? `<UserId>${xmlEscape(caller.arn)}</UserId><Account>${caller.account}</Account><Arn>${xmlEscape(caller.arn)}</Arn>`
            : (() => {
                throw new StsError('InvalidAction', `${action} is not implemented by the local endpoint`);
              })();
      send(
        200,
        `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const e = error instanceof StsError ? error : new StsError('InternalFailure', String(error), 500);
      send(
        e.status,
        `<ErrorResponse xmlns="${NS}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  }

  /** Form fields -> the input structure, typed by the model (`Tags.member.1.Key` style lists included). */
  private decode(shapeName: string | undefined, form: URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!shapeName) return out;
    const shape = this.model.shapes[shapeName] as Shape;
    for (const [key, value] of form) {
      if (key === 'Action' || key === 'Version') continue;
      const [member = '', ...rest] = key.split('.');
      const ref = shape.members?.[member];
      if (!ref) {
        out[member] = value;
        continue;
      }
      const memberShape = this.model.shapes[ref.shape] as Shape;
      if (memberShape.type === 'list') {
        // member.N or member.N.Field
        const index = Number(rest[1]) - 1;
        const list = (out[member] as unknown[] | undefined) ?? [];
        if (rest.length > 2) {
          const item = (list[index] as Record<string, unknown> | undefined) ?? {};
          item[rest[2] ?? ''] = value;
          list[index] = item;
        } else list[index] = value;
        out[member] = list;
      } else if (memberShape.type === 'integer' || memberShape.type === 'long') out[member] = Number(value);
      else if (memberShape.type === 'boolean') out[member] = value === 'true';
      else out[member] = value;
    }
    return out;
  }

  private assumeRole(caller: Session, params: Record<string, unknown>): string {
    const arn = String(params.RoleArn);
    const role = this.roles.get(arn);
    const denied = () =>
      new StsError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
        403,
      );
    if (!role) throw denied();
    if (role.trustedAccounts && !role.trustedAccounts.includes(caller.account)) throw denied();
    if (role.externalId !== undefined && params.ExternalId !== role.externalId) throw denied();
    const account = accountOfRole(arn);
    const session = String(params.RoleSessionName);
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const assumed = `arn:aws:sts::${account}:assumed-role/${arn.split('/').pop()}/${session}`;
    this.sessions.set(accessKeyId, { account, arn: assumed });
    const seconds = Number(params.DurationSeconds ?? 3600);
    const expiration = new Date(Date.now() + seconds * 1000).toISOString();
    return (
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${randomBytes(20).toString('base64')}</SecretAccessKey>` +
      `<SessionToken>${randomBytes(32).toString('base64')}</SessionToken>` +
      `<Expiration>${expiration}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(6).toString('hex').toUpperCase()}:${xmlEscape(session)}</AssumedRoleId><Arn>${xmlEscape(assumed)}</Arn></AssumedRoleUser>`
    );
  }
}

export async function startLocalSts(): Promise<LocalSts> {
  return new LocalSts().start();
}
