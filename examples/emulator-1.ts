// docs/emulator.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
// Placeholders: the emulator's connection string and its base URL (emulator.url).
declare const connectionString: string;
declare const emulatorUrl: string;
export {};
// ---- the example, exactly as the document shows it ----
import { CallAutomationClient } from '@azure/communication-call-automation';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';

const inner = createDefaultHttpClient();
const client = new CallAutomationClient(connectionString, {
  httpClient: { sendRequest(request) {
    const url = new URL(request.url);
    if (url.hostname.endsWith('.asm.skype.com')) { request.url = `${emulatorUrl}${url.pathname}`; request.allowInsecureConnection = true; }
    return inner.sendRequest(request);
  } },
});
