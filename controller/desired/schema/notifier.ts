import { Type, type Static } from '@sinclair/typebox';
import { Duration, StringEnum, Strict } from './common.js';

/** An environment variable name: what a shell or a Kubernetes `env:` entry accepts. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** A finding type such as `RolloutStalled`. */
export const FINDING_TYPE_PATTERN = '^[A-Z][A-Za-z0-9]*$';

/** Where a secret comes from: exactly one of an environment variable or a file, read by the controller. */
export const SecretSource = (description: string) =>
  Strict(
    {
      env: Type.Optional(Type.String({ pattern: ENV_NAME_PATTERN, description: 'An environment variable of the controller' })),
      file: Type.Optional(Type.String({ minLength: 1, description: 'A file the controller reads (a mounted Kubernetes Secret); surrounding whitespace is dropped' })),
    },
    description,
  );

/**
 * The rollout phases a notifier can listen for: the State document's phases (a test keeps the two
 * lists equal; importing them here would make the schema modules import each other).
 */
export const NOTIFIABLE_PHASES = ['Pending', 'Progressing', 'Paused', 'Aborted', 'Stalled', 'Superseded', 'Complete', 'Removed'] as const;
/** The phases told when `on.rollouts` is absent. */
export const DEFAULT_NOTIFIED_PHASES = ['Stalled', 'Paused', 'Aborted', 'Complete'] as const;

export const NOTIFIER_FORMATS = ['json', 'slack'] as const;
export const NOTIFIER_SEVERITIES = ['info', 'warning', 'error'] as const;

export const NotifierSpec = Strict(
  {
    format: StringEnum(NOTIFIER_FORMATS, { description: 'json: a signed JSON event; slack: an incoming-webhook message (Slack, Mattermost…)' }),
    urlFrom: SecretSource('Where the webhook URL comes from; the URL is a secret and never in git'),
    secretFrom: Type.Optional(SecretSource('Where the HMAC-SHA256 key that signs json bodies comes from (X-Muster-Signature-256)')),
    on: Type.Optional(
      Strict(
        {
          findings: Type.Optional(Type.Array(Type.String({ pattern: FINDING_TYPE_PATTERN }), { description: 'Finding types to tell; absent: every type' })),
          severities: Type.Optional(Type.Array(StringEnum(NOTIFIER_SEVERITIES), { description: 'Finding severities to tell; absent: every severity' })),
          rollouts: Type.Optional(
            Type.Array(StringEnum(NOTIFIABLE_PHASES), { description: 'Rollout phases whose entry is told; absent: Stalled, Paused, Aborted, Complete' }),
          ),
        },
        'Which events this notifier gets',
      ),
    ),
    quietPeriod: Type.Optional(Duration('A finding that resolves and reopens within this period is not told again (flapping)')),
    timeout: Type.Optional(Duration('How long one delivery attempt may take', '10s')),
    giveUpAfter: Type.Optional(Duration('An event not delivered after this long is dropped with a NotificationUndeliverable finding', '24h')),
  },
  'Where and what to tell when findings open or resolve and rollouts change phase',
);
export type NotifierSpec = Static<typeof NotifierSpec>;
