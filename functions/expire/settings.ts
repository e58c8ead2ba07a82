import { z } from 'zod';
import { externalIdSchema, roleArnSchema } from '../../schemas/config.js';

/**
 * The expire function's settings, from its environment (serverless.yml sets them), validated at
 * the first invocation so a typo fails loudly in the log.
 */

export const expireSettingsSchema = z.object({
  /** The stack's bucket; the change history is under WAFTUNE_AUDIT_PREFIX in it. */
  WAFTUNE_BUCKET: z.string().min(3),
  WAFTUNE_AUDIT_PREFIX: z.string().default('changes/'),
  /** Also expire blocks in the CLOUDFRONT IP sets (managed in us-east-1): for the stack that holds the CloudFront history. */
  WAFTUNE_EXPIRE_CLOUDFRONT: z.enum(['true', 'false']).default('false'),
  /** REGIONAL IP sets are expired in the function's own region. */
  AWS_REGION: z.string().min(1),
  /**
   * Other accounts whose waftune IP sets this function expires too: IAM role ARNs, comma-separated,
   * each assumed with STS (the stack's `expireRoleArns`). Empty: its own account only.
   */
  WAFTUNE_EXPIRE_ROLES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r !== ''),
    )
    .pipe(z.array(roleArnSchema)),
  /** The external id those roles' trust policies ask for (sts:ExternalId), if any: one for all. */
  WAFTUNE_EXPIRE_EXTERNAL_ID: z
    .string()
    .default('')
    .transform((v) => (v === '' ? undefined : v))
    .pipe(externalIdSchema.optional()),
});
export type ExpireSettings = z.infer<typeof expireSettingsSchema>;

export function readExpireSettings(env: Record<string, string | undefined>): ExpireSettings {
  const parsed = expireSettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `expire settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
