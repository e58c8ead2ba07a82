export interface WebAclRef {
  arn: string;
  name: string;
  region: string;
  scope: 'REGIONAL' | 'CLOUDFRONT' | '';
  accountId: string;
}

const ARN = /^arn:aws[\w-]*:wafv2:([^:]*):([^:]*):(regional|global)\/webacl\/([^/]+)\/[^/]+$/;

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
