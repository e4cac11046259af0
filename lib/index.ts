// The public API: re-exports only.
export * from './labels';
export * from './strategies/base';
export * from './strategies/rolling-update';
export * from './production/production';
export * from './production/pod-security';
export * from './production/disruption-budget';
export * from './production/autoscaling';
export * from './strategies/recreate-app';
export * from './strategies/ramped-app';
export * from './strategies/blue-green-app';
export * from './strategies/canary-app';
export * from './strategies/ab-test-app';
export * from './strategies/shadow-app';
export * from './planning/rolling-update-plan';
export * from './traffic/traffic-router';
export * from './traffic/request-match';
export * from './gate/release-diff';
