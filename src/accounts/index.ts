export * from './keys.js';
export * from './packages.js';
export * from './metering.js';
export * from './usage.js';
export * from './ratelimit.js';
