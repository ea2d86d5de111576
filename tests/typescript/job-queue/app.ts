// The job-queue bug, in TypeScript: compiled by tsc with source maps, the
// finding must name this file and these lines, not the emitted JavaScript.
import { AsyncLocalStorage } from 'node:async_hooks';
import { enqueue } from './queue.js';

interface RequestContext {
  requestId: number;
  user: string;
}

const als: AsyncLocalStorage<RequestContext> = new AsyncLocalStorage<RequestContext>();

function show(label: string): RequestContext | undefined {
  const ctx: RequestContext | undefined = als.getStore();
  console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify(ctx)}`);
  return ctx;
}

function handleRequest(requestId: number): void {
  als.run({ requestId, user: `user-${requestId}` }, (): void => {
    show(`request-${requestId}`);
    enqueue((): void => { show(`queue-job-${requestId}`); }); // LOST: runs in the drain interval
  });
}

handleRequest(1);
handleRequest(2);
setTimeout((): void => handleRequest(3), 2);
