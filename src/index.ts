// Public entry point of acs-audio-streaming: an explicit export list.
export * from './protocol/index.js';
