// `acs-audio serve --workers <n>`: one port, n media server processes (README.md, "Every core").
export { createWorkerPool, type WorkerCommand, type WorkerPool, type WorkerPoolOptions } from './primary.js';
export { createWorkerLink, type WorkerChannel, type WorkerLink, type WorkerLinkOptions } from './worker.js';
export { WORKER_SLOT_ENV, WORKER_URL_ENV, type WorkerSessionSummary } from './ipc.js';
