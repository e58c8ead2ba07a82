import { pattern, toRegExp } from '../classify/pattern.js';

export interface WebAclRef {
  arn: string;
  name: string;
  region: string;
  scope: 'REGIONAL' | 'CLOUDFRONT' | '';
  accountId: string;
}

/** `arn:aws:wafv2:<region>:<account>:<regional|global>/webacl/<name>/<id>`; the SQL normalization uses it too. */
export const WEB_ACL_ARN = pattern(
  String.raw`^arn:aws[\w\-]*:wafv2:([^:]*):([^:]*):(regional|global)/webacl/([^/]+)/[^/]+$`,
);
const ARN = toRegExp(WEB_ACL_ARN);

/** Splits a web ACL ARN; an id that is not such an ARN is kept whole as the name. */
export function parseWebAclArn(arn: string): WebAclRef {
  const m = ARN.exec(arn);
  if (!m) return { arn, name: arn, region: '', scope: '', accountId: '' };
  return {
    arn,
    region: m[1] ?? '',
    accountId: m[2] ?? '',
    scope: m[3] === 'global' ? 'CLOUDFRONT' : 'REGIONAL',
    name: m[4] ?? '',
  };
}
