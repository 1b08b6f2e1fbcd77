// Call control through the official @azure/communication-call-automation SDK, wrapped thinly.
export * from './call-control.js';
