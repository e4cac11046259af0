// The public API: re-exports only.
export * from './labels';
export * from './base';
export * from './rolling-update';
export * from './rolling-update-plan';
export * from './recreate-app';
export * from './ramped-app';
export * from './blue-green-app';
export * from './canary-app';
